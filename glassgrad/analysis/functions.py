"""Toy 2-D functions with known minima and critical points, for optimizer pictures.

Each takes a Tensor whose last axis has length 2 (a point or a grid of points) and
returns f there, built from glassgrad ops so it can be differentiated to any order.
"""

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.ops.elementwise import cos, exp, to_tensor

__all__ = [
    "ToyFunction",
    "quadratic_bowl",
    "rosenbrock",
    "himmelblau",
    "rastrigin",
    "saddle",
    "plateau",
    "wide_sharp",
    "TOY_FUNCTIONS",
]


class ToyFunction:
    """A callable 2-D function with its ``minima``, ``critical_points`` and plot ``bounds``.

    Attributes:
        name: short name.
        minima: list of (x, y) global or local minima.
        critical_points: dict (x, y) → kind ('minimum', 'maximum', 'saddle', 'degenerate').
        bounds: ((xmin, xmax), (ymin, ymax)) for plots; a number r means the square
            ((-r, r), (-r, r)).
        hessian: the Hessian at the first critical point when it is constant or known
            in closed form, else None.

    Example:
        >>> f = ToyFunction("cone", lambda x, y: x * x + y * y, {(0.0, 0.0): "minimum"}, 1)
        >>> f.minima, f.bounds, float(f([1.0, 2.0]))
        ([(0.0, 0.0)], ((-1, 1), (-1, 1)), 5.0)
    """

    def __init__(self, name, fn, critical_points, bounds, hessian=None):
        if np.ndim(bounds) == 0:
            bounds = ((-bounds, bounds), (-bounds, bounds))
        self.name, self._fn, self.bounds = name, fn, bounds
        self.critical_points = critical_points
        self.minima = [p for p, k in critical_points.items() if k == "minimum"]
        self.hessian = None if hessian is None else np.asarray(hessian, dtype=float)

    def __call__(self, p):
        p = to_tensor(p)
        if p.ndim == 0 or p.shape[-1] != 2:
            raise ShapeError(f"{self.name}: expected a point with last axis 2; got shape {p.shape}")
        return self._fn(p[..., 0], p[..., 1])

    def __repr__(self):
        return f"ToyFunction({self.name!r}, minima={self.minima})"


def quadratic_bowl(condition=10.0):
    """f(x, y) = ½(x² + κy²): Hessian diag(1, κ), condition number κ, minimum at 0.

    Example:
        >>> float(quadratic_bowl(4.0)([1.0, 1.0]))
        2.5
    """
    if not condition > 0:
        raise ValueError(f"quadratic_bowl: condition must be > 0; got {condition}")
    return ToyFunction(
        f"bowl(κ={condition:g})",
        lambda x, y: 0.5 * (x * x + condition * y * y),
        {(0.0, 0.0): "minimum"},
        2,
        np.diag([1.0, condition]),
    )


def rosenbrock(a=1.0, b=100.0):
    """f(x, y) = (a - x)² + b(y - x²)², minimum (a, a²) at the bottom of a curved valley.

    Example:
        >>> float(rosenbrock()([1.0, 1.0]))
        0.0
    """
    return ToyFunction(
        "rosenbrock",
        lambda x, y: (a - x) ** 2 + b * (y - x * x) ** 2,
        {(a, a * a): "minimum"},
        ((-2, 2), (-1, 3)),
        [[2 + 8 * b * a * a, -4 * a * b], [-4 * a * b, 2 * b]],  # ill-conditioned valley floor
    )


# Himmelblau's four minima (f = 0), its local maximum and four saddles, to 6 decimals.
_HIMMELBLAU = {
    (3.0, 2.0): "minimum", (-2.805118, 3.131312): "minimum",
    (-3.779310, -3.283186): "minimum", (3.584428, -1.848126): "minimum",
    (-0.270845, -0.923039): "maximum", (0.086678, 2.884255): "saddle",
    (-3.073026, -0.081353): "saddle", (3.385154, 0.073852): "saddle",
    (-0.127961, -1.953715): "saddle",
}  # fmt: skip


def himmelblau():
    """f(x, y) = (x² + y - 11)² + (x + y² - 7)²: four minima with f = 0.

    Example:
        >>> float(himmelblau()([3.0, 2.0]))
        0.0
    """
    return ToyFunction(
        "himmelblau",
        lambda x, y: (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
        dict(_HIMMELBLAU),
        5,
        [[74.0, 20.0], [20.0, 34.0]],  # at (3, 2)
    )


def rastrigin(amplitude=10.0):
    """f(x, y) = 2A + Σ (xᵢ² - A cos 2πxᵢ): many local minima, global minimum 0 at 0.

    Example:
        >>> float(rastrigin()([0.0, 0.0]))
        0.0
    """

    def fn(x, y):
        return 2 * amplitude + x * x + y * y - amplitude * (cos(2 * np.pi * x) + cos(2 * np.pi * y))

    hess = np.eye(2) * (2 + 4 * np.pi**2 * amplitude)
    return ToyFunction("rastrigin", fn, {(0.0, 0.0): "minimum"}, 3, hess)


def saddle():
    """f(x, y) = x² - y²: a saddle at the origin (Hessian diag(2, -2)).

    Example:
        >>> float(saddle()([1.0, 2.0]))
        -3.0
    """
    return ToyFunction(
        "saddle",
        lambda x, y: x * x - y * y,
        {(0.0, 0.0): "saddle"},
        2,
        np.diag([2.0, -2.0]),
    )


def plateau():
    """f(x, y) = 1 - exp(-(x² + y²)): a narrow well in a flat plain where gradients vanish.

    Example:
        >>> float(plateau()([0.0, 0.0]))
        0.0
    """
    return ToyFunction(
        "plateau",
        lambda x, y: 1 - exp(-(x * x + y * y)),
        {(0.0, 0.0): "minimum"},
        4,
        np.diag([2.0, 2.0]),
    )


def wide_sharp(width=1.0, sharpness=0.2):
    """A wide well at (-3, 0) and a sharp one at (3, 0): -e^(-r₁²/2w²) - e^(-r₂²/2s²).

    The wells are far apart, so each minimum sits at its centre (to ~1e-8); Hessians
    there are diag(1/w², 1/w²) and diag(1/s², 1/s²).

    Example:
        >>> round(float(wide_sharp()([3.0, 0.0])), 6)
        -1.0
    """

    def fn(x, y):
        wide = exp(-((x + 3) ** 2 + y * y) / (2 * width**2))
        return -wide - exp(-((x - 3) ** 2 + y * y) / (2 * sharpness**2))

    crit = {(-3.0, 0.0): "minimum", (3.0, 0.0): "minimum"}
    return ToyFunction("wide vs sharp", fn, crit, ((-6, 6), (-3, 3)), np.eye(2) / width**2)


TOY_FUNCTIONS = {
    "bowl": quadratic_bowl,
    "rosenbrock": rosenbrock,
    "himmelblau": himmelblau,
    "rastrigin": rastrigin,
    "saddle": saddle,
    "plateau": plateau,
    "wide_sharp": wide_sharp,
}
