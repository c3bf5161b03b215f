import numpy as np

import glassgrad as gg


def test_notes_examples():
    assert float(gg.grad(lambda x: x**2)(3.0)) == 6.0
    np.testing.assert_array_equal(
        gg.Tensor([[1, 2], [3, 4]]) @ gg.Tensor([[5, 6], [7, 8]]), [[19, 22], [43, 50]]
    )
    h = gg.hessian(lambda v: v[0] ** 2 + v[0] * v[1] + v[1] ** 2)(gg.Tensor([0.3, -1.2]))
    np.testing.assert_allclose(h, [[2, 1], [1, 2]], rtol=0, atol=1e-14)
