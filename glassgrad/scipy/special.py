"""``glassgrad.scipy.special``: SciPy's special functions, differentiable in their array arguments.

The functions are glassgrad's own (``glassgrad.prob.special`` and the core ops) under SciPy's
names and signatures; the derivative of each is stated in its docstring.
"""

import math

import numpy as np

from glassgrad.core.errors import GradError
from glassgrad.core.ops import (
    broadcast_to,
    erf,
    exp,
    expit,
    log,
    log1p,
    logaddexp,
    reshape,
    sign,
    sum,
    to_tensor,
    where,
)
from glassgrad.core.ops import logsumexp as _logsumexp
from glassgrad.core.primitive import Primitive, mask
from glassgrad.prob import Gamma
from glassgrad.prob.special import (
    digamma,
    erfc,
    lbeta,
    lgamma,
    ndtri,
    polygamma,
    xlogy,
)

__all__ = [
    "gammaln", "gamma", "gammasgn", "rgamma", "digamma", "psi", "polygamma", "multigammaln",
    "beta", "betaln", "betainc", "gammainc", "gammaincc", "erf", "erfc", "erfinv", "erfcinv",
    "ndtr", "ndtri", "log_ndtr", "stdtr", "expit", "logit", "log_expit", "logsumexp",
    "softmax", "log_softmax", "xlogy", "xlog1py", "i0", "i1",
]  # fmt: skip

_LOG_PI = math.log(math.pi)
_SQRT_2 = math.sqrt(2.0)

gammaln = lgamma
psi = digamma


def gammasgn(x):
    """Sign of Gamma(x): 1 for x > 0, alternating on the negative intervals (no gradient).

    Example:
        >>> gammasgn([2.0, -0.5, -1.5])
        Tensor([ 1., -1.,  1.])
    """
    x = np.asarray(to_tensor(x).data, dtype=np.float64)
    odd = np.mod(np.floor(-x), 2.0) == 0  # Gamma < 0 on (-1, 0), (-3, -2), ...
    return to_tensor(np.where(x > 0, 1.0, np.where(odd, -1.0, 1.0)))


def gamma(x):
    """Gamma(x) = gammasgn(x) exp(gammaln(x)).

    Derivative: Gamma(x) digamma(x).

    Example:
        >>> gamma(5.0)
        Tensor(24.)
    """
    x = to_tensor(x)
    return gammasgn(x) * exp(gammaln(x))


def rgamma(x):
    """1 / Gamma(x) (0 at the poles 0, -1, -2, ...).

    Example:
        >>> rgamma(4.0)
        Tensor(0.1666...)
    """
    x = to_tensor(x)
    return gammasgn(x) * exp(-gammaln(x))


def multigammaln(a, d):
    """Log of the multivariate gamma function: d(d-1)/4 log pi + sum_j gammaln(a - j/2), j < d.

    Derivative: sum_j digamma(a - j/2).

    Example:
        >>> round(float(multigammaln(3.0, 1)), 12) == round(math.lgamma(3.0), 12)
        True
    """
    if not isinstance(d, (int, np.integer)) or isinstance(d, bool) or d < 1:
        raise ValueError(f"multigammaln: d must be a positive int; got {d!r}")
    a = to_tensor(a)
    total = 0.25 * d * (d - 1) * _LOG_PI
    for j in range(d):
        total = total + gammaln(a - 0.5 * j)
    return total


def betaln(a, b):
    """Log B(a, b) = gammaln(a) + gammaln(b) - gammaln(a + b).

    Derivative: d/da = digamma(a) - digamma(a + b).

    Example:
        >>> round(float(betaln(2.0, 3.0)), 12) == round(math.log(1 / 12), 12)
        True
    """
    return lbeta(a, b)


def beta(a, b):
    """B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b), for a, b > 0.

    Derivative: d/da = B(a, b) (digamma(a) - digamma(a + b)).

    Example:
        >>> round(float(beta(2.0, 3.0)), 12)
        0.083333333333
    """
    return exp(lbeta(a, b))


def erfinv(y):
    """Inverse error function on (-1, 1): ndtri((1 + y)/2)/sqrt 2, so erf(erfinv(y)) = y.

    Derivative: sqrt(pi)/2 exp(erfinv(y)^2).

    Example:
        >>> round(float(erfinv(0.5)), 12)
        0.476936276204
    """
    return ndtri(0.5 * (1.0 + to_tensor(y))) / _SQRT_2


def erfcinv(y):
    """Inverse complementary error function on (0, 2): -ndtri(y/2)/sqrt 2.

    Derivative: -sqrt(pi)/2 exp(erfcinv(y)^2).

    Example:
        >>> round(float(erfcinv(0.5)), 12)
        0.476936276204
    """
    return -ndtri(0.5 * to_tensor(y)) / _SQRT_2


def ndtr(x):
    """Standard normal CDF Phi(x) = erfc(-x/sqrt 2)/2 (accurate in both tails).

    Derivative: exp(-x^2/2)/sqrt(2 pi).

    Example:
        >>> round(float(ndtr(1.959963984540054)), 12)
        0.975
    """
    return 0.5 * erfc(-to_tensor(x) / _SQRT_2)


