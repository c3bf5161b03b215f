"""glassgrad.testing: its checks pass on correct rules and catch wrong ones."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.core.primitive import Primitive
from glassgrad.core.transforms import custom_vjp
from glassgrad.testing import (
    GradcheckError,
    check_grads,
    gradcheck,
    numerical_jacobian,
    numerical_jvp,
)


def test_numerical_jacobian_matches_closed_form(rng):
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    jx, jy = numerical_jacobian(lambda a, b: gg.sin(a) * b, (x, y))
    np.testing.assert_allclose(jx, np.diag(np.cos(x) * y), atol=1e-9)
    np.testing.assert_allclose(jy, np.diag(np.sin(x)), atol=1e-9)


def test_numerical_jvp_of_square(rng):
    x, t = rng.standard_normal(4), rng.standard_normal(4)
    np.testing.assert_allclose(numerical_jvp(lambda a: a * a, (x,), (t,)), 2 * x * t, atol=1e-9)


def _wrong_sin():
    @custom_vjp
    def f(x):
        return gg.sin(x)

    return f.defvjp(lambda g, out, x: (g * gg.sin(x),))  # wrong: should be cos(x)


def test_gradcheck_passes_on_correct_function(rng):
    report = gradcheck(
        lambda x, y: gg.tanh(x @ y), (rng.standard_normal((2, 3)), rng.standard_normal(3))
    )
    assert report.passed and bool(report)
    assert len(report.rows) == 2 * 6 + 2 * 3
    text = str(report)
    assert "analytic" in text and "numeric" in text and "PASSED" in text


def test_gradcheck_catches_wrong_custom_rule():
    x = np.array([0.4, 1.1])
    with pytest.raises(GradcheckError, match="FAILED") as info:
        gradcheck(_wrong_sin(), (x,))
    report = info.value.report
    assert not report.passed
    k, i, j, analytic, numeric = report.worst[:5]
    assert (
        i == j
        and analytic == pytest.approx(np.sin(x[i]))
        and numeric == pytest.approx(np.cos(x[i]), abs=1e-8)
    )
    assert "NO" in str(info.value)
    assert not gradcheck(_wrong_sin(), (x,), raise_exception=False).passed


def test_gradcheck_table_is_truncated_for_large_jacobians(rng):
    text = str(gradcheck(lambda a: a * 2.0, (rng.standard_normal(6),)))
    assert "20 worst of 36 elements shown" in text


def test_check_grads_catches_wrong_jvp_and_vjp():
    bad_jvp = Primitive(
        "t_bad_jvp",
        np.sin,
        vjp=lambda g, out, x: (g * gg.cos(x),),
        jvp=lambda t, out, x: t * 2.0,
        register=False,
    )
    with pytest.raises(AssertionError, match="forward mode"):
        check_grads(bad_jvp, (0.3,), order=1, modes=("fwd",))
    check_grads(bad_jvp, (0.3,), order=1, modes=("rev",))
    with pytest.raises(AssertionError, match="reverse mode"):
        check_grads(_wrong_sin(), (0.3,), order=1, modes=("rev",))


def test_check_grads_second_order_catches_non_differentiable_rule():
    # The first derivative is right but computed on raw data, so its own derivative is lost.
    flat = Primitive(
        "t_flat_rule",
        np.sin,
        vjp=lambda g, out, x: (g * gg.Tensor(np.cos(x.data)),),
        jvp=lambda t, out, x: t * gg.Tensor(np.cos(x.data)),
        register=False,
    )
    check_grads(flat, (0.3,), order=1)
    with pytest.raises(AssertionError, match="order 1"):
        check_grads(flat, (0.3,), order=2)
