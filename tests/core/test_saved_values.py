"""Saved values: a large recorded result is kept by the graph only when a reverse rule reads it.

The oracles: gradients equal, to the bit, those of the same code under ``keep_values()``
(which records every value, as before), and PyTorch's; peak memory against NumPy by hand.
"""

import tracemalloc
import weakref

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import autograd
from glassgrad.analysis import explain
from glassgrad.core.autodiff import forward_pass
from glassgrad.core.errors import GradError
from glassgrad.core.tensor import LEAN_BYTES, Freed, node_of

N = LEAN_BYTES // 8 * 2  # float64 elements of an array twice the threshold


def _big(salt, n=N):
    return np.random.default_rng(salt).standard_normal(n)


def test_grad_peak_memory_eager_and_compiled_is_at_most_numpy_by_hand_plus_one_array():
    n = 4_000_000
    x, y = np.random.default_rng(0).standard_normal((2, n)).astype(np.float32)

    def by_hand(x, y):  # the hand-written gradient of sum(tanh(x*y + x)), temporaries reused
        t = x * y
        t += x
        np.tanh(t, out=t)
        d = 1 - t * t
        gx = d * y
        gx += d
        d *= x
        return t.sum(), gx, d

    def peak(f):
        f(x, y)
        tracemalloc.start()
        try:
            f(x, y)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    f = lambda x, y: gg.tanh(x * y + x).sum()  # noqa: E731
    for transform in (gg.grad, gg.value_and_grad):
        assert peak(transform(f, argnums=(0, 1))) <= peak(by_hand) + x.nbytes
    assert peak(gg.jit(gg.grad(f, argnums=(0, 1)))) <= peak(by_hand) + x.nbytes  # compiled
    gx, gy = gg.grad(f, argnums=(0, 1))(x, y)
    _, hx, hy = by_hand(x, y)
    np.testing.assert_allclose(gx.data, hx, rtol=1e-6)
    np.testing.assert_allclose(gy.data, hy, rtol=1e-6)


def test_a_large_value_no_rule_reads_is_freed_with_the_callers_tensor():
    x = gg.Tensor(_big(1), requires_grad=True)
    y = x * 2.0  # multiply reads its inputs, not its output
    z = (y + 1.0).sum()  # add reads no value
    assert isinstance(node_of(y).data, Freed) and y.data is not None
    ref = weakref.ref(y.data)
    del y
    assert ref() is None  # the graph did not keep the array
    z.backward()
    np.testing.assert_array_equal(x.grad.data, np.full(N, 2.0))


def test_a_value_a_rule_reads_is_kept_and_small_values_are_never_split():
    x = gg.Tensor(_big(2), requires_grad=True)
    t = gg.tanh(x)  # tanh's rule reads its output
    assert node_of(t).data is t.data
    s = gg.Tensor(np.ones(3), requires_grad=True) * 2.0  # below the threshold: one object
    assert s.node is None
    with gg.keep_values():
        k = x * 2.0
    assert k.node is None


def _mixed(x, w, v):
    """Elementwise, matmul, broadcast, reductions and indexing over large arrays."""
    h = gg.tanh(x.reshape(-1, 64) @ w + 0.5)  # (N/64, 64)
    e = gg.exp(-h * h) / (1.0 + gg.sigmoid(h))
    r = gg.relu(e - 0.3) + gg.log(gg.sqrt(h * h + 1.0)) * gg.sin(h) - gg.cos(e)
    return (r[:, :32] * v).sum() + (r.T[5] ** 2).mean()


def _inputs():
    x = _big(3)
    w = np.random.default_rng(4).standard_normal((64, 64)) / 8
    v = np.random.default_rng(5).standard_normal(32)
    return x, w, v