def log_ndtr(x):
    """Log Phi(x), accurate far into the left tail (where Phi underflows).

    For x < -20 it is the asymptotic series -x^2/2 - log(-x) - log(2 pi)/2 +
    log(1 - 1/x^2 + 3/x^4 - 15/x^6 + ...) (error below 1e-17); elsewhere log(ndtr(x)).

    Derivative: exp(-x^2/2 - log_ndtr(x))/sqrt(2 pi).

    Example:
        >>> round(float(log_ndtr(-40.0)), 6)
        -804.608442
    """
    x = to_tensor(x)
    tail = x.data < -20.0
    xt, xs = where(tail, x, -20.0), where(tail, 0.0, x)  # each branch sees only safe inputs
    inv2, term, series = 1.0 / (xt * xt), 1.0, 1.0
    for k in range(1, 10):
        term = -term * (2 * k - 1) * inv2
        series = series + term
    asym = -0.5 * xt * xt - log(-xt) - 0.5 * math.log(2.0 * math.pi) + log(series)
    return where(tail, asym, log(ndtr(xs)))


def logit(p):
    """Log-odds log(p / (1 - p)).

    Derivative: 1 / (p (1 - p)).

    Example:
        >>> logit(0.5)
        Tensor(0.)
    """
    p = to_tensor(p)
    return log(p) - log1p(-p)


def log_expit(x):
    """Log sigma(x) = -log(1 + e^-x), without overflow.

    Derivative: 1 - sigma(x).

    Example:
        >>> round(float(log_expit(0.0)), 12)
        -0.69314718056
    """
    return -logaddexp(0.0, -to_tensor(x))


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """Log sum_i b_i exp(a_i) along ``axis``, without overflow (``scipy.special.logsumexp``).

    Computed as m + log|sum b exp(a - m)| with the shift m = logsumexp(a) held constant. With
    ``return_sign`` the result is (log|s|, sign(s)); otherwise a negative sum gives NaN, as
    SciPy.

    Derivative: d/da_i = b_i exp(a_i) / s; d/db_i = exp(a_i) / s, s = sum b exp(a).

    Example:
        >>> logsumexp([0.0, 0.0], b=[1.0, 3.0])
        Tensor(1.3862...)
    """
    a = to_tensor(a)
    if b is None and not return_sign:
        return _logsumexp(a, axis=axis, keepdims=keepdims)
    b = to_tensor(1.0 if b is None else b)
    shape = np.broadcast_shapes(a.shape, b.shape)
    a = a if a.shape == shape else broadcast_to(a, shape)
    m = _logsumexp(a, axis=axis, keepdims=True).detach()
    m = to_tensor(np.where(np.isfinite(m.data), m.data, 0.0))  # all -inf: any shift will do
    s = sum(b * exp(a - m), axis=axis, keepdims=keepdims)
    sgn = sign(s).detach()
    with np.errstate(divide="ignore"):  # a zero sum (all -inf) gives -inf, as SciPy
        out = log(where(sgn.data == 0, 0.0, sgn) * s) + reshape(m, s.shape)
    if return_sign:
        return out, sgn
    return where(sgn.data < 0, np.nan, out)


def log_softmax(x, axis=None):
    """Log softmax x - logsumexp(x, axis) (SciPy's default axis=None: over all entries).

    Example:
        >>> log_softmax([0.0, 0.0]).exp()
        Tensor([0.5, 0.5])
    """
    x = to_tensor(x)
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax(x, axis=None):
    """Softmax exp(x - logsumexp(x, axis)) (SciPy's default axis=None: over all entries).

    Example:
        >>> softmax([[0.0, 0.0], [0.0, 0.0]])
        Tensor([[0.25, 0.25],
                [0.25, 0.25]])
    """
    return exp(log_softmax(x, axis))


def xlog1py(x, y):
    """X * log1p(y), defined as 0 where x == 0.

    Example:
        >>> xlog1py([0.0, 1.0], [-1.0, 0.0])
        Tensor([0., 0.])
    """
    x, y = to_tensor(x), to_tensor(y)
    zero = np.asarray(x.data == 0)
    with np.errstate(divide="ignore"):  # x log1p(-1) = -inf for x > 0, as SciPy, no warning
        return where(zero, 0.0, x * log1p(where(zero, 0.0, y)))


# ----- values from SciPy, derivatives from glassgrad -------------------------------------------
def _in_x(name, deriv, formula):
    """A registered elementwise primitive ``scipy.<name>`` whose value is SciPy's.

    Its VJP is ``g * deriv(x, out, **params)`` and its JVP ``t * deriv(...)``; the keyword
    params (shape parameters, constants) pass through to SciPy and to ``deriv``.
    """
    return Primitive(
        f"scipy.{name}",
        _scipy(name),
        vjp=lambda g, out, x, **p: (g * deriv(x, out, **p),),
        jvp=lambda t, out, x, **p: t * deriv(x, out, **p),
        elementwise=True,
        formula=formula,
    )


