"""Gradient checking against central finite differences in float64."""

import numpy as np

from glassgrad.core.tensor import Tensor
from glassgrad.core.transforms import jvp, tree_flatten, vjp

__all__ = ["check_grads", "numerical_jvp", "assert_close"]


def _f64(x):
    return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float64)


def _flat_out(out):
    leaves, _ = tree_flatten(out)
    return np.concatenate([_f64(o).ravel() for o in leaves]) if leaves else np.zeros(0)


def numerical_jvp(f, args, tangents, eps=1e-6):
    """Central difference (f(x + eps·t) - f(x - eps·t)) / (2·eps), outputs flattened."""
    plus = [_f64(a) + eps * _f64(t) for a, t in zip(args, tangents)]
    minus = [_f64(a) - eps * _f64(t) for a, t in zip(args, tangents)]
    return (_flat_out(f(*[Tensor(p) for p in plus])) - _flat_out(f(*[Tensor(m) for m in minus]))) / (2 * eps)


def assert_close(actual, expected, rtol=1e-7, atol=1e-9, err_msg=""):
    """``numpy.testing.assert_allclose`` that accepts Tensors."""
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
        assert_close(_flat_out(t_out), numerical_jvp(f, args, ts, eps), rtol, atol,
                     err_msg=f"forward mode (JVP) disagrees with finite differences at order {order}")
        if order > 1:
            check_grads(lambda *a: jvp(f, a, tuple(Tensor(t) for t in ts))[1], args, order - 1,
                        modes, eps, rtol, atol, seed + 1)
    if "rev" in modes:
        out, f_vjp = vjp(f, *[Tensor(a) for a in args])
        out_leaves, out_def = tree_flatten(out)
        vs = [rng.standard_normal(np.shape(o)) for o in out_leaves]
        from glassgrad.core.transforms import tree_unflatten

        cts = f_vjp(tree_unflatten(out_def, [Tensor(v) for v in vs]))
        us = [rand(a) for a in args]
        lhs = sum(float(np.sum(_f64(c) * u)) for c, u in zip(cts, us))
        rhs = float(np.dot(np.concatenate([v.ravel() for v in vs]) if vs else np.zeros(0),
                           numerical_jvp(f, args, us, eps)))
        assert_close(lhs, rhs, rtol, atol,
                     err_msg=f"reverse mode (VJP) fails <v, J u> = <J^T v, u> at order {order}")
        if order > 1:
            vt = tree_unflatten(out_def, [Tensor(v) for v in vs])
            check_grads(lambda *a: vjp(f, *a)[1](vt), args, order - 1, modes, eps, rtol, atol,
                        seed + 2)
