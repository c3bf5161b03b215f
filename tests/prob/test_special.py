"""Special functions vs scipy.special; derivatives to order 2 by finite differences."""

import numpy as np
import pytest
import scipy.special as sp

from glassgrad.core.tensor import Tensor
from glassgrad.prob import special
from glassgrad.testing import check_grads

X = np.array([1e-3, 0.3, 1.4616, 2.5, 7.0, 19.5, 20.0, 33.0, 150.0])
P = np.array([1e-300, 1e-20, 1e-5, 0.02, 0.3, 0.5, 0.7, 0.98, 1 - 1e-12])
Z = np.array([-6.0, -2.0, -0.3, 0.0, 0.7, 3.0, 8.0])

VALUE_CASES = [
    (special.erf, sp.erf, Z),
    (special.erfc, sp.erfc, Z),
    (special.ndtri, sp.ndtri, P),
    (special.lgamma, sp.gammaln, np.concatenate([X, [-2.5, -0.5]])),
    (special.digamma, sp.digamma, X),
    (lambda x: special.polygamma(1, x), lambda x: sp.polygamma(1, x), X),
    (lambda x: special.polygamma(3, x), lambda x: sp.polygamma(3, x), X),
    (special.softplus, lambda x: np.logaddexp(0.0, x), np.array([-800.0, -3.0, 0.0, 2.0, 800.0])),
]


@pytest.mark.parametrize("ours, ref, x", VALUE_CASES)
def test_values_match_scipy(ours, ref, x):
    np.testing.assert_allclose(ours(Tensor(x)).data, ref(x), rtol=1e-13, atol=1e-13)


def test_erf_is_the_core_primitive_with_scipy_values_and_torch_gradients():
    from glassgrad.core import ops
    from glassgrad.core.transforms import grad

    torch = pytest.importorskip("torch")
    assert special.erf is ops.erf
    np.testing.assert_allclose(special.erf([1, -2]).data, sp.erf([1.0, -2.0]), rtol=1e-15)
    t = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    torch.special.erf(t).sum().backward()
    np.testing.assert_allclose(grad(lambda x: special.erf(x).sum())(Z).data, t.grad.numpy(),
                               rtol=1e-15, atol=1e-300)  # fmt: skip


def test_edges():
    assert special.ndtri(Tensor([0.0, 1.0])).tolist() == [-np.inf, np.inf]
    assert np.isnan(special.ndtri(Tensor([1.5])).data).all()
    assert special.lgamma(Tensor([0.0, -3.0])).tolist() == [np.inf, np.inf]
    assert np.isnan(special.digamma(Tensor([0.0, -2.0])).data).all()  # the poles
    x = np.array([-1.5, -0.3, -6.7])  # between the poles: the recurrence, as SciPy's
    for n in range(3):
        np.testing.assert_allclose(special.polygamma(n, Tensor(x)).data, sp.polygamma(n, x),
                                   rtol=1e-12)  # fmt: skip


def test_xlogy_and_lbeta():
    x, y = np.array([0.0, 0.0, 2.0, 0.5]), np.array([0.0, 3.0, 1.5, 0.25])
    np.testing.assert_allclose(special.xlogy(Tensor(x), Tensor(y)).data, sp.xlogy(x, y), atol=0)
    a, b = np.array([0.5, 2.0, 30.0]), np.array([1.5, 0.1, 7.0])
    np.testing.assert_allclose(special.lbeta(a, b).data, sp.betaln(a, b), rtol=1e-13)


GRAD_CASES = [
    (special.erf, [0.3, -1.2]),
    (special.erfc, [0.3, 1.7]),
    (special.ndtri, [0.2, 0.9]),
    (special.lgamma, [0.7, 4.5]),
    (special.digamma, [0.7, 4.5]),
    (lambda x: special.polygamma(2, x), [0.9, 3.0]),
    (special.softplus, [-1.3, 0.4]),
    (lambda x: special.xlogy(x, x + 1.0), [0.5, 2.0]),
]


@pytest.mark.parametrize("f, x", GRAD_CASES)
def test_grads_order_2(f, x):
    check_grads(f, (np.array(x),), order=2)


def test_derivative_chain():
    # lgamma' = digamma, digamma' = trigamma: compare with scipy
    from glassgrad.core.transforms import grad

    x = 2.3
    assert abs(float(grad(special.lgamma)(x)) - sp.digamma(x)) < 1e-13
    assert abs(float(grad(grad(special.lgamma))(x)) - sp.polygamma(1, x)) < 1e-13
    assert (
        abs(
            float(grad(special.ndtri)(0.3))
            - 1 / np.exp(-(sp.ndtri(0.3) ** 2) / 2) * np.sqrt(2 * np.pi)
        )
        < 1e-12
    )


def test_softplus_gradient_at_zero_is_half():
    from glassgrad.core.transforms import grad

    assert float(grad(special.softplus)(0.0)) == 0.5


@pytest.mark.parametrize("n", [-1, 1.5, True])
def test_polygamma_bad_order(n):
    with pytest.raises(ValueError, match="polygamma: n must be a non-negative int"):
        special.polygamma(n, 1.0)
