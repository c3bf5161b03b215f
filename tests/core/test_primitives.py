"""Registry-driven checks: every registered primitive has a spec row, and check_grads passes
on every row to order 2 in forward and reverse mode (central differences are the oracle)."""

import numpy as np
import pytest

import glassgrad.core.ops as ops
from glassgrad.core.autodiff import toposort
from glassgrad.core.primitive import BATCHING, REGISTRY
from glassgrad.core.tensor import Freed, Tensor
from glassgrad.core.transforms import jacfwd, jacrev
from glassgrad.prob import continuous, special  # noqa: F401 (registers prob.* primitives)
from glassgrad.scipy import special as scipy_special  # registers scipy.* primitives
from glassgrad.testing import check_grads

SHAPES = [(), (3,), (2, 3), (1, 3), (2, 1)]
PAIRS = [((2, 3), (2, 3)), ((2, 1), (1, 3)), ((), (2, 3)), ((3,), (2, 3))]


def _rng(shape, salt=0):
    return np.random.default_rng(abs(hash((shape, salt))) % 2**32)


def normal(shape, salt=0):
    return _rng(shape, salt).standard_normal(shape)


def positive(shape, salt=0):
    return _rng(shape, salt).uniform(0.5, 2.0, shape)


def away(shape, salt=0):
    """Values with |x| in [0.3, 2]: away from kinks at 0."""
    r = _rng(shape, salt)
    return r.uniform(0.3, 2.0, shape) * r.choice([-1.0, 1.0], shape)


def unit(shape, salt=0):
    return _rng(shape, salt).uniform(-0.8, 0.8, shape)


def above_one(shape, salt=0):
    return _rng(shape, salt).uniform(1.2, 3.0, shape)


def distinct(shape, salt=0):
    """Values at least 0.1 apart (no ties for max/sort)."""
    n = int(np.prod(shape))
    vals = _rng(shape, salt).permutation(n) * 0.37 - 0.5 * n * 0.37
    return vals.reshape(shape)


def _sym(x):
    return (x + ops.swapaxes(x, -1, -2)) * 0.5


def _spd(n, batch=()):
    a = normal(batch + (n, n), 7)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def unary(f, sampler=normal, shapes=SHAPES):
    return [(f, (sampler(s),)) for s in shapes]


def binary(f, sx=normal, sy=normal, pairs=PAIRS):
    return [(f, (sx(a, 1), sy(b, 2))) for a, b in pairs]


def _gauge_eigh(a):
    w, v = ops.eigh(_sym(a))
    w2 = ops.expand_dims(w * w, -2)
    return ops.matmul(v * w2, ops.swapaxes(v, -1, -2)), v * v


def _gauge_svd(a):
    u, s, vh = ops.svd(a)
    return ops.matmul(u * ops.expand_dims(s**2, -2), vh), s


M3, M43, M24 = normal((3, 3), 3), normal((4, 3), 4), normal((2, 4), 5)


def _real_spectrum(batch=()):
    """B diag(1, 2, 3) B⁻¹: a non-symmetric matrix with distinct real eigenvalues."""
    b = np.eye(3) + 0.3 * normal(batch + (3, 3), 8)
    return (b * np.arange(1.0, 4.0)) @ np.linalg.inv(b)


