"""The ``Optimizer`` base: parameter groups, lazy per-parameter state, state dicts.

Subclasses implement ``_update(p, grad, state, group)``: one pure update on NumPy arrays that
returns the new parameter array. The base runs it under ``no_grad`` and replaces ``p.data``
(never writing into an array a caller may hold).
"""

import copy

import numpy as np

from glassgrad.core.autodiff import enable_grad
from glassgrad.core.tensor import Tensor

__all__ = ["Optimizer", "check_hyper"]


def check_hyper(where, name, value, low=0.0, high=None, high_open=True):
    """Raise ValueError naming ``name`` unless ``low <= value`` (and ``< high`` if given)."""
    ok = isinstance(value, (int, float, np.floating, np.integer)) and value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        bound = f"in [{low}, {high}{')' if high_open else ']'}" if high is not None else f">= {low}"
        raise ValueError(f"{where}: {name} must be a number {bound}; got {value!r}")


def _check_param(p, where):
    if not isinstance(p, Tensor):
        raise TypeError(f"{where}: parameters must be Tensors; got {type(p).__name__}")
    if not p.is_leaf:
        raise ValueError(
            f"{where}: can only optimize leaf tensors; got a tensor of shape {p.shape} made by "
            f"{p.op.name} (detach() it or optimize the tensors it came from)"
        )
    if p.dtype.kind != "f":
        raise TypeError(f"{where}: parameters must be floating point; got dtype {p.dtype}")


class Optimizer:
    """Base class: holds ``param_groups`` (dicts with "params" and hyper-parameters) and ``state``.

    Subclasses name in ``_nonnegative`` the hyper-parameters that must be numbers >= 0 (lr
    always is); ``_validate`` checks them for every group.

    Args:
        params: an iterable of Tensors, or of dicts ``{"params": [...], **overrides}``.
        defaults: default hyper-parameters for every group.

    Example:
        >>> from glassgrad.optim import SGD
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.5)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        Tensor([0., 0.], requires_grad=True)
    """

    _nonnegative = ()

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = {}  # param -> dict, created on its first update (Tensors hash by identity)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Tensors or dicts; got a "
                "single Tensor (wrap it in a list)"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group):
        """Append a group ``{"params": [...], **hyper}``; missing hyper-parameters use defaults."""
        where = type(self).__name__
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(f"{where}: a param group must be a dict with a 'params' key")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            _check_param(p, where)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params) or len({id(p) for p in params}) != len(params):
            raise ValueError(f"{where}: a parameter appears in more than one group")
        group = {**self.defaults, **param_group, "params": params}
        self._validate(group)
        self.param_groups.append(group)

    def _validate(self, group):
        """Check a group's hyper-parameters (subclasses extend)."""
        for name in ("lr", *self._nonnegative):
            check_hyper(type(self).__name__, name, group[name])

    @staticmethod
    def _direction(p, g, maximize, weight_decay):
        """The gradient to descend: g ← -g if maximize, then g ← g + λθ (L2 weight decay λ)."""
        if maximize:
            g = -g
        return g + weight_decay * p if weight_decay != 0 else g

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's ``.grad`` to None (or to zeros)."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad = Tensor._make(np.zeros_like(p.data))

    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()``'s loss if given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.setdefault(p, {})
                new = self._update(p.data, np.asarray(p.grad.data, dtype=p.dtype), state, group)
                p.data = np.asarray(new, dtype=p.dtype)  # an array even for a 0-d parameter
        return loss

    def _update(self, p, g, state, group):
        raise NotImplementedError

    def _params(self):
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self):
        """Return ``{"state": {index: {...}}, "param_groups": [...]}`` (PyTorch's layout)."""
        index = {id(p): i for i, p in enumerate(self._params())}
        state = {index[id(k)]: copy.deepcopy(v) for k, v in self.state.items() if id(k) in index}
        groups, start = [], 0
        for g in self.param_groups:
            n = len(g["params"])
            groups.append(
                {
                    **copy.deepcopy({k: v for k, v in g.items() if k != "params"}),
                    "params": list(range(start, start + n)),
                }
            )
            start += n
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and per-parameter state saved by ``state_dict``.

        A state dict whose groups lack this optimizer's hyper-parameters (one saved by another
        optimizer class, say Adam into SGD) is refused rather than half applied.
        """
        where = f"{type(self).__name__}.load_state_dict"
        groups = state_dict.get("param_groups") if isinstance(state_dict, dict) else None
        if groups is None or "state" not in state_dict:
            raise ValueError(f"{where}: expected a dict with 'state' and 'param_groups'")
        sizes = [len(g["params"]) for g in self.param_groups]
        if [len(g["params"]) for g in groups] != sizes:
            raise ValueError(f"{where}: the saved parameter groups do not match this optimizer's")
        for g in groups:
            missing = sorted(set(self.defaults) - set(g))
            if missing:
                raise ValueError(
                    f"{where}: the state dict is of another optimizer; its parameter groups are "
                    f"missing {type(self).__name__}'s hyper-parameters {missing}"
                )
        params = self._params()
        for i, s in state_dict["state"].items():
            p = params[int(i)]
            for k, v in s.items():
                if isinstance(v, np.ndarray) and v.shape != p.shape:
                    raise ValueError(
                        f"{where}: state {k!r} of parameter {i} has shape {v.shape}; "
                        f"the parameter has shape {p.shape}"
                    )
        self.state = {params[int(i)]: copy.deepcopy(s) for i, s in state_dict["state"].items()}
        for saved, group in zip(groups, self.param_groups, strict=False):
            group.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines + [")"])
