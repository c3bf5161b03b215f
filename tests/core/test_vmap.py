"""vmap: against a Python loop over the examples on every registry row, and against
torch.func.vmap for per-sample gradients."""

import sys
from pathlib import Path

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.core.transforms import tree_flatten

sys.path.insert(0, str(Path(__file__).parent))
from test_jit import _scalar  # noqa: E402
from test_primitives import ROWS, SPECS  # noqa: E402

TOL = {"rtol": 1e-12, "atol": 1e-13}


def _stack_loop(f, batches, axes):
    """``f`` on each example, outputs stacked on axis 0: the definition vmap must meet."""
    size = next(len(b) for b, ax in zip(batches, axes, strict=True) if ax is not None)
    outs = [
        f(*[b[i] if ax is not None else b for b, ax in zip(batches, axes, strict=True)])
        for i in range(size)
    ]
    leaves = [tree_flatten(o)[0] for o in outs]
    return [np.stack([np.asarray(lv[k].data) for lv in leaves]) for k in range(len(leaves[0]))]


def _close(got, want):
    got = tree_flatten(got)[0]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        np.testing.assert_allclose(g.data, w, **TOL)


def _batch(a):
    return np.stack([a, a * 1.05, a * 0.95])  # three examples in the row's domain


@pytest.mark.parametrize(("name", "i"), ROWS, ids=[f"{n}-{i}" for n, i in ROWS])
def test_vmap_equals_a_loop_on_every_spec_row(name, i):
    f, args = SPECS[name][i]
    batches = [_batch(a) for a in args]
    nums = tuple(range(len(args)))
    for axes in [(0,) * len(args), (0,) + (None,) * (len(args) - 1)]:
        ins = [b if ax is not None else a for a, b, ax in zip(args, batches, axes, strict=True)]
        _close(gg.vmap(f, in_axes=axes)(*ins), _stack_loop(f, ins, axes))
        g = gg.grad(_scalar(f), argnums=nums)
        _close(gg.vmap(g, in_axes=axes)(*ins), _stack_loop(g, ins, axes))


def _loss(params, x, y):
    w1, b1, w2 = params["w1"], params["b1"], params["w2"]
    h = gg.tanh(x @ w1 + b1)
    return gg.log_softmax(h @ w2)[y] * -1.0


def test_per_sample_gradients_match_torch_func():
    torch = pytest.importorskip("torch")
    from torch.func import grad as tgrad
    from torch.func import vmap as tvmap

    rng = np.random.default_rng(0)
    params = {
        "w1": rng.standard_normal((5, 7)),
        "b1": rng.standard_normal(7),
        "w2": rng.standard_normal((7, 3)),
    }
    X, Y = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    ours = gg.vmap(gg.grad(_loss), in_axes=(None, 0, 0))(params, X, Y)

    def tloss(p, x, y):
        h = torch.tanh(x @ p["w1"] + p["b1"])
        return -(torch.log_softmax(h @ p["w2"], -1) * y).sum()  # y one-hot here

    tp = {k: torch.tensor(v) for k, v in params.items()}
    onehot = torch.tensor(np.eye(3)[Y])
    theirs = tvmap(tgrad(tloss), in_dims=(None, 0, 0))(tp, torch.tensor(X), onehot)
    for k in params:
        assert ours[k].shape == (8, *params[k].shape)
        np.testing.assert_allclose(ours[k].data, theirs[k].numpy(), rtol=1e-12, atol=1e-12)
    # and the per-example gradient norms a lab prints
    norms = gg.vmap(lambda g: sum((v * v).sum() for v in g.values()) ** 0.5)(ours)
    want = np.sqrt(sum((theirs[k].numpy().reshape(8, -1) ** 2).sum(1) for k in params))
    np.testing.assert_allclose(norms.data, want, rtol=1e-12)


