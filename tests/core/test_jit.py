"""jit: the compiled program equals eager evaluation to the bit, on new values after tracing.

Every check traces on one set of arguments and compares the replay on a second set (same
shapes, other values) with eager evaluation on that second set, so nothing may be frozen.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glassgrad as gg
import glassgrad.core.jit as jit_module
import glassgrad.nn.functional as F
from glassgrad import nn, optim
from glassgrad.core.jit import jit
from glassgrad.core.transforms import tree_flatten

sys.path.insert(0, str(Path(__file__).parent))
from test_primitives import ROWS, SPECS  # noqa: E402


def _same(got, want):
    g, w = tree_flatten(got)[0], tree_flatten(want)[0]
    assert len(g) == len(w)
    for a, b in zip(g, w, strict=True):
        a, b = np.asarray(a.data), np.asarray(b.data)
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def _scalar(f):
    """A scalar read-out of ``f``'s outputs, nonlinear so second derivatives are not trivial."""

    def loss(*args):
        outs = tree_flatten(f(*args))[0]
        return sum(gg.sum(gg.sin(o) * np.linspace(0.5, 1.5, o.size).reshape(o.shape)) for o in outs)

    return loss


def _traced_then_replayed(fn, args, other):
    compiled = jit(fn)
    _same(compiled(*args), fn(*args))
    _same(compiled(*other), fn(*other))
    return compiled


@pytest.fixture(params=["whole", "blocked"])
def blocks(request, monkeypatch):
    """Run also with blocks of one row, so every elementwise run of lines goes block by block."""
    if request.param == "blocked":
        monkeypatch.setattr(jit_module, "_BLOCK_BYTES", 1)


@pytest.mark.parametrize(("name", "i"), ROWS, ids=[f"{n}-{i}" for n, i in ROWS])
def test_jit_equals_eager_on_every_spec_row(name, i, blocks):
    f, args = SPECS[name][i]
    other = [a * 1.05 for a in args]  # other values in the same domain
    nums = tuple(range(len(args)))
    _traced_then_replayed(f, args, other)
    _traced_then_replayed(gg.value_and_grad(_scalar(f), argnums=nums), args, other)


@pytest.mark.parametrize("name", sorted(SPECS.keys() - {"astype"}))
def test_jit_of_hessian_equals_eager(name):
    f, args = SPECS[name][0]
    loss = _scalar(lambda x: f(x, *args[1:]))
    _traced_then_replayed(gg.hessian(loss), args[:1], [args[0] * 1.05])


sys.path.insert(0, str(Path(__file__).parent))
pytest.importorskip("torch")
from test_ops_torch import _programs, step  # noqa: E402


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(step, min_size=3, max_size=6))
def test_random_programs_jit_equals_eager(program):
    # The random programs already checked against PyTorch: value, gradients and Hessian.
    x, y = np.random.default_rng(5).uniform(-1, 1, (2, 2, 3))
    x2, y2 = np.random.default_rng(6).uniform(-1, 1, (2, 2, 3))
    ours, _ = _programs(program)
    _traced_then_replayed(gg.value_and_grad(ours, argnums=(0, 1)), (x, y), (x2, y2))
    with pytest.MonkeyPatch.context() as m:  # in blocks of one row
        m.setattr(jit_module, "_BLOCK_BYTES", 1)
        _traced_then_replayed(gg.value_and_grad(ours, argnums=(0, 1)), (x, y), (x2, y2))
    hess = gg.hessian(lambda v: ours(v[:6].reshape(2, 3), v[6:].reshape(2, 3)))
    _traced_then_replayed(
        hess, (np.concatenate([x, y]).ravel(),), (np.concatenate([x2, y2]).ravel(),)
    )


