"""Special functions as primitives: erfc, ndtri, lgamma, digamma, polygamma; xlogy, softplus.

``erf`` is the core primitive, re-exported here. Forwards use NumPy and the standard library's
``math`` only. Each derivative is another function of this module (lgamma' = digamma,
digamma' = polygamma(1), ...), so every rule differentiates again to any order. The
primitives are registered under ``prob.<name>``, so the registry's tests cover them.
"""

import math

import numpy as np

from glassgrad.core.ops import erf, exp, log, logaddexp, to_tensor, where
from glassgrad.core.primitive import Primitive

__all__ = ["erf", "erfc", "ndtri", "lgamma", "digamma", "polygamma", "xlogy", "softplus", "lbeta"]

_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
# Bernoulli numbers B_2, B_4, ..., B_16 for the asymptotic series of the polygamma functions.
_B2K = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _elementwise(name, fn, deriv, formula):
    """An elementwise primitive whose VJP is ``g * deriv(x)`` and JVP ``t * deriv(x)``."""
    return Primitive(
        f"prob.{name}",
        fn,
        vjp=lambda g, out, x, **p: (g * deriv(x, out, **p),),
        jvp=lambda t, out, x, **p: t * deriv(x, out, **p),
        elementwise=True,
        formula=formula,
    )


def _vectorize(fn):
    """Apply a scalar ``math`` function elementwise, returning float64."""
    vec = np.vectorize(fn, otypes=[np.float64])
    return lambda x: np.asarray(vec(np.asarray(x, dtype=np.float64)))


def _safe_lgamma(v):
    try:
        return math.lgamma(v)
    except ValueError:  # the poles 0, -1, -2, ...
        return math.inf


def _polygamma_np(n, x):
    """psi^(n)(x): shift to x >= 20 by recurrence, then the asymptotic series (NaN at poles)."""
    x = np.array(x, dtype=np.float64, copy=True)
    bad, acc = (x <= 0) & (x == np.floor(x)) | np.isnan(x), np.zeros_like(x)
    x[bad] = 1.0
    sign = -1.0 if n == 0 else (-1.0) ** (n + 1) * math.factorial(n)
    steps = 20 + int(np.ceil(max(0.0, -np.min(x, initial=0.0))))
    for _ in range(steps):  # psi^(n)(x) = psi^(n)(x + 1) + sign / x^(n+1)
        small = x < 20.0
        acc[small] += sign / x[small] ** (n + 1)
        x[small] += 1.0
    if n == 0:
        series = np.log(x) - 0.5 / x
        for k, b in enumerate(_B2K, start=1):
            series -= b / (2 * k * x ** (2 * k))
    else:
        series = math.factorial(n - 1) / x**n + math.factorial(n) / (2 * x ** (n + 1))
        for k, b in enumerate(_B2K, start=1):
            coef = b * math.factorial(2 * k + n - 1) / math.factorial(2 * k)
            series = series + coef / x ** (2 * k + n)
        series *= (-1.0) ** (n + 1)
    return np.where(bad, np.nan, acc + series)


def _ndtri_np(p):
    """Inverse standard normal CDF: a rational first guess refined by two Halley steps."""
    p = np.asarray(p, dtype=np.float64)
    q = np.minimum(p, 1.0 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.sqrt(-2.0 * np.log(q))
        num = 2.515517 + t * (0.802853 + 0.010328 * t)
        den = 1 + t * (1.432788 + t * (0.189269 + 0.001308 * t))
        x = num / den - t  # Abramowitz & Stegun 26.2.23 (error < 4.5e-4), refined below
        cdf = _vectorize(lambda v: 0.5 * math.erfc(-v / math.sqrt(2.0)))
        for _ in range(3):  # Halley's method on Phi(x) - q = 0
            u = (cdf(x) - q) * _SQRT_2PI * np.exp(0.5 * x * x)
            x = np.where(np.isfinite(x), x - u / (1.0 + 0.5 * x * u), x)
    x = np.where(q == 0, -np.inf, np.where(p == 0.5, 0.0, x))
    x = np.where(p > 0.5, -x, x)
    return np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, x)


