"""Gradient checking against central finite differences in float64."""

import numpy as np

from glassgrad.core.errors import GlassgradError
from glassgrad.core.ops import concatenate, ravel
from glassgrad.core.tensor import Tensor
from glassgrad.core.transforms import jacrev, jvp, tree_flatten, tree_unflatten, vjp

__all__ = [
    "check_grads",
    "numerical_jvp",
    "numerical_jacobian",
    "gradcheck",
    "GradcheckReport",
    "GradcheckError",
    "assert_close",
]


def _f64(x):
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float64)


def _flat_out(out):
    leaves, _ = tree_flatten(out)
    return np.concatenate([_f64(o).ravel() for o in leaves]) if leaves else np.zeros(0)


def numerical_jvp(f, args, tangents, eps=1e-6):
    """Central difference (f(x + eps·t) - f(x - eps·t)) / (2·eps), outputs flattened.

    Example:
        >>> numerical_jvp(lambda x: x ** 2, (np.array([3.0]),), (np.array([1.0]),)).round(6)
        array([6.])
    """
    plus = [_f64(a) + eps * _f64(t) for a, t in zip(args, tangents, strict=False)]
    minus = [_f64(a) - eps * _f64(t) for a, t in zip(args, tangents, strict=False)]
    return (
        _flat_out(f(*[Tensor(p) for p in plus])) - _flat_out(f(*[Tensor(m) for m in minus]))
    ) / (2 * eps)


def assert_close(actual, expected, rtol=1e-7, atol=1e-9, err_msg=""):
    """``numpy.testing.assert_allclose`` that accepts Tensors.

    Example:
        >>> assert_close(Tensor([1.0, 2.0]), [1.0, 2.0])
    """
    np.testing.assert_allclose(_f64(actual), _f64(expected), rtol=rtol, atol=atol, err_msg=err_msg)


def check_grads(f, args, order=2, modes=("fwd", "rev"), eps=1e-6, rtol=1e-5, atol=1e-6, seed=0):
    """Check ``f``'s derivatives to ``order`` against central finite differences.

    Forward mode is compared with the finite-difference JVP along a random direction; reverse
    mode with the dot-product identity ⟨v, J·u⟩ = ⟨Jᵀ·v, u⟩. For ``order`` > 1 the check
    recurses on the JVP/VJP functions themselves, so the rules' own derivatives are checked.

    Raises:
        AssertionError: naming the mode and order that disagree.

    Example:
        >>> from glassgrad import sin
        >>> check_grads(sin, (1.3,), order=2)
    """
    rng = np.random.default_rng(seed)
    args = tuple(np.asarray(_f64(a)) for a in args)
    rand = lambda a: rng.standard_normal(np.shape(a))
    if "fwd" in modes:
        ts = [rand(a) for a in args]
        _, t_out = jvp(f, tuple(Tensor(a) for a in args), tuple(Tensor(t) for t in ts))
        assert_close(
            _flat_out(t_out),
            numerical_jvp(f, args, ts, eps),
            rtol,
            atol,
            err_msg=f"forward mode (JVP) disagrees with finite differences at order {order}",
        )
        if order > 1:
            check_grads(
                lambda *a: jvp(f, a, tuple(Tensor(t) for t in ts))[1],
                args,
                order - 1,
                modes,
                eps,
                rtol,
                atol,
                seed + 1,
            )
    if "rev" in modes:
        out, f_vjp = vjp(f, *[Tensor(a) for a in args])
        out_leaves, out_def = tree_flatten(out)
        vs = [rng.standard_normal(np.shape(o)) for o in out_leaves]
        cts = f_vjp(tree_unflatten(out_def, [Tensor(v) for v in vs]))
        us = [rand(a) for a in args]
        lhs = sum(float(np.sum(_f64(c) * u)) for c, u in zip(cts, us, strict=False))
        rhs = float(
            np.dot(
                np.concatenate([v.ravel() for v in vs]) if vs else np.zeros(0),
                numerical_jvp(f, args, us, eps),
            )
        )
        assert_close(
            lhs,
            rhs,
            rtol,
            atol,
            err_msg=f"reverse mode (VJP) fails <v, J u> = <J^T v, u> at order {order}",
        )
        if order > 1:
            vt = tree_unflatten(out_def, [Tensor(v) for v in vs])
            check_grads(
                lambda *a: vjp(f, *a)[1](vt), args, order - 1, modes, eps, rtol, atol, seed + 2
            )


# ----- element-by-element Jacobian check (PyTorch's gradcheck) ----------------------------------
def _inputs_tuple(inputs):
    if isinstance(inputs, (tuple, list)):
        return tuple(_f64(x) for x in inputs)
    return (_f64(inputs),)