def test_retraces_on_a_new_signature_and_reuses_a_known_one():
    calls = []

    def f(x, n):
        calls.append(1)
        return gg.tanh(x).sum() * n

    g = jit(f, static_argnums=1)
    a, b = np.linspace(-1, 1, 3), np.linspace(-1, 1, 4)
    _same(g(a, 2.0), f(a, 2.0))
    _same(g(a + 1, 2.0), f(a + 1, 2.0))
    assert len(calls) == 3  # one trace (plus the two eager references)
    _same(g(b, 2.0), f(b, 2.0))  # new shape
    _same(g(a, 3.0), f(a, 3.0))  # new static value
    _same(g(a.astype(np.float32), 3.0), f(a.astype(np.float32), 3.0))  # new dtype
    assert len(g.cache) == 4


def test_value_dependent_control_flow_names_the_line():
    def f(x):
        if x.sum() > 0:  # the offending line
            return x
        return -x

    with pytest.raises(gg.ConcretizationError, match=r"test_jit.py:\d+: if x.sum\(\) > 0") as e:
        jit(f)(np.ones(3))
    assert "gg.where" in str(e.value) and "static_argnums" in str(e.value)
    with pytest.raises(gg.ConcretizationError, match="float()"):
        jit(lambda x: float(x.sum()))(np.ones(3))
    # the same choice written with where compiles and follows the values
    h = jit(lambda x: gg.where(x.sum() > 0, x, -x))
    _same(h(-np.ones(3)), gg.Tensor(np.ones(3)))


def test_raw_numpy_on_traced_values_is_an_error_not_a_frozen_constant():
    def f(x):
        return x * gg.Tensor(x.data > 0)  # a mask built on .data

    with pytest.raises(gg.ConcretizationError, match="raw NumPy"):
        jit(f)(np.ones(3))
    with pytest.raises(gg.ConcretizationError, match="random"):
        jit(lambda x: F.dropout(x, 0.5))(np.ones(3))


def test_source_is_the_readable_program():
    def f(x, y):
        z = x * y + x
        return gg.tanh(z).sum()

    vg = jit(gg.value_and_grad(f, argnums=(0, 1)))
    vg(np.ones(4), np.ones(4))
    src = vg.source
    assert "def f(x, y):" in src and "# forward" in src and "# backward" in src
    assert "z = np.add(" in src and "np.tanh(z" in src  # the user's names
    assert "out=" in src and "del " in src  # buffers reused, intermediates freed
    lines = [ln for ln in src.splitlines() if "= np." in ln or "= sum_(" in ln]
    assert len(lines) == 9  # x*y, +x, tanh, sum | tanh' (2), dx (2), dy: one line per op


def test_cse_dce_and_constant_folding():
    def f(x):
        a = gg.exp(x) + gg.exp(x)  # one exp
        _unused = gg.sin(x)  # dropped
        return a * (gg.Tensor(2.0) * 3.0)  # 6.0 folded

    g = jit(f)
    _same(g(np.arange(3.0)), f(np.arange(3.0)))
    src = g.source
    assert src.count("np.exp(") == 1 and "sin" not in src
    assert "6.0 (float64 constant)" in src


def test_a_transpose_undoing_another_is_dropped():
    def f(a):
        b = a * 2.0
        back = gg.transpose(gg.transpose(b, (1, 2, 0)), (2, 0, 1))  # b itself
        twice = gg.transpose(gg.transpose(b, (1, 2, 0)), (1, 2, 0))  # not b: it stays
        return back + 1.0, twice

    rng = np.random.default_rng(5)
    a, a2 = rng.standard_normal((2, 2, 3, 4))
    compiled = _traced_then_replayed(f, (a,), (a2,))
    assert compiled.source.count("transpose(") == 2  # only the pair of `twice`
    # the weight gradients of an MLP come out of the matmul without transposing twice
    w, w2 = rng.standard_normal((2, 5, 4))
    vg = gg.value_and_grad(lambda w, x: gg.tanh(x @ w.T).sum())
    compiled = _traced_then_replayed(vg, (w, a[0]), (w2, a2[0]))
    assert compiled.source.split("# backward")[1].count("transpose(") == 1


def _forward(src):
    return src.split("# backward")[0]


