"""Elementwise primitives: each states its NumPy forward and its derivative once.

Binary ops broadcast explicitly: an operand that needs a gradient is first expanded with
``broadcast_to`` (whose adjoint ``sum_to`` does the one summation), so the rules below never
think about shapes. Constants are left to NumPy's own broadcasting; they get no cotangent.
"""

import math

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.ops.shape import _lift, broadcast_to
from glassgrad.core.primitive import (
    BATCHING,
    Primitive,
    binary,
    linear,
    mask,
    nondifferentiable,
    unary,
)
from glassgrad.core.tensor import STATE, Tensor, to_tensor
from glassgrad.core.tracing import TRACES


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
negative = linear(
    "negative",
    np.negative,
    vjp=lambda g, out, x: (negative(g),),
    elementwise=True,
    formula="∂y/∂a = -1",
    inputs=("x",),
    doc="Elementwise -a.",
)


def _sum_or_difference(name, fn, sign, doc):
    """``add`` (sign "") or ``subtract`` (sign "-"): ∂y/∂a = 1, ∂y/∂b = ±1; no tangent is 0."""
    second = negative if sign else (lambda t: t)

    def jvp(tx, ty, out, x, y):
        if tx is None:
            return second(ty)
        return tx if ty is None else prim(tx, ty)

    prim = Primitive(
        name,
        fn,
        vjps=(lambda g, out, x, y: g, lambda g, out, x, y: second(g)),
        jvp=jvp,
        sparse_jvp=True,
        linear=True,
        elementwise=True,
        formula=f"∂y/∂a = 1, ∂y/∂b = {sign}1",
        inputs=("x", "y"),
        doc=doc,
        prepare=broadcast_pair,
        saves=(),
    )
    return prim


add = _sum_or_difference("add", np.add, "", "Elementwise sum a + b, broadcasting.")
subtract = _sum_or_difference(
    "subtract", np.subtract, "-", "Elementwise difference a - b, broadcasting."
)


# ----- products and powers ----------------------------------------------------------------------
def _binary(name, fn, dx, dy, formula, doc, saves=None):
    """An elementwise two-input primitive whose operands are broadcast first."""
    return binary(name, fn, dx, dy, formula=formula, doc=doc, prepare=broadcast_pair, saves=saves)


def _reciprocal(y):
    return divide(1.0, y)


def _dpow_base(x, y, out):
    # d/dx x**y = y * x**(y-1); PyTorch's convention sets it to 0 where y == 0 (also at x == 0).
    d = multiply(y, power(x, subtract(y, 1.0)))
    if TRACES or np.any(y.data == 0):  # a trace replays on new values: keep the where
        return where(mask(_is_zero, y, elementwise=True), 0.0, d)
    return d


def _is_zero(a):
    return a == 0


def _zero_base(x, y):
    return (x == 0) & (y >= 0)


def _dpow_exp(x, y, out):
    # d/dy x**y = x**y * log(x); at x == 0 with y >= 0 the limit is 0 (PyTorch), not 0*(-inf).
    if TRACES or np.any(_zero_base(x.data, y.data)):
        safe = mask(_zero_base, x, y, elementwise=True)
        return where(safe, 0.0, multiply(out, log(where(safe, 1.0, x))))
    return multiply(out, log(x))


