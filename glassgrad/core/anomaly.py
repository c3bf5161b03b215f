"""Anomaly checks: where a NaN/Inf first appears, in a forward or in a gradient rule.

``detect_anomaly`` (in ``autodiff``) switches them on; ``Primitive.__call__`` runs the
forward check and the reverse sweep the backward check.
"""

import traceback
import weakref

import numpy as np

from glassgrad.core.errors import AnomalyError

__all__ = [
    "anomaly_check_forward",
    "anomaly_check_backward",
    "anomaly_check_seed",
    "anomaly_check_hook",
]

_SITES = {}  # id(node) -> (weak reference, source line); Tensor's == is elementwise


def _user_site():
    """The innermost stack frame outside the glassgrad package, as 'file:line: code'."""
    for fr in reversed(traceback.extract_stack()[:-2]):
        if "/glassgrad/" not in fr.filename.replace("\\", "/") or "/tests/" in fr.filename:
            return f"{fr.filename}:{fr.lineno}: {fr.line}"
    return "<unknown>"


def _finite(t):
    return t.data.dtype.kind != "f" or bool(np.isfinite(t.data).all())


def anomaly_check_forward(prim, out, args):
    """Raise if ``prim`` turned finite inputs into a NaN/Inf; remember where nodes were made."""
    if out.requires_grad:
        key = id(out)
        _SITES[key] = (weakref.ref(out, lambda _, k=key: _SITES.pop(k, None)), _user_site())
    if not _finite(out) and all(_finite(a) for a in args):
        raise AnomalyError(
            f"detect_anomaly: forward of '{prim.name}' produced NaN/Inf from finite inputs "
            f"at {_user_site()}"
        )


def _site(node):
    if node.op is None:
        return f"a leaf of shape {node.shape}"
    return _SITES.get(id(node), (None, "<recorded before detect_anomaly>"))[1]


def anomaly_check_backward(node, ct):
    """Raise if the VJP of ``node``'s op produced a NaN/Inf cotangent."""
    if not _finite(ct):
        raise AnomalyError(
            f"detect_anomaly: the gradient rule of '{node.op.name}' returned NaN/Inf; "
            f"the op was recorded at {_site(node)}"
        )


def anomaly_check_seed(k, seed):
    """Raise if the seed cotangent of output ``k`` (``backward(gradient)``) holds a NaN/Inf."""
    if not _finite(seed):
        raise AnomalyError(
            f"detect_anomaly: the seed (the gradient given for output {k}) holds NaN/Inf"
        )


def anomaly_check_hook(node, hook, before, after):
    """Raise if ``hook`` on ``node`` turned a finite gradient ``before`` into a NaN/Inf."""
    if not _finite(after) and _finite(before):
        raise AnomalyError(
            f"detect_anomaly: a hook ({getattr(hook, '__qualname__', hook)}) returned NaN/Inf; "
            f"it is registered on the tensor made at {_site(node)}"
        )