def test_broadcast_read_only_by_elementwise_lines_is_left_to_numpy(blocks):
    rng = np.random.default_rng(3)
    x, x2 = rng.standard_normal((2, 8, 3))
    b, b2 = rng.standard_normal((2, 3))
    f = gg.value_and_grad(lambda x, b: gg.tanh(x * 2.0 + b).sum(), argnums=(0, 1))
    compiled = _traced_then_replayed(f, (x, b), (x2, b2))
    src = _forward(compiled.source)
    assert "broadcast_to" not in src and "np.add(" in src  # np.add broadcasts b itself


def test_broadcast_stays_where_its_result_is_needed_whole(blocks):
    rng = np.random.default_rng(4)
    x, x2 = rng.standard_normal((2, 8, 3))
    b, b2 = rng.standard_normal((2, 3))

    def f(x, b):
        wide = gg.broadcast_to(b, (8, 3))
        return x + wide, wide, gg.broadcast_to(b, (8, 3)).sum(axis=0), -gg.broadcast_to(b, (2, 3))

    compiled = _traced_then_replayed(f, (x, b), (x2, b2))
    src = compiled.source
    # an output, a reduction's input and a shape-changing reader's input: each stays
    assert src.count("broadcast_to(") == 2  # (8, 3) (shared, an output and reduced) and (2, 3)
    assert [o.shape for o in compiled(x2, b2)] == [(8, 3), (8, 3), (3,), (2, 3)]


def test_grad_of_jit_stays_on_the_graph():
    f = jit(lambda x: (gg.tanh(x) ** 2).sum())
    x = np.linspace(-1, 1, 5)
    _same(gg.grad(f)(x), gg.grad(lambda x: (gg.tanh(x) ** 2).sum())(x))


def _mlp_run(compiled, steps=8):
    gg.manual_seed(3)
    model = nn.MLP([6, 12, 3])
    opt = optim.Adam(model.parameters(), lr=1e-2)
    rng = np.random.default_rng(0)

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        return loss.detach()

    run = jit(step) if compiled else step
    losses = []
    for _ in range(steps):
        x, y = rng.standard_normal((16, 6)), rng.integers(0, 3, 16)
        losses.append(run(gg.Tensor(x), gg.Tensor(y)))
        opt.step()
    return losses, [p.data for p in model.parameters()], run


def test_jitted_training_step_equals_eager_step_for_step():
    eager, p_eager, _ = _mlp_run(False)
    compiled, p_jit, run = _mlp_run(True)
    _same(compiled, eager)
    for a, b in zip(p_jit, p_eager, strict=True):
        np.testing.assert_array_equal(a, b)
    assert len(run.cache) == 1 and "# backward" in run.source


def test_optimizer_step_inside_jit_is_refused():
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()
        return x

    with pytest.raises(gg.GradError, match="optimizer.step"):
        jit(step)(np.ones((3, 2)))


def test_outputs_with_a_graph_run_eagerly():
    w = gg.Tensor(np.ones(3), requires_grad=True)
    f = jit(lambda x: (w * x).sum())
    out = f(np.arange(3.0))
    out.backward()
    np.testing.assert_array_equal(w.grad.data, np.arange(3.0))
    assert "runs eagerly" in f.source


def test_an_argument_sharing_memory_with_a_closure_tensor_stays_an_argument():
    w = gg.Tensor(np.arange(3.0))
    f = jit(lambda x: x * w)
    _same(f(w.data), gg.Tensor(np.arange(3.0) ** 2))
    _same(f(np.ones(3)), w)


def _vg_tanh(x, y):
    return gg.tanh(x * y + x).sum()


