"""A one-dimensional Kalman filter: Bayes' rule for a Gaussian state, one step at a time."""

import numpy as np

__all__ = ["KalmanFilter"]


class KalmanFilter:
    """Track x_t = a x_{t-1} + N(0, q) from observations z_t = x_t + N(0, r).

    predict: m <- a m, v <- a^2 v + q. update: K = v / (v + r), m <- m + K (z - m),
    v <- (1 - K) v. Each update is the product of two Gaussians (prior times likelihood).

    Example (a static state, q = 0: the posterior of a normal mean):
        >>> kf = KalmanFilter(initial_mean=0.0, initial_var=1.0, observation_var=1.0)
        >>> means, variances = kf.filter([2.0, 2.0])
        >>> round(float(means[-1]), 6), round(float(variances[-1]), 6)
        (1.333333, 0.333333)
    """

    def __init__(
        self,
        initial_mean=0.0,
        initial_var=1.0,
        transition=1.0,
        process_var=0.0,
        observation_var=1.0,
    ):
        for name, value in (("initial_var", initial_var), ("process_var", process_var)):
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"KalmanFilter: {name} must be a finite number >= 0; got {value}")
        r = observation_var
        if not np.isfinite(r) or r <= 0:
            raise ValueError(f"KalmanFilter: observation_var must be positive; got {r!r}")
        self.mean, self.var, self.transition = float(initial_mean), float(initial_var), transition
        self.process_var, self.observation_var = float(process_var), float(observation_var)

    def predict(self):
        """Propagate the state one step; returns (mean, variance)."""
        self.mean = self.transition * self.mean
        self.var = self.transition**2 * self.var + self.process_var
        return self.mean, self.var

    def update(self, z):
        """Condition on one observation z; returns (mean, variance)."""
        gain = self.var / (self.var + self.observation_var)
        self.mean += gain * (float(z) - self.mean)
        self.var *= 1.0 - gain
        return self.mean, self.var

    def filter(self, observations):
        """Predict then update for each observation; returns arrays of means and variances."""
        z = np.asarray(observations, dtype=np.float64)
        if z.ndim != 1 or not np.all(np.isfinite(z)):
            raise ValueError("KalmanFilter.filter: observations must be a finite 1-D sequence")
        steps = np.array([(self.predict(), self.update(v))[1] for v in z]).reshape(-1, 2)
        return steps[:, 0], steps[:, 1]