SPECS = {
    "negative": unary(ops.negative),
    "add": binary(ops.add),
    "subtract": binary(ops.subtract),
    "multiply": binary(ops.multiply),
    "divide": binary(ops.divide, sy=away),
    "power": binary(ops.power, sx=positive),
    "exp": unary(ops.exp),
    "log": unary(ops.log, positive),
    "sin": unary(ops.sin),
    "cos": unary(ops.cos),
    "tanh": unary(ops.tanh),
    "sqrt": unary(ops.sqrt, positive),
    "expm1": unary(ops.expm1),
    "log1p": unary(ops.log1p, unit),
    "tan": unary(ops.tan, unit),
    "arcsin": unary(ops.arcsin, unit),
    "arctan": unary(ops.arctan),
    "sinh": unary(ops.sinh),
    "cosh": unary(ops.cosh),
    "arcsinh": unary(ops.arcsinh),
    "arccosh": unary(ops.arccosh, above_one),
    "arctanh": unary(ops.arctanh, unit),
    "erf": unary(ops.erf),
    "cbrt": unary(ops.cbrt, away),
    "arctan2": binary(ops.arctan2, sy=away),
    "prob.erfc": unary(special.erfc),
    "prob.ndtri": unary(special.ndtri, lambda s, k=0: 1.0 / (1.0 + positive(s, k))),
    "prob.lgamma": unary(special.lgamma, positive),
    "prob.polygamma": unary(lambda x: special.polygamma(1, x), positive),
    "scipy.betainc": unary(
        lambda x: scipy_special.betainc(2.0, 3.0, x), lambda s, k=0: 0.5 + unit(s, k) / 2
    ),
    "scipy.stdtr": unary(lambda t: scipy_special.stdtr(3.0, t)),
    "scipy.i0": unary(scipy_special.i0),
    "scipy.i1": unary(scipy_special.i1),
    "logaddexp2": binary(ops.logaddexp2),
    "hypot": binary(ops.hypot, sx=away),
    "fmod": binary(
        ops.fmod, sx=lambda s, k: distinct(s, k) + 0.05, sy=lambda s, k: away(s, k) + 3.3
    ),
    "remainder": binary(
        ops.remainder, sx=lambda s, k: distinct(s, k) + 0.05, sy=lambda s, k: away(s, k) + 3.3
    ),
    "deg2rad": unary(ops.deg2rad),
    "rad2deg": unary(ops.rad2deg),
    "floor": unary(ops.floor, lambda s, k=0: distinct(s, k) + 0.5),
    "ceil": unary(ops.ceil, lambda s, k=0: distinct(s, k) + 0.5),
    "trunc": unary(ops.trunc, lambda s, k=0: distinct(s, k) + 0.5),
    "rint": unary(ops.rint, lambda s, k=0: distinct(s, k) + 0.25),
    "round": [(lambda x: ops.round(x, 1), (distinct((2, 3)) + 0.013,))],  # off the .x5 ties
    "sinc": unary(ops.sinc) + [(ops.sinc, (np.array([0.0, 0.5, -1.5]),))],
    "cumsum": [
        (lambda x: ops.cumsum(x, axis=1), (normal((2, 3)),)),
        (ops.cumsum, (normal((2, 3)),)),
    ],
    "absolute": unary(ops.absolute, away),
    "relu": unary(ops.relu, away),
    "sigmoid": unary(ops.sigmoid),
    "maximum": binary(ops.maximum, sx=distinct, sy=lambda s, k: distinct(s, k) + 0.1),
    "minimum": binary(ops.minimum, sx=distinct, sy=lambda s, k: distinct(s, k) + 0.1),
    "where": [
        (lambda x, y: ops.where(normal((2, 3), 9) > 0, x, y), (normal((2, 3)), normal((1, 3))))
    ],
    "reshape": [(lambda x: ops.reshape(x, (3, 2)), (normal((2, 3)),))],
    "transpose": [(lambda x: ops.transpose(x, (1, 2, 0)), (normal((2, 3, 4)),))],
    "broadcast_to": [(lambda x: ops.broadcast_to(x, (2, 3)), (normal((3,)),))],
    "sum_to": [(lambda x: ops.sum_to(x, (1, 3)), (normal((2, 3)),))],
    "getitem": [
        (lambda x: x[1:, [0, 2, 0]], (normal((3, 3)),)),
        (lambda x: x[np.array([True, False, True])], (normal((3, 2)),)),
    ],
    "index_add": [(lambda g: ops.index_add(g, np.array([0, 2, 0]), (4,)), (normal((3,)),))],
    "concatenate": [
        (lambda x, y: ops.concatenate([x, y], axis=1), (normal((2, 1)), normal((2, 3))))
    ],
    "astype": [],  # float32 rounding defeats finite differences: see test_astype_rules
    "identity": unary(ops.identity),
    "sum": [(lambda x: ops.sum(x, axis=1, keepdims=True), (normal((2, 3)),))] + unary(ops.sum),
    "max": [(lambda x: ops.max(x, axis=0), (distinct((2, 3)),))] + unary(ops.max, distinct),
    "min": [(lambda x: ops.min(x, axis=1), (distinct((2, 3)),))] + unary(ops.min, distinct),
    "matmul": [
        (ops.matmul, (normal((2, 3)), normal((3, 4)))),
        (ops.matmul, (normal((1, 2, 3)), normal((4, 3, 2)))),
        (ops.matmul, (normal((3,)), normal((3, 2)))),
    ],
    "inv": [(ops.inv, (M3,)), (ops.inv, (normal((2, 3, 3), 1),))],
    "solve": [(ops.solve, (M3, normal((3, 2)))), (ops.solve, (M3, normal((3,))))],
    "det": [(ops.det, (M3,)), (ops.det, (normal((2, 2, 2)),))],
    "logabsdet": [(lambda a: ops.slogdet(a)[1], (M3,))],
    "cholesky": [
        (lambda a: ops.cholesky(_sym(a)), (_spd(3),)),
        (lambda a: ops.cholesky(_sym(a)), (_spd(2, (2,)),)),
    ],
    "eigh": [
        (_gauge_eigh, (M3,)),
        (_gauge_eigh, (normal((2, 3, 3)),)),
        (lambda a: ops.eigh(a, UPLO="U"), (M3,)),
    ],
    "eigvalsh": [
        (lambda a: ops.eigvalsh(_sym(a)), (M3,)),
        (lambda a: ops.eigvalsh(a, UPLO="U"), (M3,)),  # reads one triangle of a raw matrix
    ],
    "eig": [(ops.eig, (_real_spectrum(),)), (ops.eig, (_real_spectrum((2,)),))],
    "svd": [(_gauge_svd, (M43,)), (_gauge_svd, (M24,)), (_gauge_svd, (normal((2, 4, 3)),))],
    "svdvals": [(ops.svdvals, (M43,)), (ops.svdvals, (M24,))],
    "qr": [(lambda a: ops.qr(a), (M43,)), (lambda a: ops.qr(a), (normal((2, 3, 3)),))],
    "pinv": [(ops.pinv, (M43,)), (ops.pinv, (M24,))],
}

