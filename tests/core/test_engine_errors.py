"""Bad input to the engine and transforms: a clear glassgrad error naming what was wrong."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import autograd


def test_backward_non_scalar_needs_gradient():
    x = gg.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(gg.GradError, match=r"`gradient` is required .* shape \(2,\)"):
        (x * 2).backward()


def test_backward_gradient_shape_mismatch():
    x = gg.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(gg.ShapeError, match=r"shape \(3,\) but output 0 has shape \(2,\)"):
        (x * 2).backward(gg.Tensor([1.0, 1.0, 1.0]))


def test_backward_without_graph():
    with pytest.raises(gg.GradError, match="does not require grad"):
        gg.Tensor(1.0).backward()


@pytest.mark.parametrize("data", [[1, 2], [True, False]])
def test_integer_and_bool_tensors_cannot_require_grad(data):
    with pytest.raises(gg.DTypeError, match="requires_grad=True needs a floating dtype"):
        gg.Tensor(data, requires_grad=True)
    with pytest.raises(gg.DTypeError, match="floating dtype"):
        gg.Tensor(data).requires_grad_()


def test_complex_rejected():
    with pytest.raises(gg.DTypeError, match="complex values are not supported; got dtype complex"):
        gg.Tensor([1 + 2j])


def test_integer_input_to_transform():
    with pytest.raises(gg.DTypeError, match="floating point to differentiate; got .*int64"):
        gg.grad(lambda x: x.sum())(np.array([1, 2]))
    with pytest.raises(gg.DTypeError, match="int64"):
        gg.jacfwd(lambda x: x)(gg.Tensor([1, 2]))


def test_grad_of_non_scalar_names_shape():
    with pytest.raises(gg.ShapeError, match=r"must return a scalar .* got shape \(2,\)"):
        gg.grad(lambda x: x * 2)(np.ones(2))


@pytest.mark.parametrize("argnums", [2, -3, (0, 5)])
def test_bad_argnums(argnums):
    with pytest.raises(ValueError, match=r"argnums -?\d+ is out of range for 2 positional"):
        gg.grad(lambda x, y: x * y, argnums=argnums)(1.0, 2.0)


def test_jvp_tangent_shape_mismatch():
    with pytest.raises(
        gg.ShapeError, match=r"tangent has shape \(3,\) but its primal has shape \(2,\)"
    ):
        gg.jvp(lambda x: x, (np.ones(2),), (np.ones(3),))
    with pytest.raises(ValueError, match="1 primals but 2 tangents"):
        gg.jvp(lambda x: x, (np.ones(2),), (np.ones(2), np.ones(2)))
    with pytest.raises(TypeError, match="must be tuples"):
        gg.jvp(lambda x: x, np.ones(2), np.ones(2))


def test_vjp_cotangent_shape_mismatch():
    _, f_vjp = gg.vjp(lambda x: x * 2, np.ones(2))
    with pytest.raises(
        gg.ShapeError, match=r"cotangent has shape \(3,\) but its output has shape \(2,\)"
    ):
        f_vjp(np.ones(3))


def test_has_aux_needs_pair():
    with pytest.raises(TypeError, match=r"has_aux=True.*pair"):
        gg.grad(lambda x: x * 2, has_aux=True)(1.0)


def test_autograd_grad_bad_arguments():
    x = gg.Tensor(1.0, requires_grad=True)
    with pytest.raises(gg.GradError, match=r"inputs\[0\] of shape \(\) does not require grad"):
        autograd.grad(x * 2, gg.Tensor(1.0))
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a Tensor; got float"):
        autograd.grad(x * 2, [1.0])
    with pytest.raises(ValueError, match="got 2 gradients for 1 outputs"):
        autograd.grad(x * 2, x, grad_outputs=[None, None])


def test_hook_and_retain_grad_need_grad():
    with pytest.raises(gg.GradError, match="register_hook"):
        gg.Tensor(1.0).register_hook(lambda g: g)
    with pytest.raises(gg.GradError, match="retain_grad"):
        gg.Tensor(1.0).retain_grad()


def test_setitem_into_grad_tensor_refused():
    x = gg.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(gg.GradError, match="in-place assignment"):
        x[0] = 3.0
