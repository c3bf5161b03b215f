"""Elementwise primitives: each states its NumPy forward and its derivative once.

Binary ops broadcast explicitly: an operand that needs a gradient is first expanded with
``broadcast_to`` (whose adjoint ``sum_to`` does the one summation), so the rules below never
think about shapes. Constants are left to NumPy's own broadcasting; they get no cotangent.
"""

import math

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.ops.shape import _lift, broadcast_to
from glassgrad.core.primitive import Primitive, binary, linear, nondifferentiable, unary
from glassgrad.core.tensor import STATE, Tensor, to_tensor

__all__ = [
    "add",
    "subtract",
    "multiply",
    "divide",
    "negative",
    "power",
    "exp",
    "log",
    "sin",
    "cos",
    "tanh",
    "sqrt",
    "absolute",
    "abs",
    "relu",
    "sigmoid",
    "maximum",
    "minimum",
    "where",
    "expm1",
    "log1p",
    "tan",
    "arcsin",
    "arctan",
    "sinh",
    "cosh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "erf",
    "cbrt",
    "arctan2",
    "less",
    "less_equal",
    "greater",
    "greater_equal",
    "equal",
    "not_equal",
    "logical_not",
    "logical_and",
    "logical_or",
    "sign",
    "broadcast_pair",
    "to_tensor",
    "const_like",
]


def const_like(arr, ref):
    """Wrap a NumPy array (a mask, a sign) as a constant Tensor in ``ref``'s dtype."""
    return Tensor._make(np.asarray(arr, dtype=ref.data.dtype))


def broadcast_pair(x, y, name):
    """Convert both operands to Tensors and expand those that need gradients to a common shape."""
    if not isinstance(x, Tensor):
        x = to_tensor(x, y)
    if not isinstance(y, Tensor):
        y = to_tensor(y, x)
    xs, ys = x.data.shape, y.data.shape
    if xs != ys:
        try:  # a 0-d operand (a Python number) broadcasts to anything
            shape = ys if not xs else xs if not ys else np.broadcast_shapes(xs, ys)
        except ValueError:
            raise ShapeError(
                f"{name}: operands could not be broadcast together: "
                f"x has shape {xs}, y has shape {ys}"
            ) from None
        if STATE.enabled:
            if x.requires_grad and xs != shape:
                x = broadcast_to(x, shape)
            if y.requires_grad and ys != shape:
                y = broadcast_to(y, shape)
    return x, y


# ----- linear: add, subtract, negative ---------------------------------------------------------
_negative = linear("negative", np.negative, vjp=lambda g, out, x: (negative(g),), elementwise=True)


def _add_jvp(tx, ty, out, x, y):
    if tx is None:
        return ty
    return tx if ty is None else add(tx, ty)


def _sub_jvp(tx, ty, out, x, y):
    if tx is None:
        return negative(ty)
    return tx if ty is None else subtract(tx, ty)


_add = Primitive(
    "add",
    np.add,
    vjps=(lambda g, out, x, y: g, lambda g, out, x, y: g),
    jvp=_add_jvp,
    sparse_jvp=True,
    linear=True,
    elementwise=True,
)
_subtract = Primitive(
    "subtract",
    np.subtract,
    vjps=(lambda g, out, x, y: g, lambda g, out, x, y: negative(g)),
    jvp=_sub_jvp,
    sparse_jvp=True,
    linear=True,
    elementwise=True,
)


def add(x, y):
    """Elementwise sum ``x + y`` with broadcasting.

    Derivative: d/dx = 1, d/dy = 1.

    Example:
        >>> add(Tensor([1.0, 2.0]), 3.0)
        Tensor([4., 5.])
    """
    return _add(*broadcast_pair(x, y, "add"))


def subtract(x, y):
    """Elementwise difference ``x - y``. Derivative: d/dx = 1, d/dy = -1.

    Example:
        >>> subtract(5.0, Tensor([1.0, 2.0]))
        Tensor([4., 3.])
    """
    return _subtract(*broadcast_pair(x, y, "subtract"))