def test_lean_gradients_equal_kept_ones_to_the_bit_and_torch():
    args = _inputs()
    lean = gg.grad(_mixed, argnums=(0, 1, 2))(*args)
    with gg.keep_values():
        kept = gg.grad(_mixed, argnums=(0, 1, 2))(*args)
    ts = [torch.tensor(a, requires_grad=True) for a in args]
    x, w, v = ts
    h = torch.tanh(x.reshape(-1, 64) @ w + 0.5)
    e = torch.exp(-h * h) / (1.0 + torch.sigmoid(h))
    r = torch.relu(e - 0.3) + torch.log(torch.sqrt(h * h + 1.0)) * torch.sin(h) - torch.cos(e)
    ((r[:, :32] * v).sum() + (r.T[5] ** 2).mean()).backward()
    for a, b, t in zip(lean, kept, ts, strict=True):
        np.testing.assert_array_equal(a.data, b.data)
        np.testing.assert_allclose(a.data, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_pytorch_style_backward_keeps_the_graph_and_hooks_on_large_intermediates():
    def run():
        x = gg.Tensor(_big(6), requires_grad=True)
        h = x * 3.0  # a lean node: hooks, retain_grad and grads w.r.t. it go to the node
        h.retain_grad()
        h.register_hook(lambda g: g * 2.0)
        loss = (gg.tanh(h) + h).sum()
        (dh,) = autograd.grad(loss, h)
        loss.backward()
        loss.backward()  # the graph is kept: a second sweep accumulates
        return x.grad.data, h.grad.data, dh.data

    lean = run()
    with gg.keep_values():
        kept = run()
    for a, b in zip(lean, kept, strict=True):
        np.testing.assert_array_equal(a, b)
    x = _big(6) * 3.0
    np.testing.assert_allclose(lean[0], 2 * 3.0 * 2.0 * (2.0 - np.tanh(x) ** 2), rtol=1e-13)


def test_second_order_through_large_values():
    x0, v = _big(7, 4096 * 16), _big(8, 4096 * 16)

    def f(x):
        return (gg.sin(x * 2.0) * x).sum()

    rev_rev = gg.grad(lambda x: (gg.grad(f)(x) * v).sum())(x0)  # reverse over reverse
    fwd_rev = gg.hvp(f, (x0,), (v,))  # forward over reverse keeps every value
    exact = (4.0 * np.cos(2 * x0) - 4.0 * x0 * np.sin(2 * x0)) * v
    np.testing.assert_allclose(rev_rev.data, exact, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fwd_rev.data, exact, rtol=1e-12, atol=1e-12)


def test_forward_sweeps_read_only_kept_values_and_an_unkept_one_raises():
    x, t = gg.Tensor(_big(9), requires_grad=True), gg.Tensor(_big(11))
    y = gg.exp(x * 3.0) * (x * 2.0 + 1.0)  # exp's input (x * 3.0) is not kept
    (ty,) = forward_pass([x], [t], [y])  # JVP rules read what the VJP rules read
    x0 = x.data
    exact = (3.0 * np.exp(3 * x0) * (2 * x0 + 1) + 2.0 * np.exp(3 * x0)) * t.data
    np.testing.assert_allclose(ty.data, exact, rtol=1e-13, atol=1e-15)
    unkept = node_of(y).parents[0].parents[0]  # the node of x * 3.0
    assert unkept.op.name == "multiply" and isinstance(unkept.data, Freed)
    for read in (lambda a: a + 1.0, np.asarray, lambda a: a[0], lambda a: a.sum(), float):
        with pytest.raises(GradError, match="keep_values"):
            read(unkept.data)


def test_aux_values_and_explain_of_a_lean_graph():
    x0 = _big(10)
    (value, aux), g = gg.value_and_grad(lambda x: ((x * 2.0).sum(), x * 2.0), has_aux=True)(x0)
    np.testing.assert_array_equal(aux.data, x0 * 2.0)
    np.testing.assert_array_equal(g.data, np.full(N, 2.0))
    x = gg.Tensor(x0, requires_grad=True)
    e = explain((x * 2.0 + 1.0).sum(), wrt={"x": x})
    np.testing.assert_array_equal(e.grads["x"], np.full(N, 2.0))
    assert "not kept" in str(e)
