"""Pytrees: nests of tuples, lists and dicts with arrays at the leaves (JAX's ``tree_util``).

The transforms take and return pytrees; ``tree_flatten`` lists the leaves in a fixed order
(dict keys sorted) and ``tree_unflatten`` rebuilds the nest around new leaves.
"""

__all__ = ["tree_flatten", "tree_unflatten"]


def tree_flatten(tree):
    """Split a nest of tuples, lists and dicts into ``(leaves, treedef)``.

    Example:
        >>> leaves, treedef = tree_flatten({"b": 2.0, "a": (1.0, 3.0)})
        >>> leaves
        [1.0, 3.0, 2.0]
    """
    if isinstance(tree, (tuple, list)):
        leaves, defs = [], []
        for item in tree:
            sub, d = tree_flatten(item)
            leaves += sub
            defs.append(d)
        return leaves, (type(tree), defs)
    if isinstance(tree, dict):
        keys = sorted(tree)
        leaves, defs = tree_flatten([tree[k] for k in keys])
        return leaves, (dict, (keys, defs))
    if tree is None:
        return [], None
    return [tree], "*"


def tree_unflatten(treedef, leaves):
    """Rebuild the nest described by ``treedef`` from ``leaves`` (inverse of tree_flatten)."""
    return _build(treedef, iter(leaves))


def _build(d, it):  # (not a closure: a recursive closure is a reference cycle at every call)
    if d == "*":
        return next(it)
    if d is None:
        return None
    kind, sub = d
    if kind is dict:
        keys, defs = sub
        return dict(zip(keys, _build(defs, it), strict=False))
    return kind([_build(s, it) for s in sub])
