"""PyTorch (float64) as the second oracle: values, gradients and Hessians of every composite,
decomposition gradients on gauge-invariant losses, and Hypothesis-generated random programs."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import glassgrad as gg
import glassgrad.core.ops as ops

torch = pytest.importorskip("torch")
F64 = torch.float64
TOL = {"rtol": 1e-10, "atol": 1e-10}


def T(a):
    return torch.as_tensor(np.asarray(a), dtype=F64)


def _weights(shape):
    return np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape) if shape else np.array(1.3)


def _scalar_gg(y):
    # A fixed nonlinear read-out, so Hessians of linear ops are not trivially zero.
    return ops.sum(ops.sin(y) * _weights(y.shape))


def _scalar_torch(y):
    return (torch.sin(y) * T(_weights(tuple(y.shape)))).sum()


def _x(n, seed=0, low=-1.5, high=1.5):
    return np.random.default_rng(seed).uniform(low, high, n)


def _pos(n, seed=0):
    return _x(n, seed, 0.3, 2.0)


# (name, glassgrad f, torch f, flat input): each f maps a flat vector to a tensor.
COMPOSITES = [
    ("mean", lambda x: ops.mean(x.reshape(2, 3), axis=0), lambda x: x.reshape(2, 3).mean(0), _x(6)),
    (
        "var",
        lambda x: ops.var(x.reshape(2, 3), axis=1, ddof=1),
        lambda x: x.reshape(2, 3).var(1, correction=1),
        _x(6),
    ),
    ("std", lambda x: ops.std(x), lambda x: x.std(correction=0), _x(5)),
    ("square", ops.square, torch.square, _x(4)),
    ("reciprocal", ops.reciprocal, torch.reciprocal, _pos(4)),
    (
        "logsumexp",
        lambda x: ops.logsumexp(x.reshape(2, 3), axis=1),
        lambda x: torch.logsumexp(x.reshape(2, 3), 1),
        _x(6),
    ),
    (
        "softmax",
        lambda x: ops.softmax(x.reshape(2, 3)),
        lambda x: torch.softmax(x.reshape(2, 3), -1),
        _x(6),
    ),
    (
        "log_softmax",
        lambda x: ops.log_softmax(x.reshape(2, 3), axis=0),
        lambda x: torch.log_softmax(x.reshape(2, 3), 0),
        _x(6),
    ),
    ("dot", lambda x: ops.dot(x[:3], x[3:]), lambda x: torch.dot(x[:3], x[3:]), _x(6)),
    ("arccos", lambda x: ops.arccos(x / 2), lambda x: torch.arccos(x / 2), _x(4)),
    ("exp2", ops.exp2, torch.exp2, _x(4)),
    ("log2", ops.log2, torch.log2, _pos(4)),
    ("log10", ops.log10, torch.log10, _pos(4)),
    ("clip", lambda x: ops.clip(x, -0.5, 0.7), lambda x: torch.clamp(x, -0.5, 0.7), _x(6)),
    (
        "logaddexp",
        lambda x: ops.logaddexp(x[:3], x[3:]),
        lambda x: torch.logaddexp(x[:3], x[3:]),
        _x(6),
    ),
    ("expit", ops.expit, torch.sigmoid, _x(4)),
    ("prod", lambda x: ops.prod(x.reshape(2, 3), axis=1), lambda x: x.reshape(2, 3).prod(1), _x(6)),
    ("cumprod", lambda x: ops.cumprod(x), lambda x: torch.cumprod(x, 0), _x(5)),
    (
        "moveaxis",
        lambda x: ops.moveaxis(x.reshape(1, 2, 3), 0, -1),
        lambda x: torch.movedim(x.reshape(1, 2, 3), 0, -1),
        _x(6),
    ),
    ("hstack", lambda x: ops.hstack([x[:2], x[2:]]), lambda x: torch.hstack([x[:2], x[2:]]), _x(5)),
    ("vstack", lambda x: ops.vstack([x[:3], x[3:]]), lambda x: torch.vstack([x[:3], x[3:]]), _x(6)),
    (
        "split",
        lambda x: ops.split(x, [2])[1] * 2.0,
        lambda x: torch.split(x, [2, 3])[1] * 2.0,
        _x(5),
    ),
    (
        "flip",
        lambda x: ops.flip(x.reshape(2, 3), 1),
        lambda x: torch.flip(x.reshape(2, 3), (1,)),
        _x(6),
    ),
    ("roll", lambda x: ops.roll(x, 2), lambda x: torch.roll(x, 2), _x(5)),
    (
        "pad",
        lambda x: ops.pad(x.reshape(2, 3), ((1, 0), (0, 2)), mode="reflect"),
        lambda x: torch.nn.functional.pad(x.reshape(1, 2, 3), (0, 2, 1, 0), mode="reflect")[0],
        _x(6),
    ),
    ("tile", lambda x: ops.tile(x, (2, 1)), lambda x: torch.tile(x, (2, 1)), _x(3)),
    ("repeat", lambda x: ops.repeat(x, 2), lambda x: torch.repeat_interleave(x, 2), _x(3)),
    ("take", lambda x: ops.take(x, [0, 2, 2]), lambda x: x[[0, 2, 2]], _x(3)),
    (
        "take_along_axis",
        lambda x: ops.take_along_axis(x.reshape(2, 3), np.array([[2, 2], [0, 1]]), 1),
        lambda x: torch.take_along_dim(x.reshape(2, 3), torch.tensor([[2, 2], [0, 1]]), 1),
        _x(6),
    ),
    ("sort", lambda x: ops.sort(x), lambda x: torch.sort(x, stable=True).values, _x(5)),
    (
        "matrix_power",
        lambda x: ops.matrix_power(x.reshape(2, 2), 3),
        lambda x: torch.linalg.matrix_power(x.reshape(2, 2), 3),
        _x(4),
    ),
    ("trace", lambda x: ops.trace(x.reshape(3, 3)), lambda x: torch.trace(x.reshape(3, 3)), _x(9)),
    (
        "diagonal",
        lambda x: ops.diagonal(x.reshape(2, 3), 1),
        lambda x: torch.diagonal(x.reshape(2, 3), 1),
        _x(6),
    ),
    ("diag", lambda x: ops.diag(x, -1), lambda x: torch.diag(x, -1), _x(3)),
    (
        "triu",
        lambda x: ops.triu(x.reshape(3, 3), 1),
        lambda x: torch.triu(x.reshape(3, 3), 1),
        _x(9),
    ),
    ("tril", lambda x: ops.tril(x.reshape(3, 3)), lambda x: torch.tril(x.reshape(3, 3)), _x(9)),
    ("outer", lambda x: ops.outer(x[:2], x[2:]), lambda x: torch.outer(x[:2], x[2:]), _x(5)),
    (
        "inner",
        lambda x: ops.inner(x[:4].reshape(2, 2), x[4:].reshape(2, 2)),
        lambda x: torch.inner(x[:4].reshape(2, 2), x[4:].reshape(2, 2)),
        _x(8),
    ),
    ("vdot", lambda x: ops.vdot(x[:3], x[3:]), lambda x: torch.vdot(x[:3], x[3:]), _x(6)),
    (
        "tensordot",
        lambda x: ops.tensordot(x[:6].reshape(2, 3), x[6:].reshape(3, 1), 1),
        lambda x: torch.tensordot(x[:6].reshape(2, 3), x[6:].reshape(3, 1), 1),
        _x(9),
    ),
    (
        "einsum",
        lambda x: ops.einsum("ij,jk->ki", x[:6].reshape(2, 3), x[6:].reshape(3, 1)),
        lambda x: torch.einsum("ij,jk->ki", x[:6].reshape(2, 3), x[6:].reshape(3, 1)),
        _x(9),
    ),
    (
        "einsum batched",
        lambda x: ops.einsum("bij,bkj->bik", x[:8].reshape(2, 2, 2), x[8:].reshape(2, 1, 2)),
        lambda x: torch.einsum("bij,bkj->bik", x[:8].reshape(2, 2, 2), x[8:].reshape(2, 1, 2)),
        _x(12),
    ),
    (
        "einsum diagonal and ellipsis",
        lambda x: ops.einsum("ii,...i->...", x[:4].reshape(2, 2), x[4:].reshape(2, 2)),
        lambda x: torch.einsum("ii,...i->...", x[:4].reshape(2, 2), x[4:].reshape(2, 2)),
        _x(8),
    ),
    (
        "einsum three operands",
        lambda x: ops.einsum("i,ij,j", x[:2], x[2:6].reshape(2, 2), x[6:]),
        lambda x: torch.einsum("i,ij,j", x[:2], x[2:6].reshape(2, 2), x[6:]),
        _x(8),
    ),
    (
        "stack",
        lambda x: ops.stack([x[:3], x[3:]], axis=1),
        lambda x: torch.stack([x[:3], x[3:]], 1),
        _x(6),
    ),
    (
        "squeeze and expand_dims",
        lambda x: ops.expand_dims(ops.squeeze(x.reshape(1, 3, 1)), 0),
        lambda x: x.reshape(1, 3, 1).squeeze().unsqueeze(0),
        _x(3),
    ),
    (
        "swapaxes",
        lambda x: ops.swapaxes(x.reshape(1, 2, 3), 0, 2),
        lambda x: torch.swapaxes(x.reshape(1, 2, 3), 0, 2),
        _x(6),
    ),
    (
        "kron",
        lambda x: ops.kron(x[:4].reshape(2, 2), x[4:].reshape(1, 2)),
        lambda x: torch.kron(x[:4].reshape(2, 2), x[4:].reshape(1, 2)),
        _x(6),
    ),
]
NAMES = [c[0] for c in COMPOSITES]


@pytest.mark.parametrize(("name", "f", "tf", "x"), COMPOSITES, ids=NAMES)
def test_composite_value_grad_hessian(name, f, tf, x):
    np.testing.assert_allclose(f(gg.Tensor(x)).data, tf(T(x)).numpy(), **TOL)
    g = gg.grad(lambda v: _scalar_gg(f(v)))(x)
    xt = T(x).requires_grad_()
    (tg,) = torch.autograd.grad(_scalar_torch(tf(xt)), xt)
    np.testing.assert_allclose(g.data, tg.numpy(), **TOL)
    h = gg.hessian(lambda v: _scalar_gg(f(v)))(x)
    th = torch.func.hessian(lambda v: _scalar_torch(tf(v)))(T(x))
    np.testing.assert_allclose(h.data, th.numpy(), **TOL)


# ----- decompositions: gradients on gauge-invariant losses ------------------------------------
def _sym_np(n, seed):
    a = np.random.default_rng(seed).standard_normal((n, n))
    return a + a.T


def _eigh_loss(mod, a):
    if mod is torch:
        w, v = torch.linalg.eigh((a + a.T) / 2)
    else:
        w, v = ops.eigh((a + a.T) / 2)
    return ((v * w**3) @ v.T).sum() + (w * w).sum()


def _svd_loss(mod, a):
    u, s, vh = torch.linalg.svd(a, full_matrices=False) if mod is torch else ops.svd(a)
    return ((u * s**2) @ vh).sum() + ((u * s) @ u.T)[0, 1]


def _qr_loss(mod, a):
    q, r = torch.linalg.qr(a) if mod is torch else ops.qr(a)
    return (q @ r.T).sum() + (r * r).sum()


def _chol_loss(mod, a):
    spd = a @ a.T + 3 * (torch.eye(3, dtype=F64) if mod is torch else np.eye(3))
    return (torch.linalg.cholesky(spd) if mod is torch else ops.cholesky(spd)).sum()


def _misc_loss(mod, a):
    lin = torch.linalg if mod is torch else ops
    m = a @ a.T + (torch.eye(3, dtype=F64) if mod is torch else np.eye(3))
    return (
        lin.slogdet(m)[1]
        + lin.det(a)
        + lin.inv(m).sum()
        + lin.pinv(a[:, :2]).sum()
        + lin.solve(m, a).sum()
        + lin.svdvals(a).sum()
        + lin.eigvalsh(m).sum()
    )


@pytest.mark.parametrize(
    "loss", [_eigh_loss, _svd_loss, _qr_loss, _chol_loss, _misc_loss], ids=lambda f: f.__name__
)
def test_decomposition_gradients_and_hessians_match_torch(loss):
    a = np.random.default_rng(1).standard_normal((3, 3))
    at = T(a).requires_grad_()
    (tg,) = torch.autograd.grad(loss(torch, at), at)
    np.testing.assert_allclose(gg.grad(lambda x: loss(ops, x))(a).data, tg.numpy(), **TOL)
    th = torch.func.hessian(lambda x: loss(torch, x))(T(a))
    np.testing.assert_allclose(
        gg.hessian(lambda x: loss(ops, x))(a).data, th.numpy(), rtol=1e-8, atol=1e-8
    )


# ----- random programs --------------------------------------------------------------------
UNARY = {
    "tanh": (ops.tanh, torch.tanh),
    "sin": (ops.sin, torch.sin),
    "exp_tanh": (lambda x: ops.exp(ops.tanh(x)), lambda x: torch.exp(torch.tanh(x))),
    "sigmoid": (ops.sigmoid, torch.sigmoid),
    "square": (ops.square, torch.square),
    "softplus": (lambda x: ops.logaddexp(x, 0.0), torch.nn.functional.softplus),
    "arctan": (ops.arctan, torch.atan),
    "erf": (ops.erf, torch.erf),
    "log1p_sq": (lambda x: ops.log1p(x * x), lambda x: torch.log1p(x * x)),
    "cumsum": (lambda x: ops.cumsum(x, axis=-1), lambda x: torch.cumsum(x, -1)),
    "softmax": (ops.softmax, lambda x: torch.softmax(x, -1)),
    "flip": (lambda x: ops.flip(x, 0), lambda x: torch.flip(x, (0,))),
    "sort": (lambda x: ops.sort(x, axis=-1), lambda x: torch.sort(x, dim=-1, stable=True).values),
    "matT": (lambda x: ops.matmul(x, ops.swapaxes(x, 0, 1)), lambda x: x @ x.T),
}
BINARY = {
    "add": (ops.add, torch.add),
    "mul": (ops.multiply, torch.mul),
    "sub": (ops.subtract, torch.sub),
    "max": (ops.maximum, torch.maximum),
    "atan2": (ops.arctan2, torch.atan2),
    "lae": (ops.logaddexp, torch.logaddexp),
}

step = st.one_of(
    st.tuples(st.just("u"), st.sampled_from(sorted(UNARY))),
    st.tuples(st.just("b"), st.sampled_from(sorted(BINARY)), st.integers(0, 10)),
)


def _run(program, x, y, unary, binary, shrink):
    values = [x, y]
    for stp in program:
        cur = values[-1]
        if stp[0] == "u":
            cur = unary[stp[1]](cur)
            if stp[1] == "matT":  # keep the shape (2, 3) and the values small
                cur = shrink(cur)
        else:
            cur = binary[stp[1]](cur, values[stp[2] % len(values)])
        values.append(cur)
    return values[-1]


def _programs(program):
    """The random program as a scalar function of (x, y), in glassgrad and in PyTorch."""
    gu = {k: v[0] for k, v in UNARY.items()}
    tu = {k: v[1] for k, v in UNARY.items()}
    gb = {k: v[0] for k, v in BINARY.items()}
    tb = {k: v[1] for k, v in BINARY.items()}

    def ours(a, b):
        out = _run(program, a, b, gu, gb, lambda m: ops.tanh(ops.sum(m, axis=1, keepdims=True) + a))
        return _scalar_gg(out)

    def theirs(a, b):
        out = _run(program, a, b, tu, tb, lambda m: torch.tanh(m.sum(1, keepdim=True) + a))
        return _scalar_torch(out)

    return ours, theirs


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(step, min_size=3, max_size=6))
def test_random_programs_match_torch(program):
    x, y = np.random.default_rng(5).uniform(-1, 1, (2, 2, 3))
    ours, theirs = _programs(program)

    xt, yt = T(x).requires_grad_(), T(y).requires_grad_()
    tv = theirs(xt, yt)
    tgx, tgy = (
        torch.zeros_like(v) if g is None else g
        for v, g in zip((xt, yt), torch.autograd.grad(tv, (xt, yt), allow_unused=True), strict=True)
    )
    value, (gx, gy) = gg.value_and_grad(ours, argnums=(0, 1))(x, y)
    np.testing.assert_allclose(value.data, tv.detach().numpy(), **TOL)
    np.testing.assert_allclose(gx.data, tgx.numpy(), **TOL)
    np.testing.assert_allclose(gy.data, tgy.numpy(), **TOL)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(step, min_size=2, max_size=5))
def test_random_program_hessians_match_torch(program):
    # The Hessian over both inputs at once (12 x 12), forward-over-reverse against
    # PyTorch's reverse-over-reverse, and the reverse-over-reverse one against both.
    z = np.random.default_rng(6).uniform(-1, 1, 12)
    ours, theirs = _programs(program)
    th = torch.autograd.functional.hessian(
        lambda v: theirs(v[:6].view(2, 3), v[6:].view(2, 3)), T(z)
    )
    assume(torch.isfinite(th).all())  # e.g. atan2(y - y, y - y) has no derivative
    h = gg.hessian(lambda v: ours(v[:6].reshape(2, 3), v[6:].reshape(2, 3)))(z)
    h_rev = gg.hessian_rev(lambda v: ours(v[:6].reshape(2, 3), v[6:].reshape(2, 3)))(z)
    np.testing.assert_allclose(h.data, th.numpy(), **TOL)
    np.testing.assert_allclose(h_rev.data, th.numpy(), **TOL)
