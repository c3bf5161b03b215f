"""Bad input raises a glassgrad error at the public boundary, naming the op, the argument and
the shapes or values involved."""

import numpy as np
import pytest

import glassgrad.core.ops as ops
import glassgrad.numpy as gnp
from glassgrad.core.errors import DTypeError, GlassgradError, ShapeError
from glassgrad.core.tensor import Tensor

M23, M33 = np.ones((2, 3)), np.eye(3)

CASES = [
    (
        "matmul inner",
        lambda: ops.matmul(M23, M23),
        ShapeError,
        r"matmul: inner dimensions differ: a has shape \(2, 3\).*b has shape \(2, 3\)",
    ),
    ("matmul scalar", lambda: ops.matmul(1.0, M23), ShapeError, r"matmul: .*at least 1-D"),
    (
        "matmul batch",
        lambda: ops.matmul(np.ones((2, 2, 3)), np.ones((4, 3, 1))),
        ShapeError,
        r"matmul: batch dimensions .*\(2, 2, 3\).*\(4, 3, 1\)",
    ),
    (
        "broadcast add",
        lambda: ops.add(np.ones(3), np.ones(4)),
        ShapeError,
        r"add: operands could not be broadcast together: x has shape \(3,\), y has shape \(4,\)",
    ),
    (
        "broadcast_to",
        lambda: ops.broadcast_to(np.ones(3), (2, 4)),
        ShapeError,
        r"broadcast_to: cannot broadcast shape \(3,\) to \(2, 4\)",
    ),
    (
        "concatenate",
        lambda: ops.concatenate([M23, np.ones((3, 3))], axis=1),
        ShapeError,
        r"concatenate: array 1 has shape \(3, 3\).*array 0's shape \(2, 3\)",
    ),
    (
        "stack",
        lambda: ops.stack([np.ones(2), np.ones(3)]),
        ShapeError,
        r"stack: array 1 has shape \(3,\), array 0 has shape \(2,\)",
    ),
    (
        "unknown axis",
        lambda: ops.sum(M23, axis=2),
        ShapeError,
        r"sum: axis 2 is out of bounds for a tensor of dimension 2",
    ),
    ("unknown axis cumsum", lambda: ops.cumsum(M23, axis=-3), ShapeError, r"cumsum: axis -3"),
    ("unknown axis sort", lambda: ops.sort(M23, axis=5), ShapeError, r"sort: axis 5"),
    ("axis type", lambda: ops.mean(M23, axis=1.5), TypeError, r"mean: axis must be an int"),
    ("complex input", lambda: ops.exp(np.array([1j])), DTypeError, r"complex"),
    ("complex matrix", lambda: ops.inv(np.eye(2) * 1j), DTypeError, r"complex"),
    ("string input", lambda: ops.log(np.array(["a"])), DTypeError, r"numeric"),
    (
        "integer grad",
        lambda: Tensor(np.arange(3), requires_grad=True),
        DTypeError,
        r"floating dtype",
    ),
    (
        "reshape",
        lambda: ops.reshape(M23, (4,)),
        ShapeError,
        r"reshape: cannot reshape a tensor of shape \(2, 3\) into \(4,\)",
    ),
    ("transpose axes", lambda: ops.transpose(M23, (0, 0)), ShapeError, r"transpose: axes"),
    (
        "inv not square",
        lambda: ops.inv(M23),
        ShapeError,
        r"inv: expected square matrices \(\.\.\., n, n\); got shape \(2, 3\)",
    ),
    (
        "det of a vector",
        lambda: ops.det(np.ones(3)),
        ShapeError,
        r"det: expected a matrix of shape \(\.\.\., m, n\); got shape \(3,\)",
    ),
    (
        "solve",
        lambda: ops.solve(M33, np.ones(2)),
        ShapeError,
        r"solve: a has shape \(3, 3\) but b has shape \(2,\)",
    ),
    ("cholesky not square", lambda: ops.cholesky(M23), ShapeError, r"cholesky: .*\(2, 3\)"),
    (
        "cholesky not SPD",
        lambda: ops.cholesky(-M33),
        np.linalg.LinAlgError,
        r"cholesky: .*\(3, 3\)",
    ),
    ("qr wide", lambda: ops.qr(M23), ShapeError, r"qr: expected m >= n .*\(2, 3\)"),
    ("svd full", lambda: ops.svd(M23, full_matrices=True), ValueError, r"svd: .*full_matrices"),
    (
        "matrix_power n",
        lambda: ops.matrix_power(M33, 1.5),
        TypeError,
        r"matrix_power: n must be an int; got 1.5",
    ),
    (
        "tensordot",
        lambda: ops.tensordot(M23, M23, axes=1),
        ShapeError,
        r"tensordot: summed axes differ in size: a has shape \(2, 3\)",
    ),
    (
        "einsum operands",
        lambda: ops.einsum("ij,jk->ik", M23),
        ValueError,
        r"einsum: 2 terms in 'ij,jk->ik' for 1 operands",
    ),
    (
        "einsum letters",
        lambda: ops.einsum("ijk->i", M23),
        ShapeError,
        r"einsum: term 'ijk' has 3 letters but its operand has shape \(2, 3\)",
    ),
    (
        "einsum sizes",
        lambda: ops.einsum("ij,jk->ik", M23, M23),
        ShapeError,
        r"einsum: letter 'j' has sizes 3 and 2",
    ),
    (
        "vdot",
        lambda: ops.vdot(np.ones(2), np.ones(3)),
        ShapeError,
        r"vdot: inputs have 2 and 3 elements",
    ),
    ("diagonal axes", lambda: ops.diagonal(M23, 0, 1, 1), ShapeError, r"diagonal: axis1"),
    (
        "diag 3-D",
        lambda: ops.diag(np.ones((2, 2, 2))),
        ShapeError,
        r"diag: expected a 1-D or 2-D input; got shape \(2, 2, 2\)",
    ),
    ("tril 1-D", lambda: ops.tril(np.ones(3)), ShapeError, r"tril: .*got shape \(3,\)"),
    (
        "split",
        lambda: ops.split(np.ones(5), 2),
        ShapeError,
        r"split: axis 0 of length 5 does not split into 2 equal sections",
    ),
    (
        "pad mode",
        lambda: ops.pad(np.ones(2), 1, mode="mirror"),
        ValueError,
        r"pad: unknown mode 'mirror'",
    ),
    (
        "take indices",
        lambda: ops.take(np.ones(3), [0.5]),
        TypeError,
        r"take: indices must be integers; got dtype float64",
    ),
    (
        "take_along_axis",
        lambda: ops.take_along_axis(M23, np.array([0]), 1),
        ShapeError,
        r"take_along_axis: indices have shape \(1,\), expected 2 dimensions",
    ),
    ("moveaxis", lambda: ops.moveaxis(M23, (0, 1), 0), ShapeError, r"moveaxis: source"),
    (
        "argmax empty",
        lambda: ops.argmax(np.ones(0)),
        ValueError,
        r"argmax: zero-size tensor of shape \(0,\)",
    ),
    ("max empty", lambda: ops.max(np.ones((0, 2))), ValueError, r"max: zero-size tensor"),
    ("getitem", lambda: ops.getitem(np.ones(3), 5), IndexError, r"getitem: index 5 is invalid"),
    ("numpy svd", lambda: gnp.linalg.svd(M23), ValueError, r"svd: full_matrices=True"),
]


@pytest.mark.parametrize(("name", "call", "error", "match"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(name, call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_shape_and_dtype_errors_are_glassgrad_errors():
    for _, call, error, _ in CASES:
        if error in (ShapeError, DTypeError):
            with pytest.raises(GlassgradError):
                call()