def test_elementwise_lines_over_a_large_array_run_block_by_block(monkeypatch):
    monkeypatch.setattr(jit_module, "_BLOCK_BYTES", 64)  # 16 float32 a block
    rng = np.random.default_rng(1)
    x, y, x2, y2 = rng.standard_normal((4, 1000)).astype(np.float32)
    f = gg.value_and_grad(_vg_tanh, argnums=(0, 1))
    before = x2.copy(), y2.copy()
    compiled = _traced_then_replayed(f, (x, y), (x2, y2))
    np.testing.assert_array_equal(x2, before[0])  # the caller's arrays are never written
    np.testing.assert_array_equal(y2, before[1])
    src = compiled.source
    assert src.count("for i in range(0, 1000, 16):") == 2  # forward, then backward after sum
    # one full array each side: tanh's values (read by sum), then dy; dx reuses tanh's buffer
    assert src.count("np.empty(") == 2 and "out=t5[s])" in src
    # float32 throughout: no upcast, and sum keeps the dtype
    assert all(o.dtype == np.float32 for o in tree_flatten(compiled(x, y))[0])
    # without the value, sum is dead code: forward and backward are one loop, and only the
    # two gradients are full arrays
    g = gg.grad(_vg_tanh, argnums=(0, 1))
    compiled = _traced_then_replayed(g, (x, y), (x2, y2))
    assert compiled.source.count("for i in") == 1 and compiled.source.count("np.empty(") == 2
    for a, b in zip(compiled(x2, y2), g(x2, y2), strict=True):
        assert a.data.strides == b.data.strides  # the same layout as eager


def test_blocks_never_write_over_arrays_read_later(monkeypatch):
    monkeypatch.setattr(jit_module, "_BLOCK_BYTES", 8)

    def f(x):
        u = gg.exp(x)
        view = u.T  # shares u's memory and is read after the loop
        s = u.sum()
        w = u * 2.0 + u  # a run of lines: u dies here, but its memory lives on in view
        z = gg.sin(w) * w
        return z, view, s * w

    x = np.linspace(-1, 1, 12).reshape(6, 2)
    compiled = _traced_then_replayed(f, (x,), (x * 1.5,))
    assert "for i in range(0, 6, 1):" in compiled.source
    assert "out=u[" not in compiled.source

    def g(x):  # a returned value read for the last time inside the loop, by a temporary
        a = gg.exp(x)
        return a, a * 2.0 + 1.0

    compiled = _traced_then_replayed(g, (x,), (x * 1.5,))
    assert "out=a)" not in compiled.source and "np.exp(x[s], out=a[s])" in compiled.source

    def h(x):  # the first row of u is read by every block: u is not written over
        u = gg.exp(x)
        first, s = u[:1], u.sum()
        return (u * first + u) * s

    compiled = _traced_then_replayed(h, (x,), (x * 1.5,))
    assert "for i in range(0, 6, 1):" in compiled.source and "out=u[" not in compiled.source


def test_arrays_out_of_c_order_are_not_blocked_and_retrace(monkeypatch):
    monkeypatch.setattr(jit_module, "_BLOCK_BYTES", 8)
    f = gg.value_and_grad(lambda x, y: (gg.tanh(x * y + x) ** 2).sum(axis=0).sum(), (0, 1))
    x, y = np.random.default_rng(2).standard_normal((2, 8, 5))
    compiled = jit(f)
    for a, b in [(x, y), (x.T, y.T), (x[::2], y[::2]), (x.T * 2, y.T)]:  # C, F and strided
        _same(compiled(a, b), f(a, b))
        blocked = "blocks that stay in the cache" in compiled.source
        assert blocked == (a.flags.c_contiguous and b.flags.c_contiguous)
    assert len(compiled.cache) == 3  # C order is part of the signature


def test_tensors_read_by_reference_are_read_at_every_call_and_retrace_on_a_new_shape():
    w = gg.Tensor(np.ones(3))
    f = jit(lambda x: gg.exp(x) * w)
    x = np.linspace(0, 1, 3)
    for value in (np.ones(3), np.arange(3.0), np.ones((2, 3)), np.arange(6.0).reshape(2, 3)):
        w.data = value  # as an optimizer replaces a parameter's data
        for _ in range(2):  # traced (or found), then replayed
            _same(f(x), gg.exp(gg.Tensor(x)) * w)
    assert "read from a tensor at each call (float64, (2, 3))" in f.source  # traced again