ROWS = [(name, i) for name, cases in SPECS.items() for i in range(len(cases))]


@pytest.mark.parametrize(("name", "i"), ROWS, ids=[f"{n}-{i}" for n, i in ROWS])
def test_check_grads(name, i):
    f, args = SPECS[name][i]
    check_grads(f, args, order=2, modes=("fwd", "rev"))


@pytest.mark.parametrize(("name", "i"), ROWS, ids=[f"{n}-{i}" for n, i in ROWS])
def test_jacfwd_equals_jacrev(name, i):
    # jacfwd pushes the input basis through the JVP rules in one batched sweep; jacrev pulls
    # the output basis back through the VJP rules (vmapped): two routes to the same Jacobian.
    f, args = SPECS[name][i]

    def flat(*a):
        out = f(*a)
        return ops.concatenate([ops.ravel(o) for o in out]) if isinstance(out, tuple) else out

    nums = tuple(range(len(args)))
    fwd, rev = jacfwd(flat, argnums=nums)(*args), jacrev(flat, argnums=nums)(*args)
    for jf, jr in zip(fwd, rev, strict=True):
        np.testing.assert_allclose(jf.data, jr.data, rtol=1e-10, atol=1e-12)


# Implicit reparameterisation: the sample enters as an input that the forward returns, so
# central differences cannot see the rule; tests/prob checks both against SciPy and PyTorch
# (test_gamma_rsample_implicit_gradients_match_scipy_and_torch and its Beta twin).
IMPLICIT = {"prob.beta_sample", "prob.standard_gamma"}


def test_every_differentiable_primitive_has_a_spec_row():
    missing = [n for n, p in REGISTRY.items() if p.differentiable and n not in SPECS]
    assert sorted(missing) == sorted(IMPLICIT), f"primitives without a spec row: {missing}"


