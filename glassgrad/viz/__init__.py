"""Pictures you can check: graphs (DOT/SVG), landscapes, trajectories, concept figures.

Every drawing function returns ``(fig, numbers)``: a matplotlib Figure (managed by pyplot,
so ``plt.show()`` and notebooks display it) and the values drawn, which tests compare with
oracles.

Example:
    >>> from glassgrad.viz import unit_balls
    >>> fig, pts = unit_balls()
    >>> sorted(pts, key=str)
    [1, 2, inf]
"""

from glassgrad.viz.concepts import (
    bernoulli_bars,
    decision_boundary,
    eigen_transform,
    gaussian_curves,
    gradient_field,
    prior_posterior,
    tangent_slopes,
    training_curves,
    unit_balls,
)
from glassgrad.viz.graph import draw_graph, graph_nodes, layout, to_dot, to_svg
from glassgrad.viz.plots import (
    learning_rate_comparison,
    new_figure,
    optimizer_comparison,
    plot_function,
    plot_gradient_flow,
    plot_interpolation,
    plot_landscape,
    plot_rnn_gradients,
    plot_trajectories,
    plot_vanishing_gradients,
    save_figure,
)

__all__ = [
    "bernoulli_bars",
    "decision_boundary",
    "draw_graph",
    "eigen_transform",
    "gaussian_curves",
    "gradient_field",
    "graph_nodes",
    "layout",
    "learning_rate_comparison",
    "new_figure",
    "optimizer_comparison",
    "plot_function",
    "plot_gradient_flow",
    "plot_interpolation",
    "plot_landscape",
    "plot_rnn_gradients",
    "plot_trajectories",
    "plot_vanishing_gradients",
    "prior_posterior",
    "save_figure",
    "tangent_slopes",
    "to_dot",
    "to_svg",
    "training_curves",
    "unit_balls",
]
