"""The course notes' worked examples, checked exactly against the notes' closed forms."""

import numpy as np

import glassgrad as gg


def test_square_derivative_at_three():
    assert float(gg.grad(lambda x: x**2)(3.0)) == 6.0


def test_partials_of_3x2_plus_2xy():
    x, y = 1.5, -0.5
    dx, dy = gg.grad(lambda x, y: 3 * x**2 + 2 * x * y, argnums=(0, 1))(x, y)
    assert float(dx) == 6 * x + 2 * y and float(dy) == 2 * x


def test_chain_rule_sin_of_square():
    for x in (0.3, 1.1, -2.0):
        np.testing.assert_allclose(
            float(gg.grad(lambda t: gg.sin(t**2))(x)), np.cos(x**2) * 2 * x, rtol=1e-14
        )


def test_jacobian_of_two_functions():
    def f(v):
        x, y = v[0], v[1]
        return gg.stack([x**2 + y, gg.sin(x * y)])

    x, y = 0.7, -1.3
    expected = [[2 * x, 1], [y * np.cos(x * y), x * np.cos(x * y)]]
    for jac in (gg.jacrev, gg.jacfwd):
        np.testing.assert_allclose(jac(f)(gg.Tensor([x, y])), expected, rtol=1e-14)


def test_hessian_of_quadratic():
    h = gg.hessian(lambda v: v[0] ** 2 + v[0] * v[1] + v[1] ** 2)(gg.Tensor([0.3, -1.2]))
    np.testing.assert_allclose(h, [[2, 1], [1, 2]], rtol=0, atol=1e-14)


def test_chain_of_four_links():
    links = (0.8, 0.5, 0.9, 1.0)

    def f(x):
        for a in links:
            x = a * x
        return x

    np.testing.assert_allclose(float(gg.grad(f)(2.0)), 0.36, rtol=1e-15)


def test_matmul_example():
    np.testing.assert_array_equal(
        gg.Tensor([[1, 2], [3, 4]]) @ gg.Tensor([[5, 6], [7, 8]]), [[19, 22], [43, 50]]
    )
