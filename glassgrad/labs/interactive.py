"""Figures with sliders: every slider position is computed in advance with glassgrad.

An :class:`Interactive` is a Plotly figure plus one frame per point of a parameter grid.
A frame is what a plain function of the parameters returns, so the grid can be evaluated
by any map over parameter dicts. The report draws it with the inlined plotly.js; moving a
slider swaps in the precomputed frame (no Python, no server, no network).
"""

import functools
import itertools
import json
import math

import numpy as np

from glassgrad.parallel import sweep

__all__ = ["Interactive", "param_grid", "evaluate_grid", "plotly_js"]


def param_grid(**axes):
    """Every combination of the axes' values as a list of dicts, the last axis fastest.

    Example:
        >>> param_grid(lr=[0.1, 0.2], beta=[0.0])
        [{'lr': 0.1, 'beta': 0.0}, {'lr': 0.2, 'beta': 0.0}]
    """
    names = list(axes)
    for name, values in axes.items():
        if not len(values):
            raise ValueError(f"param_grid: axis {name!r} has no values")
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes.values())]


def _call_with(fn, params):
    return fn(**params)


def evaluate_grid(fn, grid, executor=None):
    """``[fn(**params) for params in grid]``: the results in grid order, through ``sweep``.

    Args:
        fn: a function of the grid's keyword parameters.
        grid: a list of parameter dicts (``param_grid``).
        executor: where the frames run, as for ``glassgrad.sweep`` (None: in this process;
            an int n: n local processes; a ``concurrent.futures`` executor or a Dask client).

    Example:
        >>> evaluate_grid(lambda a, b: a * b, param_grid(a=[1, 2], b=[10]))
        [10, 20]
    """
    return sweep(functools.partial(_call_with, fn), grid, executor=executor, progress=False)


def _clean(value):
    """JSON-ready: arrays to lists rounded to 5 significant digits, non-finite to null."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray | np.generic):
        return _clean(value.tolist())
    if isinstance(value, float):
        return float(f"{value:.5g}") if math.isfinite(value) else None
    return value


class Interactive:
    """A Plotly figure whose traces follow sliders over precomputed frames.

    Args:
        frame: ``frame(**params) -> {"data": [trace dicts], "title": str}``; the traces are
            drawn after ``static`` ones.
        axes: ``{name: (label, values)}``, one slider each, in grid order.
        static: traces that never change (a contour, a reference curve).
        layout: the Plotly layout; give axis titles and fixed ranges.
        start: ``{name: value}`` for the initial slider positions (default: the first).
        caption: what to notice, shown under the figure.
        executor: where the frames are computed (``glassgrad.sweep``'s executors).
    """

    def __init__(
        self, frame, axes, static=(), layout=None, start=None, caption="", executor=None
    ):
        self.axes = {name: (label, list(values)) for name, (label, values) in axes.items()}
        self.grid = param_grid(**{n: v for n, (_, v) in self.axes.items()})
        self.frames = _clean(evaluate_grid(frame, self.grid, executor=executor))
        self.static = _clean(list(static))
        self.layout = _clean(dict(layout or {}))
        start = start or {}
        for name, value in start.items():
            if name not in self.axes or value not in self.axes[name][1]:
                raise ValueError(f"Interactive: start {name}={value!r} is not a slider value")
        self.start = [v.index(start.get(n, v[0])) for n, (_, v) in self.axes.items()]
        self.caption = caption

    def __repr__(self):
        sliders = ", ".join(f"{n} ({len(v)})" for n, (_, v) in self.axes.items())
        return f"Interactive(sliders: {sliders}; {len(self.frames)} frames)"

    def spec(self):
        """The JSON the page's script reads: sliders, frames, static traces and layout."""
        sliders = [
            {"name": n, "label": label, "values": [_label(x) for x in v]}
            for n, (label, v) in self.axes.items()
        ]
        return {
            "sliders": sliders,
            "start": self.start,
            "frames": self.frames,
            "static": self.static,
            "layout": self.layout,
        }

    def to_html(self, element_id):
        """The figure's HTML: a plot box, one labelled range input per slider, the data."""
        rows = []
        for i, (name, (label, values)) in enumerate(self.axes.items()):
            rows.append(
                f'<label class="slider">{label} <input type="range" min="0" '
                f'max="{len(values) - 1}" step="1" value="{self.start[i]}" '
                f'data-axis="{i}" aria-label="{name}"><output>'
                f"{_label(values[self.start[i]])}</output></label>"
            )
        data = json.dumps(self.spec(), separators=(",", ":"), allow_nan=False)
        data = data.replace("</", "<\\/")  # never closes the script element early
        return (
            f'<div class="interactive" id="{element_id}"><div class="plot"></div>'
            f'<div class="sliders">{"".join(rows)}</div>'
            f'<script type="application/json">{data}</script></div>'
        )

    def _repr_html_(self):
        """For notebooks: the figure, with plotly.js only in the first one displayed."""
        global _NOTEBOOK_HAS_PLOTLY
        library = "" if _NOTEBOOK_HAS_PLOTLY else _global_script(plotly_js())
        _NOTEBOOK_HAS_PLOTLY = True
        return f"{self.to_html(f'interactive-{id(self):x}')}{library}<script>{DRIVER_JS}</script>"


_NOTEBOOK_HAS_PLOTLY = False


def _global_script(code):
    """A script that sets ``window.Plotly`` even where RequireJS (classic Jupyter) is loaded."""
    hide = "window._ggDefine = window.define; window.define = undefined;"
    restore = "window.define = window._ggDefine;"
    return f"<script>{hide}</script><script>{code}</script><script>{restore}</script>"


def _label(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def plotly_js():
    """The plotly.js bundle shipped with the pinned ``plotly`` package (for inlining)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


# Draws every .interactive box once plotly.js is loaded; a slider's value picks the frame
# at the row-major grid index of all sliders' positions.
DRIVER_JS = """
(function () {
  function draw(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    const spec = JSON.parse(box.querySelector('script[type="application/json"]').textContent);
    const plot = box.querySelector(".plot");
    const inputs = [...box.querySelectorAll("input[type=range]")];
    const config = {responsive: true, displaylogo: false, modeBarButtonsToRemove: ["toImage"]};
    function show() {
      let index = 0;
      inputs.forEach((input, i) => {
        index = index * spec.sliders[i].values.length + Number(input.value);
        input.nextElementSibling.textContent = spec.sliders[i].values[Number(input.value)];
      });
      const frame = spec.frames[index];
      const layout = JSON.parse(JSON.stringify(spec.layout));
      layout.title = {text: frame.title, font: {size: 14}};
      Plotly.react(plot, spec.static.concat(frame.data), layout, config);
    }
    inputs.forEach(input => input.addEventListener("input", show));
    show();
  }
  if (window.Plotly) document.querySelectorAll(".interactive").forEach(draw);
})();
"""