# ----- non-differentiable primitives: forward values against NumPy -----------------------------
NONDIFF = {
    "less": (ops.less, np.less),
    "less_equal": (ops.less_equal, np.less_equal),
    "greater": (ops.greater, np.greater),
    "greater_equal": (ops.greater_equal, np.greater_equal),
    "equal": (ops.equal, np.equal),
    "not_equal": (ops.not_equal, np.not_equal),
    "logical_and": (ops.logical_and, np.logical_and),
    "logical_or": (ops.logical_or, np.logical_or),
}
UNARY_NONDIFF = {
    "logical_not": (ops.logical_not, np.logical_not),
    "sign": (ops.sign, np.sign),
    "astype_nondiff": (lambda x: ops.astype(x, np.int64), lambda x: x.astype(np.int64)),
}


def test_every_nondifferentiable_primitive_has_a_value_test():
    missing = [
        n
        for n, p in REGISTRY.items()
        if not p.differentiable and n not in NONDIFF and n not in UNARY_NONDIFF
    ]
    assert not missing, f"non-differentiable primitives without a value test: {missing}"


@pytest.mark.parametrize("name", sorted(NONDIFF))
def test_nondifferentiable_binary_values(name):
    ours, ref = NONDIFF[name]
    x, y = np.round(normal((2, 3), 1)), np.round(normal((1, 3), 2))
    out = ours(Tensor(x, requires_grad=True), y)
    np.testing.assert_array_equal(out.data, ref(x, y))
    assert not out.requires_grad


@pytest.mark.parametrize("name", sorted(UNARY_NONDIFF))
def test_nondifferentiable_unary_values(name):
    ours, ref = UNARY_NONDIFF[name]
    x = np.round(normal((2, 3), 3) * 2)
    out = ours(Tensor(x, requires_grad=True))
    np.testing.assert_array_equal(out.data, ref(x))
    assert not out.requires_grad


# ----- linear primitives: f(a·u + b·v) = a·f(u) + b·f(v) --------------------------------------
LINEAR_ROWS = [(n, i) for n, i in ROWS if REGISTRY[n].linear]


@pytest.mark.parametrize(("name", "i"), LINEAR_ROWS, ids=[f"{n}-{i}" for n, i in LINEAR_ROWS])
def test_linearity(name, i):
    f, args = SPECS[name][i]
    us = [normal(np.shape(a), 11) for a in args]
    vs = [normal(np.shape(a), 12) for a in args]
    mixed = f(*[Tensor(2.0 * u - 3.0 * v) for u, v in zip(us, vs, strict=False)])
    combo = 2.0 * f(*map(Tensor, us)).data - 3.0 * f(*map(Tensor, vs)).data
    np.testing.assert_allclose(mixed.data, combo, rtol=1e-12, atol=1e-12)


def test_linear_registry_rows_exist():
    linear = {n for n, p in REGISTRY.items() if p.linear} - {"astype"}  # see test_astype_rules
    assert linear <= {n for n, _ in LINEAR_ROWS}


def test_astype_rules():
    # The cast is linear; its VJP casts the cotangent back and its JVP casts the tangent.
    from glassgrad.core.transforms import grad, jvp

    x = np.array([0.5, -1.25, 2.0])
    c = np.array([1.5, 2.0, -0.75], dtype=np.float32)
    g = grad(lambda x: ops.sum(ops.astype(x, np.float32) * c))(x)
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g.data, c.astype(np.float64))
    _, t = jvp(lambda x: ops.astype(x, np.float32), (Tensor(x),), (Tensor(c.astype(np.float64)),))
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, c)


# ----- plain (non-registry) functions without gradients: values against NumPy ----------------
def test_index_and_test_functions_match_numpy():
    x = np.array([[3.0, np.nan, 1.0], [np.inf, 2.0, 2.0]])
    for ours, ref in [(ops.isnan, np.isnan), (ops.isinf, np.isinf), (ops.isfinite, np.isfinite)]:
        np.testing.assert_array_equal(ours(x).data, ref(x))
    y = np.array([[3.0, 1.0, 2.0, 1.0], [0.0, 5.0, 5.0, -1.0]])
    for axis in (None, 0, 1, -1):
        np.testing.assert_array_equal(ops.argmax(y, axis=axis).data, np.argmax(y, axis=axis))
        np.testing.assert_array_equal(ops.argmin(y, axis=axis).data, np.argmin(y, axis=axis))
    np.testing.assert_array_equal(ops.argsort(y).data, np.argsort(y, kind="stable"))
    np.testing.assert_array_equal(
        ops.argsort(y, axis=None).data, np.argsort(y, axis=None, kind="stable")
    )
    np.testing.assert_array_equal(
        ops.argmax(y, axis=1, keepdims=True).data, np.argmax(y, axis=1, keepdims=True)
    )