# erfc = 1 - erf in exact arithmetic, but 1 - erf(x) loses every digit in the right tail.
_erfc = _elementwise(
    "erfc",
    _vectorize(math.erfc),
    lambda x, out: (-2.0 / _SQRT_PI) * exp(-(x * x)),
    "∂y/∂a = -2/√π·exp(-a²)",
)
_ndtri = _elementwise(
    "ndtri", _ndtri_np, lambda x, out: _SQRT_2PI * exp(0.5 * out * out), "∂y/∂a = √(2π)·exp(y²/2)"
)
_lgamma = _elementwise(
    "lgamma", _vectorize(_safe_lgamma), lambda x, out: digamma(x), "∂y/∂a = ψ(a)"
)
_polygamma = _elementwise(
    "polygamma",
    lambda x, n: _polygamma_np(n, x),
    lambda x, out, n: polygamma(n + 1, x),
    "∂y/∂a = ψ⁽ⁿ⁺¹⁾(a)",
)


def erfc(x):
    """Complementary error function 1 - erf, accurate in the right tail.

    Derivative: -2/sqrt(pi) exp(-x^2).

    Example:
        >>> round(float(erfc(3.0)), 8)
        2.209e-05
    """
    return _erfc(to_tensor(x))


def ndtri(p):
    """Inverse of the standard normal CDF: Phi(ndtri(p)) = p for p in [0, 1].

    Derivative: 1 / phi(ndtri(p)) = sqrt(2 pi) exp(ndtri(p)^2 / 2).

    Example:
        >>> round(float(ndtri(0.975)), 6)
        1.959964
    """
    return _ndtri(to_tensor(p))


def lgamma(x):
    """log|Gamma(x)| (inf at the poles 0, -1, -2, ...).

    Derivative: digamma(x).

    Example:
        >>> round(float(lgamma(5.0)), 10) == round(math.log(24.0), 10)
        True
    """
    return _lgamma(to_tensor(x))


def polygamma(n, x):
    """The n-th derivative of digamma, psi^(n)(x) = d^(n+1)/dx^(n+1) log Gamma(x).

    Derivative: polygamma(n + 1, x). NaN at the poles x = 0, -1, -2, ...

    Example:
        >>> round(float(polygamma(1, 1.0)), 10) == round(math.pi**2 / 6, 10)
        True
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"polygamma: n must be a non-negative int; got {n!r}")
    return _polygamma(to_tensor(x), n=int(n))


def digamma(x):
    """Digamma psi(x) = d/dx log Gamma(x) (NaN at the poles 0, -1, -2, ...).

    Derivative: polygamma(1, x).

    Example:
        >>> round(float(digamma(1.0)), 10)  # minus the Euler-Mascheroni constant
        -0.5772156649
    """
    return polygamma(0, x)


def xlogy(x, y):
    """X * log(y), defined as 0 where x == 0 (so 0 log 0 = 0), as scipy.special.xlogy.

    Example:
        >>> xlogy([0.0, 2.0], [0.0, 1.0])
        Tensor([0., 0.])
    """
    x, y = to_tensor(x), to_tensor(y)
    zero = np.asarray(x.data == 0)
    safe_y = where(zero, 1.0, y)  # keeps log finite where the product is defined as 0
    with np.errstate(divide="ignore"):  # x log 0 = -inf for x > 0, as SciPy, without a warning
        return where(zero, 0.0, x * log(safe_y))


def softplus(x):
    """Softplus: log(1 + e^x) = logaddexp(0, x) (the core's, without overflow; slope 1/2 at 0).

    Example:
        >>> round(float(softplus(0.0)), 6)
        0.693147
    """
    return logaddexp(0.0, to_tensor(x))


def lbeta(a, b):
    """Log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b).

    Example:
        >>> round(float(lbeta(1.0, 1.0)), 12)
        0.0
    """
    a, b = to_tensor(a), to_tensor(b)
    return lgamma(a) + lgamma(b) - lgamma(a + b)
