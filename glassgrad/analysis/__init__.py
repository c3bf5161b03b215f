"""Numbers you can look at: backprop explained, landscapes, trajectories, curvature, flow.

Drawing lives in ``glassgrad.viz``; everything here returns plain numbers.

Example:
    >>> import glassgrad as gg
    >>> from glassgrad.analysis import classify_critical_point
    >>> classify_critical_point(lambda p: (p * p).sum(), [0.0, 0.0])["kind"]
    'minimum'
"""

from glassgrad.analysis.curvature import (
    HessianOperator,
    classify_critical_point,
    hessian_spectrum,
    lanczos,
)
from glassgrad.analysis.explain import Explanation, explain
from glassgrad.analysis.flow import gradient_flow, rnn_gradient_demo, vanishing_gradient_demo
from glassgrad.analysis.functions import (
    TOY_FUNCTIONS,
    ToyFunction,
    himmelblau,
    plateau,
    quadratic_bowl,
    rastrigin,
    rosenbrock,
    saddle,
    wide_sharp,
)
from glassgrad.analysis.landscape import (
    Landscape,
    filter_normalize,
    interpolate,
    loss_landscape_1d,
    loss_landscape_2d,
    pca_landscape,
    random_direction,
)
from glassgrad.analysis.trajectory import (
    Trajectory,
    compare_optimizers,
    newton_vs_gd,
    pca_project,
    trajectory,
)

__all__ = [
    "Explanation",
    "HessianOperator",
    "Landscape",
    "TOY_FUNCTIONS",
    "ToyFunction",
    "Trajectory",
    "classify_critical_point",
    "compare_optimizers",
    "explain",
    "filter_normalize",
    "gradient_flow",
    "hessian_spectrum",
    "himmelblau",
    "interpolate",
    "lanczos",
    "loss_landscape_1d",
    "loss_landscape_2d",
    "newton_vs_gd",
    "pca_landscape",
    "pca_project",
    "plateau",
    "quadratic_bowl",
    "random_direction",
    "rastrigin",
    "rnn_gradient_demo",
    "rosenbrock",
    "saddle",
    "trajectory",
    "vanishing_gradient_demo",
    "wide_sharp",
]