FLOAT32_OPS = [
    ops.exp,
    ops.log1p,
    ops.expm1,
    ops.tan,
    ops.arcsin,
    ops.arctan,
    ops.sinh,
    ops.cosh,
    ops.arcsinh,
    ops.arctanh,
    ops.erf,
    ops.cbrt,
    ops.arccos,
    ops.exp2,
    ops.sort,
    ops.cumsum,
    ops.cumprod,
    ops.prod,
    ops.flip,
    lambda x: ops.clip(x, -0.1, 0.1),
    lambda x: ops.logaddexp(x, 0.5),
    lambda x: ops.arctan2(x, 2.0),
    lambda x: ops.pad(x, 1),
    lambda x: ops.tile(x, 2),
    lambda x: ops.einsum("ij,ij->i", x, x),
    ops.trace,
    lambda x: ops.inv(x + 3.0 * np.eye(2, dtype=np.float32)),
    ops.svdvals,
]


@pytest.mark.parametrize("f", FLOAT32_OPS)
def test_float32_is_preserved_in_value_and_gradient(f):
    x = Tensor(np.array([[0.1, -0.2], [0.3, 0.4]], dtype=np.float32), requires_grad=True)
    out = f(x)
    assert out.dtype == np.float32
    ops.sum(out).backward()
    assert x.grad.dtype == np.float32


# ----- batched JVP rules (jacfwd): the whole batch at once equals one JVP per slice -----------
BATCHED = sorted(n for n, p in REGISTRY.items() if p in BATCHING or p.elementwise)
A234 = normal((2, 3, 4))
BATCHED_ROWS = {  # shapes the spec rows above do not reach: batch dims, dropped axes, keys
    "matmul": [
        (ops.matmul, (normal((3, 2, 3)), normal((3, 4)))),
        (ops.matmul, (normal((2, 3)), normal((2, 3, 4)))),
    ],
    "broadcast_to": [(lambda x: ops.broadcast_to(x, (2, 2, 3)), (normal((2, 1, 3)),))],
    "sum_to": [
        (lambda x: ops.sum_to(x, (4,)), (A234,)),
        (lambda x: ops.sum_to(x, (3, 1)), (A234,)),
    ],
    "sum": [(lambda x: ops.sum(x, axis=(0, 2)), (A234,))],
    "transpose": [(lambda x: x.T, (normal((2, 3)),))],
    "concatenate": [(lambda x, y: ops.concatenate([x, y, x]), (normal((1, 3)), normal((2, 3))))],
    "getitem": [
        (lambda x: x[..., None, 1], (A234,)),
        (lambda x: x[1], (A234,)),
        (lambda x: x[:, [0, 2], 1], (A234,)),
        (lambda x: x[[0, 1], :, 0], (A234,)),  # advanced indices apart: runs per slice
    ],
    "where": [
        (lambda x: ops.where(normal((2, 3), 9) > 0, x, np.ones(3)), (normal((2, 3)),)),
        (lambda x, y: ops.where(normal((3,), 9) > 0, x, y), (normal((2, 3)), normal((2, 1)))),
    ],
    "index_add": [(lambda g: ops.index_add(g, (slice(None), 1), (2, 3)), (normal((2,)),))],
    "cumsum": [(lambda x: ops.cumsum(x, axis=0), (A234,))],
    "astype": [(lambda x: ops.astype(x, np.float32), (A234,))],
}


def _jvp(rule, node, ts, batch=()):
    """Call a JVP rule as the forward sweep does: zeros replace None unless it is sparse."""
    ps = node.parents
    if not node.op.sparse_jvp:
        ts = [
            Tensor(np.zeros(batch + p.shape)) if t is None else t
            for t, p in zip(ts, ps, strict=True)
        ]
    return rule(*ts, node, *ps, **node.params)