def negative(x):
    """Elementwise ``-x``. Derivative: -1.

    Example:
        >>> negative(Tensor([1.0, -2.0]))
        Tensor([-1.,  2.])
    """
    return _negative(to_tensor(x))


# ----- products and powers ----------------------------------------------------------------------
_multiply = binary("multiply", np.multiply, dx=lambda x, y, out: y, dy=lambda x, y, out: x)
_divide = binary(
    "divide",
    np.divide,
    dx=lambda x, y, out: reciprocal_of(y),
    dy=lambda x, y, out: negative(divide(out, y)),
)


def reciprocal_of(y):
    return divide(1.0, y)


def _dpow_base(x, y, out):
    # d/dx x**y = y * x**(y-1); PyTorch's convention sets it to 0 where y == 0 (also at x == 0).
    d = multiply(y, power(x, subtract(y, 1.0)))
    zero_exp = y.data == 0
    return where(zero_exp, 0.0, d) if np.any(zero_exp) else d


def _dpow_exp(x, y, out):
    # d/dy x**y = x**y * log(x); at x == 0 with y >= 0 the limit is 0 (PyTorch), not 0*(-inf).
    safe = (x.data == 0) & (y.data >= 0)
    if np.any(safe):
        return where(safe, 0.0, multiply(out, log(where(safe, 1.0, x))))
    return multiply(out, log(x))


_power = binary("power", np.power, dx=_dpow_base, dy=_dpow_exp)


def multiply(x, y):
    """Elementwise product ``x * y``. Derivative: d/dx = y, d/dy = x.

    Example:
        >>> multiply(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
        Tensor([3., 8.])
    """
    return _multiply(*broadcast_pair(x, y, "multiply"))


def divide(x, y):
    """Elementwise quotient ``x / y``. Derivative: d/dx = 1/y, d/dy = -x/y².

    Example:
        >>> divide(Tensor([1.0, 3.0]), 2.0)
        Tensor([0.5, 1.5])
    """
    return _divide(*broadcast_pair(x, y, "divide"))


def power(x, y):
    """Elementwise ``x ** y``; the exponent may be a Tensor.

    Derivative: d/dx = y·x^(y-1) (0 where y = 0), d/dy = x^y·log x (0 at x = 0, y ≥ 0).

    Example:
        >>> power(Tensor([2.0, 3.0]), 2)
        Tensor([4., 9.])
    """
    return _power(*broadcast_pair(x, y, "power"))


# ----- transcendental -----------------------------------------------------------------------------
_exp = unary("exp", np.exp, deriv=lambda x, out: out)
_log = unary("log", np.log, deriv=lambda x, out: reciprocal_of(x))
_sin = unary("sin", np.sin, deriv=lambda x, out: cos(x))
_cos = unary("cos", np.cos, deriv=lambda x, out: negative(sin(x)))
_tanh = unary("tanh", np.tanh, deriv=lambda x, out: subtract(1.0, multiply(out, out)))
_sqrt = unary("sqrt", np.sqrt, deriv=lambda x, out: divide(0.5, out))


def exp(x):
    """Elementwise eˣ. Derivative: eˣ.

    Example:
        >>> exp(Tensor(0.0))
        Tensor(1.)
    """
    return _exp(to_tensor(x))


def log(x):
    """Elementwise natural logarithm. Derivative: 1/x.

    Example:
        >>> log(Tensor(1.0))
        Tensor(0.)
    """
    return _log(to_tensor(x))


def sin(x):
    """Elementwise sine. Derivative: cos x.

    Example:
        >>> sin(Tensor(0.0))
        Tensor(0.)
    """
    return _sin(to_tensor(x))


def cos(x):
    """Elementwise cosine. Derivative: -sin x.

    Example:
        >>> cos(Tensor(0.0))
        Tensor(1.)
    """
    return _cos(to_tensor(x))


