"""Expectation, variance, Monte Carlo estimates and the bias-variance decomposition."""

from typing import NamedTuple

import numpy as np

from glassgrad.core.ops import sum, to_tensor
from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor
from glassgrad.parallel import sweep

__all__ = [
    "expectation",
    "variance",
    "monte_carlo",
    "MonteCarloResult",
    "PolynomialRegression",
    "bias_variance_decomposition",
    "BiasVariance",
]


def _check(ok, message, error=ValueError):
    if not ok:
        raise error(message)


def _is_int(n, low):
    return isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= low


def _floats(x):
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float64)


def _discrete(values, probs, fn):
    values, probs = to_tensor(values), to_tensor(probs)
    shapes = f"got shapes {values.shape} and {probs.shape}"
    _check(
        values.shape == probs.shape and values.ndim == 1,
        f"{fn}: values and probs must be vectors of one length; {shapes}",
    )
    p = probs.data
    _check(
        np.all(p >= 0) and abs(float(p.sum()) - 1.0) <= 1e-8,
        f"{fn}: probs must be non-negative and sum to 1; got {p}",
    )
    return values, probs


def expectation(values, probs):
    """E[X] = sum_i x_i p_i for a discrete random variable.

    Example (a coin paying 1 with probability 0.7):
        >>> float(expectation([0.0, 1.0], [0.3, 0.7]))
        0.7
    """
    values, probs = _discrete(values, probs, "expectation")
    return sum(values * probs)


def variance(values, probs, method="central"):
    """Var[X] = E[(X - E[X])^2] (``method="central"``) or E[X^2] - E[X]^2 (``"moments"``).

    The central form is the numerically safer one; both agree in exact arithmetic.

    Example (X in {1, 3} with equal probability):
        >>> x, p = [1.0, 3.0], [0.5, 0.5]
        >>> float(variance(x, p)), float(variance(x, p, method="moments"))
        (1.0, 1.0)
    """
    values, probs = _discrete(values, probs, "variance")
    mean = sum(values * probs)
    if method == "central":
        return sum((values - mean) ** 2 * probs)
    if method == "moments":
        return sum(values * values * probs) - mean * mean
    raise ValueError(f"variance: method must be 'central' or 'moments'; got {method!r}")


class MonteCarloResult(NamedTuple):
    """A Monte Carlo estimate of E[f(X)] and its standard error std(f(X)) / sqrt(n)."""

    estimate: float
    std_error: float
    n: int


def monte_carlo(f, sampler, n, generator=None):
    """Estimate E[f(X)] by the mean of f over n draws ``sampler(n, generator)``.

    Example (E[U^2] = 1/3 for U uniform on [0, 1]):
        >>> r = monte_carlo(lambda u: u**2, lambda n, g: g.random(n), 100000, generator=0)
        >>> abs(r.estimate - 1 / 3) < 4 * r.std_error
        True
    """
    _check(
        callable(f) and callable(sampler),
        "monte_carlo: f and sampler must be callable; got "
        f"{type(f).__name__} and {type(sampler).__name__}",
        TypeError,
    )
    _check(_is_int(n, 2), f"monte_carlo: n must be an int >= 2; got {n!r}")
    fx = _floats(f(sampler(int(n), get_generator(generator))))
    _check(fx.shape[:1] == (n,), f"monte_carlo: f(samples) must have n={n} rows; got {fx.shape}")
    return MonteCarloResult(float(fx.mean()), float(fx.std(ddof=1) / np.sqrt(n)), int(n))


class PolynomialRegression:
    """Least-squares polynomial y = sum_k w_k x^k of a given degree (1-D input).

    Example:
        >>> m = PolynomialRegression(1).fit(np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0]))
        >>> np.round(m.coef_, 6).tolist()
        [1.0, 2.0]
    """

    def __init__(self, degree=1):
        _check(_is_int(degree, 0), f"PolynomialRegression: degree must be int >= 0; got {degree}")
        self.degree = int(degree)

    def _features(self, x):
        x = _floats(x)
        _check(
            x.ndim == 1 or x.shape[1:] == (1,),
            f"PolynomialRegression: x must be 1-D (one input); got shape {x.shape}",
        )
        return x.reshape(-1, 1) ** np.arange(self.degree + 1)

    def fit(self, x, y):
        """Solve min_w |V w - y|^2 with the Vandermonde matrix V; returns self."""
        self.coef_ = np.linalg.lstsq(self._features(x), _floats(y).reshape(-1), rcond=None)[0]
        return self

    def predict(self, x):
        """Evaluate the fitted polynomial."""
        return self._features(x) @ self.coef_


