"""``import glassgrad.numpy as np``: NumPy-style code, differentiable with ``glassgrad.grad``.

Every function takes Tensors, ndarrays, Python scalars and lists and returns Tensors, so a
function written against NumPy runs unchanged on glassgrad and can be differentiated:

    >>> import glassgrad as gg
    >>> import glassgrad.numpy as np
    >>> def f(x):
    ...     return np.sum(np.tanh(x) ** 2) + np.linalg.norm(x)
    >>> gg.grad(f)(np.array([0.0, 3.0, 4.0])).shape
    (3,)

Names and signatures are NumPy's; the functions are glassgrad's (``glassgrad.core.ops``).
"""

# fmt: off
# ruff: noqa: I001
import sys as _sys

import numpy as _np

from glassgrad.core import ops as _ops
from glassgrad.core.tensor import Tensor
from glassgrad.core.tensor import register_numpy_namespace as _register
from glassgrad.core.tensor import tensor as _tensor
from glassgrad.numpy import linalg, random  # noqa: F401 (submodules)

# fmt: on

pi, e, inf, nan, newaxis = _np.pi, _np.e, _np.inf, _np.nan, None
float32, float64, int32, int64, bool_ = _np.float32, _np.float64, _np.int32, _np.int64, _np.bool_
ndarray = Tensor


def array(data, dtype=None):
    """A new Tensor holding a copy of ``data`` (``numpy.array``); traced entries stay traced.

    Example:
        >>> array([1.0, 2.0])
        Tensor([1., 2.])
    """
    return _tensor(data, dtype=dtype)


def asarray(data, dtype=None):
    """``data`` as a Tensor, without a copy when it already is one of that dtype.

    Example:
        >>> x = array([1.0]); asarray(x) is x
        True
    """
    if isinstance(data, Tensor) and (dtype is None or _np.dtype(dtype) == data.dtype):
        return data
    return Tensor(data, dtype=dtype)


globals().update({name: getattr(_ops, name) for name in _ops.NUMPY})  # the ops' one list


def _made(arr):
    return Tensor._make(arr)


def zeros(shape, dtype=float):
    """Tensor of zeros.

    Example:
        >>> zeros(2)
        Tensor([0., 0.])
    """
    return _made(_np.zeros(shape, dtype))


def ones(shape, dtype=float):
    """Tensor of ones.

    Example:
        >>> ones((1, 2))
        Tensor([[1., 1.]])
    """
    return _made(_np.ones(shape, dtype))


def full(shape, fill_value, dtype=None):
    """Tensor filled with ``fill_value``; a traced fill value gets the gradient (sum of g).

    Example:
        >>> full(2, 7.0)
        Tensor([7., 7.])
    """
    if isinstance(fill_value, Tensor):
        fill_value = asarray(fill_value, dtype)
        return ones(shape, fill_value.dtype) * fill_value
    return _made(_np.full(shape, fill_value, dtype))


def empty(shape, dtype=float):
    """Tensor of the given shape; glassgrad fills it with zeros (never uninitialised memory).

    Example:
        >>> empty(2).shape
        (2,)
    """
    return zeros(shape, dtype)


def eye(N, M=None, k=0, dtype=float):
    """Matrix with ones on the k-th diagonal.

    Example:
        >>> eye(2)
        Tensor([[1., 0.],
                [0., 1.]])
    """
    return _made(_np.eye(N, M, k, dtype))


def identity(n, dtype=float):
    """The n × n identity matrix.

    Example:
        >>> identity(1)
        Tensor([[1.]])
    """
    return eye(n, dtype=dtype)


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in [start, stop), as ``numpy.arange``.

    Example:
        >>> arange(3)
        Tensor([0, 1, 2])
    """
    return _made(
        _np.arange(start, stop, step, dtype) if stop is not None else _np.arange(start, dtype=dtype)
    )


def linspace(start, stop, num=50, endpoint=True, dtype=None):
    """``num`` evenly spaced values from start to stop.

    Example:
        >>> linspace(0.0, 1.0, 3)
        Tensor([0. , 0.5, 1. ])
    """
    return _made(_np.linspace(start, stop, num, endpoint, dtype=dtype))


def _like(fn, x, dtype, *args):
    return _made(fn(asarray(x).data, *args, dtype=dtype))


def zeros_like(x, dtype=None):
    """Zeros with ``x``'s shape and dtype.

    Example:
        >>> zeros_like(array([1.0, 2.0]))
        Tensor([0., 0.])
    """
    return _like(_np.zeros_like, x, dtype)


def ones_like(x, dtype=None):
    """Ones with ``x``'s shape and dtype.

    Example:
        >>> ones_like([[1.0, 2.0]])
        Tensor([[1., 1.]])
    """
    return _like(_np.ones_like, x, dtype)


def full_like(x, fill_value, dtype=None):
    """``fill_value`` everywhere, with ``x``'s shape and dtype.

    Example:
        >>> full_like([1.0, 2.0], 3.0)
        Tensor([3., 3.])
    """
    if isinstance(fill_value, Tensor):
        return full(shape(x), fill_value, dtype or asarray(x).dtype)
    return _like(_np.full_like, x, dtype, fill_value)


def empty_like(x, dtype=None):
    """Zeros with ``x``'s shape and dtype (glassgrad never hands out uninitialised memory).

    Example:
        >>> empty_like([1.0]).shape
        (1,)
    """
    return zeros_like(x, dtype)


def shape(x):
    """Shape of ``x`` as a tuple.

    Example:
        >>> shape([[1, 2, 3]])
        (1, 3)
    """
    return asarray(x).shape


def ndim(x):
    """Number of dimensions of ``x``.

    Example:
        >>> ndim(3.0)
        0
    """
    return len(shape(x))


def size(x):
    """Number of elements of ``x``.

    Example:
        >>> size([[1, 2], [3, 4]])
        4
    """
    return int(_np.prod(shape(x)))


# Every NumPy name defined or re-exported above (Tensor itself is exported as ``ndarray``).
__all__ = sorted(n for n in list(globals()) if n[0] != "_" and n != "Tensor")


_register("numpy", _sys.modules[__name__])
_register("numpy.linalg", linalg)
