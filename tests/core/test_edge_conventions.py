"""Edge conventions: derivatives at kinks, ties and degenerate points, checked against PyTorch
where PyTorch defines one (float64 on both sides)."""

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.core.ops as ops

torch = pytest.importorskip("torch")


def _torch_grad(f, *arrays):
    ts = [torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = torch.autograd.grad(f(*ts), ts, allow_unused=True)
    return [
        np.zeros(np.shape(a)) if g is None else g.numpy() for a, g in zip(arrays, out, strict=True)
    ]


def _ours(f, *arrays):
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    with np.errstate(divide="ignore", invalid="ignore"):  # sqrt'(0) = inf is the convention
        g = gg.grad(f, argnums=tuple(range(len(arrays))))(*arrays)
    return [t.data for t in g]


CASES = {
    "relu at 0": (
        lambda x: ops.sum(ops.relu(x)),
        lambda x: torch.relu(x).sum(),
        ([0.0, -1.0, 2.0],),
    ),
    "abs at 0": (lambda x: ops.sum(ops.abs(x)), lambda x: x.abs().sum(), ([0.0, -1.0, 2.0],)),
    "max ties share": (lambda x: ops.max(x), lambda x: torch.amax(x), ([1.0, 3.0, 3.0, 3.0],)),
    "min ties per axis": (
        lambda x: ops.sum(ops.min(x, axis=1) * np.array([1.0, 2.0])),
        lambda x: (torch.amin(x, 1) * torch.tensor([1.0, 2.0], dtype=torch.float64)).sum(),
        ([[0.0, 0.0, 1.0], [2.0, 2.0, 2.0]],),
    ),
    "maximum ties 1/2": (
        lambda x, y: ops.sum(ops.maximum(x, y)),
        lambda x, y: torch.maximum(x, y).sum(),
        ([1.0, 2.0], [1.0, 0.0]),
    ),
    "minimum ties 1/2": (
        lambda x, y: ops.sum(ops.minimum(x, y)),
        lambda x, y: torch.minimum(x, y).sum(),
        ([1.0, 2.0], [1.0, 0.0]),
    ),
    "sqrt at 0 is inf": (lambda x: ops.sum(ops.sqrt(x)), lambda x: x.sqrt().sum(), ([0.0, 4.0],)),
    "x**2 at 0": (lambda x: ops.sum(x**2), lambda x: (x**2).sum(), ([0.0, 1.0],)),
    "x**0 at 0": (lambda x: ops.sum(ops.power(x, 0.0)), lambda x: (x**0.0).sum(), ([0.0, 2.0],)),
    "0**y wrt y": (
        lambda x, y: ops.sum(ops.power(x, y)),
        lambda x, y: (x**y).sum(),
        ([0.0, 0.0, 0.0], [2.0, 0.0, 0.5]),
    ),
    "clip at the bounds": (
        lambda x: ops.sum(ops.clip(x, 0.0, 1.0)),
        lambda x: torch.clamp(x, 0.0, 1.0).sum(),
        ([0.0, 1.0, 0.5, -1.0, 2.0],),
    ),
    "clip with tensor bounds": (
        lambda x, lo: ops.sum(ops.clip(x, lo, 1.0)),
        lambda x, lo: torch.clamp(x, lo, torch.tensor(1.0, dtype=torch.float64)).sum(),
        ([0.0, -2.0, 0.5], [0.0, 0.0, 0.0]),
    ),
    "sort ties (stable)": (
        lambda x: ops.sum(ops.sort(x) * np.arange(1.0, 5.0)),
        lambda x: (
            torch.sort(x, stable=True).values * torch.arange(1.0, 5.0, dtype=torch.float64)
        ).sum(),
        ([2.0, 1.0, 2.0, 1.0],),
    ),
    "logaddexp tie": (
        lambda x, y: ops.logaddexp(x, y),
        lambda x, y: torch.logaddexp(x, y),
        (1.0, 1.0),
    ),
    "prod with a zero": (lambda x: ops.prod(x), lambda x: x.prod(), ([2.0, 0.0, 3.0, 4.0],)),
    "prod with two zeros": (lambda x: ops.prod(x), lambda x: x.prod(), ([0.0, 5.0, 0.0],)),
    "std of a constant": (lambda x: ops.std(x), lambda x: x.std(correction=0), ([2.0, 2.0, 2.0],)),
    "std with a constant row": (
        lambda x: ops.sum(ops.std(x, axis=1, ddof=1) * np.array([1.0, 2.0])),
        lambda x: (x.std(1) * torch.tensor([1.0, 2.0], dtype=torch.float64)).sum(),
        ([[5.0, 5.0, 5.0], [1.0, 2.0, 4.0]],),
    ),
    "var of a constant": (lambda x: ops.var(x), lambda x: x.var(correction=0), ([3.0, 3.0],)),
    "norm of zero": (
        lambda x: gg.linalg.norm(x),
        lambda x: torch.linalg.vector_norm(x),
        ([0.0, 0.0],),
    ),
    "cumprod with a zero": (
        lambda x: ops.sum(ops.cumprod(x)),
        lambda x: x.cumprod(0).sum(),
        ([2.0, 0.0, 3.0],),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    ours, theirs, args = CASES[name]
    for g, tg in zip(_ours(ours, *args), _torch_grad(theirs, *args), strict=True):
        np.testing.assert_allclose(g, tg, rtol=1e-12, atol=0)


def test_documented_values_at_kinks():
    assert gg.grad(lambda x: ops.relu(x))(0.0).item() == 0.0
    assert gg.grad(lambda x: ops.abs(x))(0.0).item() == 0.0
    with np.errstate(divide="ignore"):
        assert gg.grad(lambda x: ops.sqrt(x))(0.0).item() == np.inf
        assert gg.grad(lambda x: ops.cbrt(x))(0.0).item() == np.inf
    np.testing.assert_allclose(gg.grad(lambda x: ops.max(x))(np.array([3.0, 3.0])).data, [0.5, 0.5])
    np.testing.assert_allclose(gg.grad(lambda x: ops.maximum(x, 2.0))(2.0).data, 0.5)
    assert gg.grad(lambda x: x**2)(0.0).item() == 0.0


def test_std_of_a_constant_second_derivative_is_zero_as_torch():
    x = np.full(3, 2.0)
    t = torch.tensor(x, requires_grad=True)
    (g,) = torch.autograd.grad(t.std(correction=0), t, create_graph=True)
    theirs = torch.autograd.functional.hessian(lambda a: a.std(correction=0), t)
    ours = gg.hessian(lambda a: ops.std(a))(x)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert not np.any(g.detach().numpy())


def test_argmax_ties_pick_the_first():
    assert ops.argmax(np.array([1.0, 3.0, 3.0])).item() == 1
    assert ops.argmin(np.array([0.0, -1.0, -1.0])).item() == 1


# ----- repeated eigenvalues and singular values -----------------------------------------------
A_REPEATED = np.diag([1.0, 2.0, 2.0])


def test_eigvalsh_gradient_is_finite_for_repeated_eigenvalues():
    w = np.array([1.0, 2.0, 3.0])
    g = gg.grad(lambda a: ops.sum(ops.eigvalsh(a) * w))(A_REPEATED)
    assert np.all(np.isfinite(g.data))
    [tg] = _torch_grad(lambda a: (torch.linalg.eigvalsh(a) * torch.tensor(w)).sum(), A_REPEATED)
    np.testing.assert_allclose(g.data, tg, atol=1e-12)


def test_eigh_eigenvalue_only_loss_is_finite_for_repeated_eigenvalues():
    g = gg.grad(lambda a: ops.sum(ops.eigh(a)[0] ** 2))(A_REPEATED)
    np.testing.assert_allclose(g.data, 2 * A_REPEATED, atol=1e-12)


def test_eigh_eigenvector_gradient_warns_and_is_not_finite_for_repeated_eigenvalues():
    with pytest.warns(RuntimeWarning, match="eigh: repeated eigen"), np.errstate(invalid="ignore"):
        g = gg.grad(lambda a: ops.sum(ops.eigh(a)[1][:, 1] * np.array([1.0, 2.0, 3.0])))(A_REPEATED)
    assert not np.all(np.isfinite(g.data))


def test_svd_vector_gradient_warns_for_repeated_singular_values():
    a = np.diag([3.0, 1.0, 1.0])
    with pytest.warns(RuntimeWarning, match="svd: repeated"), np.errstate(invalid="ignore"):
        g = gg.grad(lambda m: ops.sum(ops.svd(m)[0][:, 1] * np.array([1.0, 2.0, 3.0])))(a)
    assert not np.all(np.isfinite(g.data))
    gs = gg.grad(lambda m: ops.sum(ops.svdvals(m)))(a)
    np.testing.assert_allclose(gs.data, np.eye(3), atol=1e-12)


def test_singular_matrix_inverse_raises_with_the_op_name():
    with pytest.raises(np.linalg.LinAlgError, match=r"inv: Singular matrix .*\(3, 3\)"):
        ops.inv(np.zeros((3, 3)))