class BiasVariance(NamedTuple):
    """Averages over the test inputs of bias^2, variance and noise; their sum is the error."""

    bias2: float
    variance: float
    noise: float
    expected_error: float


def _fit_round(index, shared, generator):
    """Predictions at X_test of one round's fit (a sweep task, with the round's own stream)."""
    model_factory, X, y, X_test, f_train, noise_std = shared
    if y is not None:  # bootstrap: resample rows with replacement
        rows = generator.integers(0, len(X), len(X))
        X_b, y_b = X[rows], y[rows]
    else:
        X_b, y_b = X, f_train + noise_std * generator.standard_normal(f_train.shape)
    return _floats(model_factory().fit(X_b, y_b).predict(X_test))


def bias_variance_decomposition(
    model_factory,
    X,
    y,
    X_test,
    true_fn,
    n_rounds=200,
    method="bootstrap",
    noise_std=None,
    generator=None,
    executor=None,
    progress=False,
):
    """Estimate the expected squared error at ``X_test`` as bias^2 + variance + noise.

    ``method="bootstrap"``: each round fits ``model_factory()`` (an object with ``fit(X, y)``
    and ``predict(X)``) to n rows drawn with replacement from the training set (X, y).
    ``method="fresh"``: each round redraws the targets true_fn(X) + noise_std * eps at the same
    inputs (the definition itself; ``y`` is unused). With f_b the predictions of round b,
    f_bar their mean and f = true_fn(X_test): bias^2 = mean_x (f_bar - f)^2, variance =
    mean_x mean_b (f_b - f_bar)^2, noise = noise_std^2, or when noise_std is None the mean
    squared residual of y around true_fn(X).

    Round b draws from child b of ``generator``'s SeedSequence, so its result does not depend
    on where it runs: ``executor`` (see :func:`glassgrad.sweep`) spreads the rounds over
    processes or a Dask cluster with the same numbers.

    Example (a straight line fitted to noise-free points of a straight line):
        >>> x = np.linspace(-1, 1, 20)
        >>> r = bias_variance_decomposition(lambda: PolynomialRegression(1), x, 2 * x, x,
        ...                                 lambda t: 2 * t, generator=0)
        >>> round(r.bias2, 12), round(r.variance, 12), r.noise
        (0.0, 0.0, 0.0)
    """
    name = "bias_variance_decomposition"
    _check(
        callable(model_factory) and callable(true_fn),
        f"{name}: model_factory and true_fn must be callable",
        TypeError,
    )
    _check(
        method in ("bootstrap", "fresh"),
        f"{name}: method must be 'bootstrap' or 'fresh'; got {method!r}",
    )
    _check(
        noise_std is None or (np.isscalar(noise_std) and noise_std >= 0),
        f"{name}: noise_std must be None or a number >= 0; got {noise_std!r}",
    )
    _check(
        method == "bootstrap" or noise_std is not None,
        f"{name}: method='fresh' draws targets, so it needs noise_std",
    )
    _check(_is_int(n_rounds, 2), f"{name}: n_rounds must be an int >= 2; got {n_rounds!r}")
    X, X_test, rng = _floats(X), _floats(X_test), get_generator(generator)
    _check(X.ndim >= 1 and len(X) >= 1, f"{name}: X needs at least one row; got shape {X.shape}")
    f_train = _floats(true_fn(X))
    if method == "bootstrap":
        y = _floats(y)
        _check(
            y.shape == f_train.shape,
            f"{name}: y must have one target per row of X, shape "
            f"{f_train.shape}; got shape {y.shape}",
        )
    noise = float(np.mean((y - f_train) ** 2)) if noise_std is None else float(noise_std) ** 2
    shared = (model_factory, X, y if method == "bootstrap" else None, X_test, f_train, noise_std)
    preds = sweep(
        _fit_round,
        range(n_rounds),
        executor,
        progress,
        shared=shared,
        seed=rng,
        description="bias-variance",
    )
    preds = np.stack(preds)
    mean_pred = preds.mean(axis=0)
    bias2 = float(np.mean((mean_pred - true_fn(X_test)) ** 2))
    var = float(np.mean((preds - mean_pred) ** 2))
    return BiasVariance(bias2, var, noise, bias2 + var + noise)