multiply = _binary(
    "multiply",
    np.multiply,
    dx=lambda x, y, out: y,
    dy=lambda x, y, out: x,
    formula="∂y/∂a = b, ∂y/∂b = a",
    doc="Elementwise product a·b, broadcasting.",
    saves=(0, 1),
)
divide = _binary(
    "divide",
    np.divide,
    dx=lambda x, y, out: _reciprocal(y),
    dy=lambda x, y, out: negative(divide(out, y)),
    formula="∂y/∂a = 1/b, ∂y/∂b = -a/b²",
    doc="Elementwise quotient a/b, broadcasting.",
    saves=(1, "out"),
)
power = _binary(
    "power",
    np.power,
    dx=_dpow_base,
    dy=_dpow_exp,
    formula="∂y/∂a = b·a^(b-1) (0 where b = 0), ∂y/∂b = y·ln a (0 at a = 0 and b ≥ 0)",
    doc="Elementwise a ** b; the exponent may be a Tensor.",
)
# atan2(y, x): d/dy = x/(x² + y²), d/dx = -y/(x² + y²).
arctan2 = _binary(
    "arctan2",
    np.arctan2,
    dx=lambda y, x, out: divide(x, add(x * x, y * y)),
    dy=lambda y, x, out: divide(negative(y), add(x * x, y * y)),
    formula="∂y/∂a = b/(a² + b²), ∂y/∂b = -a/(a² + b²)",
    doc="Elementwise angle of the point (b, a), in (-π, π].",
)
hypot = _binary(
    "hypot",
    np.hypot,
    dx=lambda x, y, out: divide(x, out),
    dy=lambda x, y, out: divide(y, out),
    formula="∂y/∂a = a/y, ∂y/∂b = b/y (NaN at a = b = 0, where it has no derivative)",
    doc="Elementwise √(a² + b²) without overflow.",
)


# x = q·y + r with q = trunc(x/y) (fmod, C's sign) or floor(x/y) (remainder, Python's sign): q is
# locally constant, so ∂r/∂x = 1 and ∂r/∂y = -q away from the jumps.
def _remainder(name, fn, quotient, doc):
    return _binary(
        name,
        fn,
        dx=lambda x, y, out: const_like(np.ones(out.shape), out),
        dy=lambda x, y, out: mask(lambda a, b: -quotient(a / b), x, y, elementwise=True),
        formula=f"∂y/∂a = 1, ∂y/∂b = -{quotient.__name__}(a/b)",
        doc=doc,
    )


fmod = _remainder("fmod", np.fmod, np.trunc, "Elementwise remainder of a/b, sign of a (C's fmod).")
remainder = _remainder(
    "remainder", np.remainder, np.floor, "Elementwise remainder of a/b, sign of b (Python's %)."
)
mod = remainder
# log2(2ᵃ + 2ᵇ): each side's share 2ᵃ/(2ᵃ + 2ᵇ) = 2^(a - y) is at most 1, never overflows.
logaddexp2 = _binary(
    "logaddexp2",
    np.logaddexp2,
    dx=lambda x, y, out: exp(multiply(subtract(x, out), math.log(2.0))),
    dy=lambda x, y, out: exp(multiply(subtract(y, out), math.log(2.0))),
    formula="∂y/∂a = 2^(a - y), ∂y/∂b = 2^(b - y)",
    doc="Elementwise log₂(2ᵃ + 2ᵇ), without overflow.",
)


# ----- transcendental -----------------------------------------------------------------------------
def _erf(x):
    # NumPy has no erf; math.erf per element is exact and fine at teaching sizes.
    dtype = x.dtype if x.dtype.kind == "f" else np.float64  # ints give floats, as np.sin
    return np.vectorize(math.erf, otypes=[dtype])(x) if x.size else x.astype(dtype)


def _inv_sqrt(y):
    return divide(1.0, sqrt(y))


# fmt: off
exp = unary("exp", np.exp, deriv=lambda x, out: out,
            formula="∂y/∂a = exp(a) = y", doc="Elementwise eᵃ.",
            saves=("out",))
log = unary("log", np.log, deriv=lambda x, out: _reciprocal(x),
            formula="∂y/∂a = 1/a", doc="Elementwise natural logarithm.",
            saves=(0,))
sin = unary("sin", np.sin, deriv=lambda x, out: cos(x),
            formula="∂y/∂a = cos a", doc="Elementwise sine.",
            saves=(0,))
