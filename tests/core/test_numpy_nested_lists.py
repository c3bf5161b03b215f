"""Every ``glassgrad.numpy`` function takes its array arguments as nested lists of traced
scalars and gives the gradient of finite differences: lists are stacked once, at conversion.

The table is driven by the namespace's ``__all__``: a function without a row is called as a
one-array elementwise function, so a new function with another signature needs a row here.
"""

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.numpy as gnp

RNG = np.random.default_rng(7)
V, W = RNG.uniform(0.2, 0.9, 3), RNG.uniform(0.2, 0.9, 3)
M23 = RNG.uniform(0.2, 0.9, (2, 3))
M33 = RNG.uniform(-0.5, 0.5, (3, 3))
SPD = M33 @ M33.T + 3 * np.eye(3)
MASK = np.array([True, False, True])


def _eigen_values(out):
    return out[0]


# name -> (args, kwargs[, pick]): float ndarrays (also inside lists) become nested lists of
# traced scalars; ``pick`` chooses the gauge-free part of a decomposition's output.
SPECS = {
    "arccosh": ([1.0 + V], {}),
    "broadcast_to": ([V, (2, 3)], {}),
    "clip": ([V, 0.3, 0.7], {}),
    "concatenate": ([[V, W]], {}),
    "diagonal": ([M33], {}),
    "dot": ([V, W], {}),
    "einsum": (["ij,j->i", M23, V], {}),
    "expand_dims": ([V, 0], {}),
    "hstack": ([[V, W]], {}),
    "inner": ([V, W], {}),
    "kron": ([V, W], {}),
    "matmul": ([M23, V], {}),
    "moveaxis": ([M23, 0, 1], {}),
    "outer": ([V, W], {}),
    "pad": ([V, 1], {}),
    "ravel": ([M23], {}),
    "repeat": ([V, 2], {}),
    "reshape": ([M23, (3, 2)], {}),
    "roll": ([V, 1], {}),
    "split": ([V, 3], {}),
    "squeeze": ([V[None]], {}),
    "stack": ([[V, W]], {}),
    "swapaxes": ([M23, 0, 1], {}),
    "take": ([V, np.array([0, 2])], {}),
    "take_along_axis": ([M23, np.array([[0], [2]]), 1], {}),
    "tensordot": ([M23, V, 1], {}),
    "tile": ([V, 2], {}),
    "trace": ([M33], {}),
    "transpose": ([M23], {}),
    "tril": ([M33], {}),
    "triu": ([M33], {}),
    "vdot": ([V, W], {}),
    "vstack": ([[V, W]], {}),
    "where": ([MASK, V, W], {}),
    "array_split": ([V, 3], {}),
    "hsplit": ([M23, 3], {}),
    "vsplit": ([M23, 2], {}),
    "dsplit": ([M23[None], 3], {}),
    "fliplr": ([M23], {}),
    "flipud": ([M23], {}),
    "rot90": ([M23], {}),
    "select": ([[MASK, ~MASK], [V, W]], {}),
    "cross": ([M23, W], {}),
    "partition": ([M23, 1], {"axis": 1}),
    "argpartition": ([V, 1], {}),
    "gradient": ([M33, 0.5, np.array([0, 1, 3])], {"edge_order": 2}),  # int coordinates: constant
    "row_stack": ([[V, W]], {}),
    "array": ([M23], {}),
    "asarray": ([M23], {}),
    "full": ([(2, 2), V[:1].reshape(())], {}),
    "full_like": ([M23, V[:1].reshape(())], {}),
    "zeros_like": ([M23], {}),
    "ones_like": ([M23], {}),
    "empty_like": ([M23], {}),
    "linalg.norm": ([M23], {}),
    "linalg.inv": ([SPD], {}),
    "linalg.solve": ([SPD, V], {}),
    "linalg.det": ([SPD], {}),
    "linalg.slogdet": ([SPD], {}),
    "linalg.cholesky": ([SPD], {}),
    "linalg.qr": ([M33 + 2 * np.eye(3)], {}, lambda out: out[1].diagonal() ** 2),
    "linalg.eigh": ([SPD], {}, _eigen_values),
    "linalg.eigvalsh": ([SPD], {}),
    "linalg.eig": ([M33 + np.diag([1.0, 2.0, 3.0])], {}, _eigen_values),  # distinct real spectrum
    "linalg.eigvals": ([M33 + np.diag([1.0, 2.0, 3.0])], {}),
    "linalg.svd": ([M23], {"full_matrices": False}, lambda out: out[1]),
    "linalg.svdvals": ([M23], {}),
    "linalg.pinv": ([M23], {}),
    "linalg.matrix_power": ([M33, 3], {}),
    "linalg.matmul": ([M23, V], {}),
    "linalg.outer": ([V, W], {}),
    "linalg.tensordot": ([M23, V, 1], {}),
    "linalg.trace": ([M33], {}),
    "linalg.diagonal": ([M33], {}),
}
BINARY = ["add", "subtract", "multiply", "divide", "power", "maximum", "minimum", "arctan2",
          "logaddexp", "logaddexp2", "fmax", "fmin", "fmod", "hypot", "remainder",
          "mod"]  # fmt: skip