def tanh(x):
    """Elementwise hyperbolic tangent. Derivative: 1 - tanh²x.

    Example:
        >>> tanh(Tensor(0.0))
        Tensor(0.)
    """
    return _tanh(to_tensor(x))


def sqrt(x):
    """Elementwise √x. Derivative: 1/(2√x) (+inf at 0, as PyTorch).

    Example:
        >>> sqrt(Tensor([4.0, 9.0]))
        Tensor([2., 3.])
    """
    return _sqrt(to_tensor(x))


def _erf(x):
    # NumPy has no erf; math.erf per element is exact and fine at teaching sizes.
    dtype = x.dtype if x.dtype.kind == "f" else np.float64  # ints give floats, as np.sin
    return np.vectorize(math.erf, otypes=[dtype])(x) if x.size else x.astype(dtype)


def _inv_sqrt(y):
    return divide(1.0, sqrt(y))


_expm1 = unary("expm1", np.expm1, deriv=lambda x, out: add(out, 1.0))
_log1p = unary("log1p", np.log1p, deriv=lambda x, out: divide(1.0, add(x, 1.0)))
_tan = unary("tan", np.tan, deriv=lambda x, out: add(multiply(out, out), 1.0))
_arcsin = unary("arcsin", np.arcsin, deriv=lambda x, out: _inv_sqrt(subtract(1.0, x * x)))
_arctan = unary("arctan", np.arctan, deriv=lambda x, out: divide(1.0, add(x * x, 1.0)))
_sinh = unary("sinh", np.sinh, deriv=lambda x, out: cosh(x))
_cosh = unary("cosh", np.cosh, deriv=lambda x, out: sinh(x))
_arcsinh = unary("arcsinh", np.arcsinh, deriv=lambda x, out: _inv_sqrt(add(x * x, 1.0)))
_arccosh = unary("arccosh", np.arccosh, deriv=lambda x, out: _inv_sqrt(subtract(x * x, 1.0)))
_arctanh = unary("arctanh", np.arctanh, deriv=lambda x, out: divide(1.0, subtract(1.0, x * x)))
_erf_prim = unary(
    "erf", _erf, deriv=lambda x, out: multiply(exp(negative(x * x)), 2 / math.sqrt(math.pi))
)
# cbrt'(x) = 1/(3·cbrt(x)²): +inf at 0, like sqrt.
_cbrt = unary("cbrt", np.cbrt, deriv=lambda x, out: divide(1.0 / 3.0, multiply(out, out)))
# atan2(y, x): d/dy = x/(x² + y²), d/dx = -y/(x² + y²).
_arctan2 = binary(
    "arctan2",
    np.arctan2,
    dx=lambda y, x, out: divide(x, add(x * x, y * y)),
    dy=lambda y, x, out: divide(negative(y), add(x * x, y * y)),
)


def expm1(x):
    """Elementwise eˣ - 1, accurate for small x. Derivative: eˣ.

    Example:
        >>> expm1(Tensor(0.0))
        Tensor(0.)
    """
    return _expm1(to_tensor(x))


def log1p(x):
    """Elementwise log(1 + x), accurate for small x. Derivative: 1/(1 + x).

    Example:
        >>> log1p(Tensor(0.0))
        Tensor(0.)
    """
    return _log1p(to_tensor(x))


def tan(x):
    """Elementwise tangent. Derivative: 1 + tan²x.

    Example:
        >>> tan(Tensor(0.0))
        Tensor(0.)
    """
    return _tan(to_tensor(x))


def arcsin(x):
    """Elementwise inverse sine on [-1, 1]. Derivative: 1/√(1 - x²).

    Example:
        >>> arcsin(Tensor(0.0))
        Tensor(0.)
    """
    return _arcsin(to_tensor(x))