cos = unary("cos", np.cos, deriv=lambda x, out: negative(sin(x)),
            formula="∂y/∂a = -sin a", doc="Elementwise cosine.",
            saves=(0,))
tanh = unary("tanh", np.tanh, deriv=lambda x, out: subtract(1.0, multiply(out, out)),
             formula="∂y/∂a = 1 - y²", doc="Elementwise hyperbolic tangent.",
             saves=("out",))
sqrt = unary("sqrt", np.sqrt, deriv=lambda x, out: divide(0.5, out),
             formula="∂y/∂a = 1/(2√a) (+inf at 0, as PyTorch)", doc="Elementwise √a.",
             saves=("out",))
expm1 = unary("expm1", np.expm1, deriv=lambda x, out: add(out, 1.0),
              formula="∂y/∂a = exp(a) = y + 1", doc="Elementwise eᵃ - 1, accurate for small a.")
log1p = unary("log1p", np.log1p, deriv=lambda x, out: divide(1.0, add(x, 1.0)),
              formula="∂y/∂a = 1/(1 + a)", doc="Elementwise log(1 + a), accurate for small a.")
tan = unary("tan", np.tan, deriv=lambda x, out: add(multiply(out, out), 1.0),
            formula="∂y/∂a = 1 + y²", doc="Elementwise tangent.")
arcsin = unary("arcsin", np.arcsin, deriv=lambda x, out: _inv_sqrt(subtract(1.0, x * x)),
               formula="∂y/∂a = 1/√(1 - a²)", doc="Elementwise inverse sine on [-1, 1].")
arctan = unary("arctan", np.arctan, deriv=lambda x, out: divide(1.0, add(x * x, 1.0)),
               formula="∂y/∂a = 1/(1 + a²)", doc="Elementwise inverse tangent.")
sinh = unary("sinh", np.sinh, deriv=lambda x, out: cosh(x),
             formula="∂y/∂a = cosh a", doc="Elementwise hyperbolic sine.")
cosh = unary("cosh", np.cosh, deriv=lambda x, out: sinh(x),
             formula="∂y/∂a = sinh a", doc="Elementwise hyperbolic cosine.")
arcsinh = unary("arcsinh", np.arcsinh, deriv=lambda x, out: _inv_sqrt(add(x * x, 1.0)),
                formula="∂y/∂a = 1/√(a² + 1)", doc="Elementwise inverse hyperbolic sine.")
arccosh = unary("arccosh", np.arccosh, deriv=lambda x, out: _inv_sqrt(subtract(x * x, 1.0)),
                formula="∂y/∂a = 1/√(a² - 1)",
                doc="Elementwise inverse hyperbolic cosine on [1, ∞).")
arctanh = unary("arctanh", np.arctanh, deriv=lambda x, out: divide(1.0, subtract(1.0, x * x)),
                formula="∂y/∂a = 1/(1 - a²)",
                doc="Elementwise inverse hyperbolic tangent on (-1, 1).")
_2_SQRT_PI = 2 / math.sqrt(math.pi)
erf = unary("erf", _erf, deriv=lambda x, out: multiply(exp(negative(x * x)), _2_SQRT_PI),
            formula="∂y/∂a = 2/√π·exp(-a²)", doc="Gauss error function, 2/√π ∫₀ᵃ e^{-t²} dt.")
# cbrt'(x) = 1/(3·cbrt(x)²): +inf at 0, like sqrt.
cbrt = unary("cbrt", np.cbrt, deriv=lambda x, out: divide(1.0 / 3.0, multiply(out, out)),
             formula="∂y/∂a = 1/(3y²) (+inf at 0)", doc="Elementwise real cube root.")
# fmt: on


# sinc'(x) = Σₖ (-1)ᵏ 2k π²ᵏ x²ᵏ⁻¹/(2k+1)!, k ≥ 1: its first four terms, innermost first.
_SINC_SERIES = [
    (-1) ** k * 2 * k * math.pi ** (2 * k) / math.factorial(2 * k + 1) for k in (4, 3, 2, 1)
]