COMPARE = ["equal", "greater", "greater_equal", "less", "less_equal", "logical_and",
           "logical_or", "not_equal"]  # fmt: skip
SPECS.update({name: ([V, W], {}) for name in BINARY + COMPARE})
# Functions of a symmetric matrix: only the symmetric part of their gradient is defined.
SYMMETRIC = {"linalg.cholesky", "linalg.eigh", "linalg.eigvalsh"}
# Integer, boolean or shape results: called on nested traced lists, compared with NumPy's value.
VALUES = {
    "argmax", "argmin", "argpartition", "argsort", "equal", "greater", "greater_equal",
    "isfinite", "isinf", "isnan", "less", "less_equal", "logical_and", "logical_not",
    "logical_or", "not_equal",
    "shape", "ndim", "size",
}  # fmt: skip
# Creation from sizes alone, constants, dtypes and namespaces: no array argument to nest.
NO_ARRAYS = {
    "zeros", "ones", "empty", "eye", "identity", "arange", "linspace", "pi", "e", "inf",
    "nan", "newaxis", "float32", "float64", "int32", "int64", "bool_", "ndarray", "linalg",
    "random", "LinAlgError",
}  # fmt: skip


def _function(name):
    module, _, attr = name.rpartition(".")
    return getattr(gnp.linalg if module else gnp, attr)


NAMES = [n for n in gnp.__all__ if n not in NO_ARRAYS] + [
    f"linalg.{n}" for n in gnp.linalg.__all__ if n not in NO_ARRAYS
]


def _spec(name):
    return SPECS.get(name, ([V], {}))  # the default row: one elementwise array


def _templates(obj, found):
    """Collect the float ndarrays of an argument nest, in order."""
    if isinstance(obj, np.ndarray) and obj.dtype.kind == "f":
        found.append(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _templates(o, found)
    return found


def _nest(flat, start, shape):
    """Python lists of the traced scalars flat[start : start + prod(shape)]."""
    if not shape:
        return flat[start]
    step = int(np.prod(shape[1:]))
    return [_nest(flat, start + i * step, shape[1:]) for i in range(shape[0])]


def _rebuild(obj, flat, offset):
    if isinstance(obj, np.ndarray) and obj.dtype.kind == "f":
        return _nest(flat, offset[0], obj.shape), offset.__setitem__(0, offset[0] + obj.size)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_rebuild(o, flat, offset)[0] for o in obj), None
    return obj, None


def _call_nested(name, flat):
    args, kwargs, *_ = _spec(name)
    nested, _ = _rebuild(list(args), flat, [0])
    return _function(name)(*nested, **kwargs)


def _scalar(name, flat):
    """A weighted sum of every output element, so each one's gradient is checked."""
    spec = _spec(name)
    out = _call_nested(name, flat)
    out = spec[2](out) if len(spec) > 2 else out
    leaves = out if isinstance(out, (list, tuple)) else [out]
    total = 0.0
    for i, leaf in enumerate(leaves):
        weights = np.random.default_rng(i).uniform(0.5, 1.5, gnp.shape(leaf))
        total = total + gnp.sum(gnp.asarray(leaf) * weights)
    return total


def _flat0(name):
    args = _spec(name)[0]
    return np.concatenate([a.ravel() for a in _templates(list(args), [])])


@pytest.mark.parametrize("name", [n for n in NAMES if n not in VALUES])
def test_gradient_through_nested_lists_matches_finite_differences(name):
    x0 = _flat0(name)
    g = gg.grad(lambda flat: _scalar(name, flat))(x0)
    h, fd = 1e-6, np.zeros_like(x0)
    for i in range(x0.size):
        e = np.zeros_like(x0)
        e[i] = h
        up, down = (float(_scalar(name, gg.Tensor(x0 + s * e))) for s in (1, -1))
        fd[i] = (up - down) / (2 * h)
    g = g.numpy()
    if name in SYMMETRIC:
        g, fd = ((a.reshape(3, 3) + a.reshape(3, 3).T) / 2 for a in (g, fd))
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-7, err_msg=name)


@pytest.mark.parametrize("name", sorted(VALUES))
def test_value_functions_accept_nested_traced_lists(name):
    x0 = _flat0(name)
    seen = []

    def f(flat):
        seen.append(_call_nested(name, flat))
        return flat.sum()

    gg.grad(f)(x0)
    args, kwargs = _spec(name)[:2]
    expected = getattr(np, name)(*args, **kwargs)
    got = seen[0]
    np.testing.assert_array_equal(got.numpy() if isinstance(got, gg.Tensor) else got, expected)