def arctan(x):
    """Elementwise inverse tangent. Derivative: 1/(1 + x²).

    Example:
        >>> arctan(Tensor(0.0))
        Tensor(0.)
    """
    return _arctan(to_tensor(x))


def sinh(x):
    """Elementwise hyperbolic sine. Derivative: cosh x.

    Example:
        >>> sinh(Tensor(0.0))
        Tensor(0.)
    """
    return _sinh(to_tensor(x))


def cosh(x):
    """Elementwise hyperbolic cosine. Derivative: sinh x.

    Example:
        >>> cosh(Tensor(0.0))
        Tensor(1.)
    """
    return _cosh(to_tensor(x))


def arcsinh(x):
    """Elementwise inverse hyperbolic sine. Derivative: 1/√(x² + 1).

    Example:
        >>> arcsinh(Tensor(0.0))
        Tensor(0.)
    """
    return _arcsinh(to_tensor(x))


def arccosh(x):
    """Elementwise inverse hyperbolic cosine on [1, ∞). Derivative: 1/√(x² - 1).

    Example:
        >>> arccosh(Tensor(1.0))
        Tensor(0.)
    """
    return _arccosh(to_tensor(x))


def arctanh(x):
    """Elementwise inverse hyperbolic tangent on (-1, 1). Derivative: 1/(1 - x²).

    Example:
        >>> arctanh(Tensor(0.0))
        Tensor(0.)
    """
    return _arctanh(to_tensor(x))


def erf(x):
    """Gauss error function, 2/√π ∫₀ˣ e^{-t²} dt. Derivative: 2/√π·e^{-x²}.

    Example:
        >>> erf(Tensor(0.0))
        Tensor(0.)
    """
    return _erf_prim(to_tensor(x))


def cbrt(x):
    """Elementwise real cube root. Derivative: 1/(3·∛x²) (+inf at 0).

    Example:
        >>> cbrt(Tensor([-8.0, 27.0]))
        Tensor([-2.,  3.])
    """
    return _cbrt(to_tensor(x))


def arctan2(y, x):
    """Elementwise angle of the point (x, y), in (-π, π]. Derivative: (x, -y)/(x² + y²) for (y, x).

    Example:
        >>> arctan2(Tensor(1.0), 1.0).item() * 4
        3.141592653589793
    """
    return _arctan2(*broadcast_pair(y, x, "arctan2"))


# ----- kinks: abs, relu, sign, maximum ----------------------------------------------------------
# Derivatives at a kink are masks built on .data: they are locally constant, so treating them
# as constants is exact to every order. abs'(0) = relu'(0) = 0, as in PyTorch.
_abs = unary("absolute", np.abs, deriv=lambda x, out: const_like(np.sign(x.data), x))
# relu is its own primitive, not maximum(x, 0): maximum splits a tie, which would give 1/2 at 0.
_relu = unary("relu", lambda x: np.maximum(x, 0), deriv=lambda x, out: const_like(x.data > 0, x))


def _stable_sigmoid(x):
    # exp(-logaddexp(0, -x)) never overflows: no inf/inf for large |x|.
    return np.exp(-np.logaddexp(0, -x))


_sigmoid = unary("sigmoid", _stable_sigmoid, deriv=lambda x, out: multiply(out, subtract(1.0, out)))


def _tie_mask(a, b, sign):
    # PyTorch splits the gradient equally between equal operands of maximum/minimum.
    win = (a.data > b.data) if sign > 0 else (a.data < b.data)
    return const_like(win + 0.5 * (a.data == b.data), a)


_maximum = binary(
    "maximum",
    np.maximum,
    dx=lambda x, y, out: _tie_mask(x, y, 1),
    dy=lambda x, y, out: _tie_mask(y, x, 1),
)
_minimum = binary(
    "minimum",
    np.minimum,
    dx=lambda x, y, out: _tie_mask(x, y, -1),
    dy=lambda x, y, out: _tie_mask(y, x, -1),
)