def _dsinc(x, out):
    # sinc'(x) = (cos πx - sinc x)/x cancels badly near 0 (error ~ eps/x²), so for |x| < 0.01
    # the rule uses the series (truncation below 1e-18 relative); both are differentiable.
    if not TRACES and not np.any(np.abs(x.data) < 0.01):  # (a trace takes the general form)
        return divide(subtract(cos(multiply(x, math.pi)), out), x)
    near = mask(lambda a: np.abs(a) < 0.01, x, elementwise=True)
    x2, series = x * x, _SINC_SERIES[0]
    for c in _SINC_SERIES[1:]:
        series = add(multiply(series, x2), c)
    series = multiply(series, x)
    safe = where(near, 1.0, x)
    return where(near, series, divide(subtract(cos(multiply(safe, math.pi)), out), safe))


sinc = unary(
    "sinc",
    np.sinc,
    deriv=_dsinc,
    formula="∂y/∂a = (cos πa - y)/a (0 at a = 0)",
    doc="Normalised sinc, sin(πa)/(πa), with sinc(0) = 1 (NumPy).",
)


# Scaling by a constant; NumPy's own forward, so the values are NumPy's to the bit.
deg2rad = unary(
    "deg2rad",
    np.deg2rad,
    deriv=lambda x, out: const_like(np.full(x.shape, np.pi / 180), x),
    formula="∂y/∂a = π/180",
    doc="Degrees to radians, a·π/180.",
)
rad2deg = unary(
    "rad2deg",
    np.rad2deg,
    deriv=lambda x, out: const_like(np.full(x.shape, 180 / np.pi), x),
    formula="∂y/∂a = 180/π",
    doc="Radians to degrees, a·180/π.",
)


def _flat(x, out):
    return const_like(np.zeros(x.shape), x)


# Step functions: piecewise constant, so their derivative is 0 (PyTorch's convention, also at
# the jumps, where none exists).
floor = unary("floor", np.floor, deriv=_flat, formula="∂y/∂a = 0", doc="Elementwise ⌊a⌋.")
ceil = unary("ceil", np.ceil, deriv=_flat, formula="∂y/∂a = 0", doc="Elementwise ⌈a⌉.")
trunc = unary(
    "trunc",
    np.trunc,
    deriv=_flat,
    formula="∂y/∂a = 0",
    doc="Elementwise integer part, rounded toward 0.",
)
_round = Primitive(
    "round",
    lambda x, decimals: np.round(x, decimals),
    vjp=lambda g, out, x, decimals: (_flat(x, out),),
    jvp=lambda t, out, x, decimals: multiply(t, _flat(x, out)),
    elementwise=True,
    formula="∂y/∂a = 0",
    doc="Round to ``decimals`` places, halves to even.",
)


def round(x, decimals=0):
    """Round to ``decimals`` places, halves to even (``numpy.round``). Derivative: 0.

    Example:
        >>> round(Tensor([1.25, 2.5]), 1)
        Tensor([1.2, 2.5])
    """
    return _round(x, decimals=decimals)


rint = unary(
    "rint",
    np.rint,
    deriv=_flat,
    formula="∂y/∂a = 0",
    doc="Elementwise nearest integer (halves to even).",
)


# ----- kinks: abs, relu, sign, maximum ----------------------------------------------------------
# Derivatives at a kink are masks built on .data: they are locally constant, so treating them
# as constants is exact to every order. abs'(0) = relu'(0) = 0, as in PyTorch.
absolute = unary(
    "absolute",
    np.abs,
    deriv=lambda x, out: mask(np.sign, x, elementwise=True),
    formula="∂y/∂a = sign(a) (0 at a = 0)",
    doc="Elementwise |a|.",
)
abs = absolute


def _positive(a):
    return (a > 0).astype(a.dtype)