def _nodes_of(prim, f, args):
    out = f(*[Tensor(a, requires_grad=True) for a in args])
    return [n for n in toposort(list(out) if isinstance(out, tuple) else [out]) if n.op is prim]


@pytest.mark.parametrize("name", BATCHED)
def test_batched_rule_equals_per_slice(name):
    prim, compared = REGISTRY[name], 0
    rows = SPECS[name] + BATCHED_ROWS.get(name, [])
    for k, node in enumerate(n for f, args in rows for n in _nodes_of(prim, f, args)):
        ps = node.parents
        # every parent with a tangent, then each parent alone (the others get None)
        masks = [[p.requires_grad for p in ps]]
        masks += [[i == j for j in range(len(ps))] for i in range(len(ps)) if len(ps) > 1]
        for m, mask in enumerate(masks):
            ts = [
                Tensor(normal((3, *p.shape), 40 + k + m)) if on else None
                for p, on in zip(ps, mask, strict=True)
            ]
            batched = _jvp(BATCHING.get(prim, prim.jvp), node, ts, (3,))
            if batched is NotImplemented:  # the sweep then runs the JVP per slice
                continue
            slices = [
                _jvp(prim.jvp, node, [None if t is None else Tensor(t.data[b]) for t in ts]).data
                for b in range(3)
            ]
            np.testing.assert_allclose(batched.data, np.stack(slices), rtol=1e-13, atol=1e-14)
            compared += 1
    assert compared, f"no spec row reaches a {name} node with a batched rule"


def test_every_differentiable_primitive_takes_batched_tangents():
    # jacfwd and hessian push the whole basis through each rule at once; none runs per slice.
    missing = [
        n
        for n, p in REGISTRY.items()
        if p.differentiable and p not in BATCHING and not p.elementwise and n not in IMPLICIT
    ]
    assert not missing, f"primitives whose JVP would run once per basis vector: {missing}"


# ----- saved values: a reverse rule reads only the values its primitive declares -------------
SAVING = sorted(n for n, p in REGISTRY.items() if p.differentiable and p.saves is not None)


def _unkept(t):
    """``t``'s graph position without its value, as a lean node holds an unsaved result."""
    u = Tensor._make(t.data)
    u._become(t)
    u.data = Freed(t.shape, t.dtype)
    return u


@pytest.mark.parametrize("name", SAVING)
def test_rules_read_only_the_values_their_primitive_saves(name):
    prim, checked = REGISTRY[name], 0
    saves = set(prim.saves)
    rows = SPECS[name] + BATCHED_ROWS.get(name, [])
    for k, node in enumerate(n for f, args in rows for n in _nodes_of(prim, f, args)):
        g = Tensor(normal(node.shape, 60 + k))
        full = prim.cotangents(g, node, node.parents, node.params)
        out = node if "out" in saves else _unkept(node)
        ps = tuple(p if i in saves else _unkept(p) for i, p in enumerate(node.parents))
        lean = prim.cotangents(g, out, ps, node.params)
        pairs = [(full(i), lean(i)) for i in range(len(ps))]
        # forward sweeps read the same values: the JVP and the batched JVP
        for batch, rule in [((), prim.jvp), ((3,), BATCHING.get(prim))]:
            if rule is not None:
                ts = [Tensor(normal(batch + p.shape, 70 + k)) for p in ps]
                a = rule(*ts, node, *node.parents, **node.params)
                if a is not NotImplemented:
                    pairs.append((a, rule(*ts, out, *ps, **node.params)))
        for a, b in pairs:
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_array_equal(a.data, b.data)
                checked += 1
    assert checked, f"no spec row reaches a {name} node"


def test_the_hot_primitives_declare_what_they_save():
    # the ops of an MLP and of elementwise chains let large intermediates go
    hot = ["add", "subtract", "multiply", "divide", "negative", "exp", "log", "tanh", "sqrt",
           "sigmoid", "relu", "matmul", "sum", "broadcast_to", "sum_to", "reshape", "transpose",
           "getitem"]  # fmt: skip
    assert [n for n in hot if REGISTRY[n].saves is None] == []