def _scipy(name):
    """``scipy.special.<name>``, imported on first use."""

    def fn(x, **params):
        try:
            import scipy.special
        except ImportError:  # pragma: no cover - scipy is present wherever the tests run
            raise ImportError(
                f"glassgrad.scipy.special.{name} needs SciPy for its values"
            ) from None
        return getattr(scipy.special, name)(*params.values(), x)

    return fn


def _in_last(prim, name, params, x):
    """Call a primitive differentiable in ``x`` only; the other arguments must be constants."""
    x = to_tensor(x)
    consts = {}
    for key, v in params.items():
        v = to_tensor(v)
        if v.requires_grad:
            raise GradError(
                f"{name}: no derivative with respect to {key} (only the last argument); "
                f"call .detach() on {key} if it is meant as a constant"
            )
        consts[key] = v.data
    shape = np.broadcast_shapes(x.shape, *[np.shape(v) for v in consts.values()])
    return prim(x if x.shape == shape else broadcast_to(x, shape), **consts)


def _c(v):
    return to_tensor(v)


_betainc = _in_x(
    "betainc",
    lambda x, out, a, b: exp(xlogy(_c(a) - 1.0, x) + xlog1py(_c(b) - 1.0, -x) - lbeta(a, b)),
    "dI/dx = x^(a-1) (1-x)^(b-1) / B(a, b)",
)


def t_logpdf(t, df):
    """Log density of Student's t (for ``stdtr``'s rule and ``stats.t``).

    lgamma((df+1)/2) - lgamma(df/2) - log(df pi)/2 - (df+1)/2 log(1 + t^2/df).
    """
    df = to_tensor(df)
    half = 0.5 * (df + 1.0)
    return lgamma(half) - lgamma(0.5 * df) - 0.5 * log(df * math.pi) - half * log1p(t * t / df)


_stdtr = _in_x("stdtr", lambda t, out, df: exp(t_logpdf(t, df)), "d/dt = the t density")


def betainc(a, b, x):
    """Regularised incomplete beta I_x(a, b) = int_0^x t^(a-1) (1-t)^(b-1) dt / B(a, b).

    Differentiable in ``x`` only (``GradError`` for a traced ``a`` or ``b``), as HIPS autograd.

    Derivative: d/dx = x^(a-1) (1-x)^(b-1) / B(a, b).

    Example:
        >>> round(float(betainc(2.0, 3.0, 0.5)), 12)
        0.6875
    """
    return _in_last(_betainc, "betainc", {"a": a, "b": b}, x)


def stdtr(df, t):
    """CDF of Student's t with ``df`` degrees of freedom; differentiable in ``t`` only.

    Derivative: the t density Gamma((df+1)/2) / (Gamma(df/2) sqrt(df pi)) (1 + t^2/df)^(-(df+1)/2).

    Example:
        >>> stdtr(3.0, 0.0)
        Tensor(0.5)
    """
    return _in_last(_stdtr, "stdtr", {"df": df}, t)


def gammainc(a, x):
    """Regularised lower incomplete gamma P(a, x) = int_0^x t^(a-1) e^-t dt / Gamma(a).

    It is the CDF of ``glassgrad.prob.Gamma(a, 1)``, differentiable in both a and x.

    Derivative: d/dx = x^(a-1) e^-x / Gamma(a).

    Example:
        >>> round(float(gammainc(1.0, 1.0)), 12) == round(1 - math.exp(-1.0), 12)
        True
    """
    return Gamma(a, 1.0).cdf(x)


def gammaincc(a, x):
    """Regularised upper incomplete gamma Q(a, x) = 1 - P(a, x).

    Computed as 1 - P, so its error is absolute (about 1e-16): far in the upper tail, where
    Q is below ~1e-12, SciPy's value has more correct digits.

    Example:
        >>> round(float(gammaincc(1.0, 1.0)), 12) == round(math.exp(-1.0), 12)
        True
    """
    return 1.0 - gammainc(a, x)


# I0' = I1 and I1' = I0 - I1/x (limit 1/2 at x = 0), the modified Bessel recurrences.
def _i1_over_x(x):
    zero = mask(lambda a: a == 0, x, elementwise=True)  # recomputed when jit/vmap replay
    return where(zero, 0.5, i1(where(zero, 1.0, x)) / where(zero, 1.0, x))


_i0 = _in_x("i0", lambda x, out: i1(x), "i0' = i1")
_i1 = _in_x("i1", lambda x, out: i0(x) - _i1_over_x(x), "i1' = i0 - i1/x")


def i0(x):
    """Modified Bessel function of the first kind, order 0.

    Derivative: i1(x).

    Example:
        >>> round(float(i0(0.0)), 12)
        1.0
    """
    return _i0(to_tensor(x))


def i1(x):
    """Modified Bessel function of the first kind, order 1.

    Derivative: i0(x) - i1(x)/x (1/2 at x = 0).

    Example:
        >>> round(float(i1(1.0)), 12)
        0.565159103992
    """
    return _i1(to_tensor(x))