def test_axes_pytrees_and_composition():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(3)

    def f(d, v):
        return gg.tanh(d["a"] * v).sum(), d["a"] * v

    out = gg.vmap(f, in_axes=({"a": 1}, None), out_axes=(0, 1))({"a": a}, b)
    want = np.stack([gg.tanh(a[:, j] * b).sum().data for j in range(4)])
    np.testing.assert_allclose(out[0].data, want, **TOL)
    np.testing.assert_allclose(out[1].data, a * b[:, None], **TOL)  # batch axis moved to 1
    # nested: a matrix of pairwise values
    pair = gg.vmap(gg.vmap(lambda x, y: (x * y).sum(), in_axes=(None, 0)), in_axes=(0, None))
    np.testing.assert_allclose(pair(a, a).data, a @ a.T, **TOL)
    # jit of vmap of grad, and grad of vmap, against the loop
    g = gg.grad(lambda w, x: gg.sin(x @ w).sum())
    want = np.stack([g(b, a[:, j]).data for j in range(4)])
    jv = gg.jit(gg.vmap(g, in_axes=(None, 1)))
    np.testing.assert_allclose(jv(b, a).data, want, **TOL)
    np.testing.assert_allclose(
        jv(b * 2, a).data, np.stack([g(b * 2, a[:, j]).data for j in range(4)]), **TOL
    )
    total = gg.grad(lambda w: gg.vmap(lambda x: gg.sin(x @ w).sum(), in_axes=1)(a).sum())(b)
    np.testing.assert_allclose(total.data, want.sum(0), **TOL)


def test_per_sample_jacobians_of_an_mlp_match_torch_func_and_a_loop():
    torch = pytest.importorskip("torch")
    from torch.func import jacrev as tjacrev
    from torch.func import vmap as tvmap

    rng = np.random.default_rng(2)
    W1, b1 = rng.standard_normal((7, 5)), rng.standard_normal(5)
    W2, b2 = rng.standard_normal((5, 3)), rng.standard_normal(3)
    X = rng.standard_normal((6, 7))

    def net(x, w1=None):
        return gg.tanh(x @ (gg.Tensor(W1) if w1 is None else w1) + b1) @ W2 + b2

    per_sample = gg.vmap(gg.jacrev(net))
    tw = [torch.tensor(a) for a in (W1, b1, W2, b2)]
    want = tvmap(tjacrev(lambda x: torch.tanh(x @ tw[0] + tw[1]) @ tw[2] + tw[3]))(
        torch.tensor(X)
    ).numpy()
    d = 1 - np.tanh(X @ W1 + b1) ** 2  # closed form: J_b = W2ᵀ diag(d_b) W1ᵀ
    np.testing.assert_allclose(want, np.einsum("hk,bh,ih->bki", W2, d, W1), **TOL)
    jitted = gg.jit(per_sample)
    loop = np.stack([gg.jacrev(net)(x).data for x in X])
    for got in (per_sample(X), jitted(X), loop):
        np.testing.assert_allclose(np.asarray(getattr(got, "data", got)), want, **TOL)
    # one matrix product per layer for the whole batch and basis, nothing stacked per example
    assert jitted.source.count("matmul(") <= 3 and "concatenate" not in jitted.source

    # the per-sample Jacobians stay differentiable in the weights
    def penalty(w1):
        return (gg.vmap(gg.jacrev(lambda x: net(x, w1)))(X) ** 2).sum()

    def tpenalty(w1):
        f = tjacrev(lambda x: torch.tanh(x @ w1 + tw[1]) @ tw[2] + tw[3])
        return (tvmap(f)(torch.tensor(X)) ** 2).sum()

    tgrad = torch.func.grad(tpenalty)(tw[0]).numpy()
    np.testing.assert_allclose(gg.grad(penalty)(W1).data, tgrad, rtol=1e-11, atol=1e-12)


def test_nested_vmap_closes_over_the_outer_batch():
    rng = np.random.default_rng(4)
    xs, ys = rng.standard_normal((3, 4)), rng.standard_normal((5, 4))

    def outer(x):
        return gg.vmap(lambda y: gg.sin(x * y).sum())(ys)

    want = np.sin(xs[:, None, :] * ys[None]).sum(-1)
    np.testing.assert_allclose(gg.vmap(outer)(xs).data, want, **TOL)
    np.testing.assert_allclose(gg.jit(gg.vmap(outer))(xs).data, want, **TOL)


def test_bad_axes_are_reported():
    x = np.ones((3, 2))
    with pytest.raises(ValueError, match="no argument is batched"):
        gg.vmap(lambda x: x, in_axes=None)(x)
    with pytest.raises(gg.ShapeError, match="batch size"):
        gg.vmap(lambda x, y: x + y)(x, np.ones((4, 2)))
    with pytest.raises(ValueError, match="out of range"):
        gg.vmap(lambda x: x, in_axes=2)(x)
    with pytest.raises(gg.ConcretizationError, match="test_vmap.py"):
        gg.vmap(lambda x: x if x.sum() > 0 else -x)(x)