def absolute(x):
    """Elementwise |x|. Derivative: sign(x), with abs'(0) = 0.

    Example:
        >>> absolute(Tensor([-2.0, 0.0, 3.0]))
        Tensor([2., 0., 3.])
    """
    return _abs(to_tensor(x))


abs = absolute


def relu(x):
    """Rectified linear unit max(x, 0). Derivative: 1 if x > 0 else 0 (0 at x = 0).

    Example:
        >>> relu(Tensor([-1.0, 0.0, 2.0]))
        Tensor([0., 0., 2.])
    """
    return _relu(to_tensor(x))


def sigmoid(x):
    """Logistic σ(x) = 1/(1+e^{-x}), computed without overflow. Derivative: σ(1-σ).

    Example:
        >>> sigmoid(Tensor(0.0))
        Tensor(0.5)
    """
    return _sigmoid(to_tensor(x))


def maximum(x, y):
    """Elementwise maximum. Derivative: 1 to the larger operand; ties split 1/2 each (PyTorch).

    Example:
        >>> maximum(Tensor([1.0, 5.0]), 3.0)
        Tensor([3., 5.])
    """
    return _maximum(*broadcast_pair(x, y, "maximum"))


def minimum(x, y):
    """Elementwise minimum. Derivative: 1 to the smaller operand; ties split 1/2 each.

    Example:
        >>> minimum(Tensor([1.0, 5.0]), 3.0)
        Tensor([1., 3.])
    """
    return _minimum(*broadcast_pair(x, y, "minimum"))


# ----- where: selection is linear in the two branches ------------------------------------------
_where = linear(
    "where",
    lambda a, b, cond: np.where(cond, a, b),
    vjp=lambda g, out, a, b, cond: (where(cond, g, 0.0), where(cond, 0.0, g)),
    batched_jvp=lambda ta, tb, out, a, b, cond: _where(
        _lift(ta, out.ndim), _lift(tb, out.ndim), cond=cond
    ),
)


def where(condition, x, y):
    """Choose ``x`` where ``condition`` is true, else ``y`` (NumPy ``where``, broadcasting).

    Derivative: the cotangent flows to the chosen branch, zero to the other.

    Example:
        >>> where(Tensor([True, False]), Tensor([1.0, 2.0]), 0.0)
        Tensor([1., 0.])
    """
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    x, y = broadcast_pair(x, y, "where")
    shape = np.broadcast_shapes(cond.shape, x.shape, y.shape)
    if STATE.enabled:
        x = broadcast_to(x, shape) if x.requires_grad and x.shape != shape else x
        y = broadcast_to(y, shape) if y.requires_grad and y.shape != shape else y
    return _where(x, y, cond=cond)


# ----- comparisons and logic: no gradient ------------------------------------------------------
def _compare(name, fn):
    prim = nondifferentiable(name, fn)

    def op(x, y):
        return prim(*broadcast_pair(x, y, name))

    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` (NumPy); boolean result, no gradient."
    return op


less = _compare("less", np.less)
less_equal = _compare("less_equal", np.less_equal)
greater = _compare("greater", np.greater)
greater_equal = _compare("greater_equal", np.greater_equal)
equal = _compare("equal", np.equal)
not_equal = _compare("not_equal", np.not_equal)
logical_and = _compare("logical_and", np.logical_and)
logical_or = _compare("logical_or", np.logical_or)
_logical_not = nondifferentiable("logical_not", np.logical_not)
_sign = nondifferentiable("sign", np.sign)


def logical_not(x):
    """Elementwise logical not; no gradient."""
    return _logical_not(to_tensor(x))


def sign(x):
    """Elementwise sign (-1, 0, 1). Derivative: 0 everywhere (not recorded).

    Example:
        >>> sign(Tensor([-2.0, 0.0, 3.0]))
        Tensor([-1.,  0.,  1.])
    """
    return _sign(to_tensor(x))