# relu is its own primitive, not maximum(x, 0): maximum splits a tie, which would give 1/2 at 0.
relu = unary(
    "relu",
    lambda x: np.maximum(x, 0),
    deriv=lambda x, out: mask(_positive, x, elementwise=True),
    formula="∂y/∂a = 1[a > 0] (0 at a = 0)",
    doc="Rectified linear unit max(a, 0).",
    saves=(0,),
)


def _stable_sigmoid(x):
    # exp(-logaddexp(0, -x)) never overflows: no inf/inf for large |x|.
    return np.exp(-np.logaddexp(0, -x))


sigmoid = unary(
    "sigmoid",
    _stable_sigmoid,
    deriv=lambda x, out: multiply(out, subtract(1.0, out)),
    formula="∂y/∂a = y(1 - y)",
    doc="Logistic σ(a) = 1/(1 + e⁻ᵃ), computed without overflow.",
    saves=("out",),
)


def _tie_mask(a, b, sign):
    # PyTorch splits the gradient equally between equal operands of maximum/minimum.
    def share(x, y):
        win = (x > y) if sign > 0 else (x < y)
        return (win + 0.5 * (x == y)).astype(x.dtype)

    return mask(share, a, b, elementwise=True)


maximum = _binary(
    "maximum",
    np.maximum,
    dx=lambda x, y, out: _tie_mask(x, y, 1),
    dy=lambda x, y, out: _tie_mask(y, x, 1),
    formula="∂y/∂a = 1[a > b] + ½·1[a = b], ∂y/∂b = 1[b > a] + ½·1[a = b]",
    doc="Elementwise maximum; a tie splits the gradient ½ each (PyTorch).",
)
minimum = _binary(
    "minimum",
    np.minimum,
    dx=lambda x, y, out: _tie_mask(x, y, -1),
    dy=lambda x, y, out: _tie_mask(y, x, -1),
    formula="∂y/∂a = 1[a < b] + ½·1[a = b], ∂y/∂b = 1[b < a] + ½·1[a = b]",
    doc="Elementwise minimum; a tie splits the gradient ½ each (PyTorch).",
)


# ----- where: selection is linear in the two branches ------------------------------------------
_where = linear(
    "where",
    lambda a, b, cond: np.where(cond, a, b),
    vjp=lambda g, out, a, b, cond: (where(cond, g, 0.0), where(cond, 0.0, g)),
    formula="∂y/∂a = 1[c], ∂y/∂b = 1[¬c]",
    doc="Select a where the condition c holds, else b.",
)
BATCHING[_where] = lambda ta, tb, out, a, b, cond: _where(
    _lift(ta, out.ndim), _lift(tb, out.ndim), cond=cond
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
    return nondifferentiable(
        name,
        fn,
        doc=f"Elementwise ``{name}`` (NumPy); boolean result.",
        prepare=broadcast_pair,
        inputs=("x", "y"),
    )


less = _compare("less", np.less)
less_equal = _compare("less_equal", np.less_equal)
greater = _compare("greater", np.greater)
greater_equal = _compare("greater_equal", np.greater_equal)
equal = _compare("equal", np.equal)
not_equal = _compare("not_equal", np.not_equal)
logical_and = _compare("logical_and", np.logical_and)
logical_or = _compare("logical_or", np.logical_or)
logical_not = nondifferentiable(
    "logical_not", np.logical_not, doc="Elementwise logical not.", inputs=("x",)
)
sign = nondifferentiable("sign", np.sign, doc="Elementwise sign (-1, 0, 1).", inputs=("x",))

# Every public name here is a registry entry, except the helpers and ``where`` (a wrapper that
# takes the condition as a parameter).
__all__ = [n for n, v in list(globals().items()) if isinstance(v, Primitive) and n[0] != "_"]
__all__ += ["where", "round", "broadcast_pair", "const_like"]