def numerical_jacobian(f, inputs, eps=1e-6):
    """Jacobians of ``f`` by central differences in float64, one per input.

    Entry ``[i, j]`` is (f(x + eps·e_j) - f(x - eps·e_j))_i / (2·eps) over the flattened
    output (all output arrays concatenated) and the flattened input.

    Returns:
        A tuple of arrays of shape ``(outputs size, input size)``.

    Example:
        >>> numerical_jacobian(lambda x: x ** 2, (np.array([1.0, 2.0]),)).round(6)
        array([[2., 0.],
               [0., 4.]])
    """
    args = _inputs_tuple(inputs)
    jacs = []
    for k, a in enumerate(args):
        cols = []
        for j in range(a.size):
            e = np.zeros(a.size)
            e[j] = 1.0
            ts = [np.zeros_like(b) if i != k else e.reshape(a.shape) for i, b in enumerate(args)]
            cols.append(numerical_jvp(f, args, ts, eps))
        n_out = _flat_out(f(*[Tensor(b) for b in args])).size
        jacs.append(np.stack(cols, axis=1) if cols else np.zeros((n_out, 0)))
    return jacs[0] if len(jacs) == 1 else tuple(jacs)


class GradcheckError(GlassgradError, AssertionError):
    """Analytic and numerical Jacobians disagree; ``report`` holds the comparison."""

    def __init__(self, report):
        super().__init__(f"gradcheck failed\n{report}")
        self.report = report


class GradcheckReport:
    """Element-by-element comparison of analytic and numerical Jacobians.

    Attributes:
        rows: ``(input, output index, input index, analytic, numeric, abs_err, rel_err, ok)``.
        worst: the row with the largest ``abs_err / (atol + rtol·|numeric|)``.
        passed: True if every element satisfies |analytic - numeric| ≤ atol + rtol·|numeric|.
    """

    def __init__(self, analytic, numeric, atol, rtol):
        self.atol, self.rtol, self.rows = atol, rtol, []
        excess = []
        for k, (a, n) in enumerate(zip(analytic, numeric, strict=False)):
            err = np.abs(a - n)
            rel = err / np.maximum(np.abs(n), np.finfo(np.float64).tiny)
            ok = err <= atol + rtol * np.abs(n)
            for i, j in np.ndindex(*a.shape):
                self.rows.append((k, i, j, a[i, j], n[i, j], err[i, j], rel[i, j], bool(ok[i, j])))
                excess.append(err[i, j] / (atol + rtol * abs(n[i, j])))
        self.passed = all(r[-1] for r in self.rows)
        self.worst = self.rows[int(np.argmax(excess))] if self.rows else None

    def __bool__(self):
        return self.passed

    def __str__(self, max_rows=20):
        head = (
            f"{'input':>5} {'out':>5} {'in':>5} {'analytic':>14} {'numeric':>14} "
            f"{'abs err':>10} {'rel err':>10}  ok"
        )
        shown = (
            self.rows
            if len(self.rows) <= max_rows
            else sorted(self.rows, key=lambda r: r[5] / (self.atol + self.rtol * abs(r[4])))[
                -max_rows:
            ]
        )
        lines = [head] + [
            f"{k:>5} {i:>5} {j:>5} {a:>14.7g} {n:>14.7g} {e:>10.2e} {r:>10.2e}  "
            f"{'yes' if ok else 'NO'}"
            for k, i, j, a, n, e, r, ok in shown
        ]
        if len(self.rows) > max_rows:
            lines.append(f"({max_rows} worst of {len(self.rows)} elements shown)")
        n_bad = sum(not r[-1] for r in self.rows)
        verdict = "PASSED" if self.passed else f"FAILED ({n_bad} of {len(self.rows)} elements)"
        w = self.worst
        if w is not None:
            lines.append(
                f"worst: input {w[0]} element ({w[1]}, {w[2]}): analytic {w[3]:.7g}, "
                f"numeric {w[4]:.7g}, abs err {w[5]:.2e}"
            )
        lines.append(f"{verdict} with atol={self.atol:g}, rtol={self.rtol:g}")
        return "\n".join(lines)

    __repr__ = __str__


def gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """Compare the reverse-mode Jacobian of ``f`` with central differences, element by element.

    Inputs are converted to float64. The analytic Jacobian comes from ``jacrev``; element
    (i, j) passes when |analytic - numeric| ≤ atol + rtol·|numeric|.

    Returns:
        A ``GradcheckReport`` (prints as a table; truthy when it passed).

    Raises:
        GradcheckError: on failure when ``raise_exception`` is True, carrying the table.

    Example:
        >>> from glassgrad import sin
        >>> gradcheck(sin, (np.array([0.1, 0.2]),)).passed
        True
    """
    args = _inputs_tuple(inputs)

    def flat(*xs):
        leaves, _ = tree_flatten(f(*xs))
        return concatenate([ravel(o) for o in leaves])

    jac = jacrev(flat, argnums=tuple(range(len(args))))(*[Tensor(a) for a in args])
    analytic = [_f64(j).reshape(j.shape[0], -1) for j in jac]
    numeric = numerical_jacobian(flat, args, eps)
    numeric = [numeric] if len(args) == 1 else list(numeric)
    report = GradcheckReport(analytic, numeric, atol, rtol)
    if raise_exception and not report.passed:
        raise GradcheckError(report)
    return report
