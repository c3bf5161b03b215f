"""PyTorch-style autograd on the one engine, checked against torch (float64) and identities."""

import gc
import sys
import weakref

import numpy as np
import pytest
import torch

import glassgrad as gg
from glassgrad import autograd
from glassgrad.core.tensor import STATE


def _pair(rng, shape=(3,)):
    a = rng.standard_normal(shape)
    return (
        a,
        gg.Tensor(a, requires_grad=True),
        torch.tensor(a, dtype=torch.float64, requires_grad=True),
    )


def test_backward_matches_torch(rng):
    a, x, tx = _pair(rng)
    b, y, ty = _pair(rng)
    (gg.tanh(x * y + x).sum() * gg.exp(y).mean()).backward()
    (torch.tanh(tx * ty + tx).sum() * torch.exp(ty).mean()).backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad, ty.grad.numpy(), rtol=1e-12)


def test_grad_accumulates_and_resets(rng):
    a, x, _ = _pair(rng)
    (x * x).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 4 * a)
    x.grad = None
    (3 * x).sum().backward()
    np.testing.assert_allclose(x.grad, 3.0)
    x.zero_grad()
    assert x.grad is None


def test_backward_with_gradient_seed(rng):
    a, x, tx = _pair(rng)
    seed = rng.standard_normal(3)
    gg.sin(x).backward(gg.Tensor(seed))
    torch.sin(tx).backward(torch.tensor(seed))
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-14)


def test_backward_create_graph_second_derivative(rng):
    a, x, tx = _pair(rng)
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * a, rtol=1e-14)


def test_retain_grad_and_hooks(rng):
    a, x, tx = _pair(rng)
    h = x * 2.0
    h.retain_grad()
    seen = []
    handle = h.register_hook(lambda g: seen.append(g.numpy().copy()))
    x.register_hook(lambda g: g * 10.0)
    (h**2).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * (2 * a))
    np.testing.assert_allclose(seen[0], 4 * a)
    np.testing.assert_allclose(x.grad, 10 * 2 * (4 * a))
    handle.remove()
    (h**2).sum().backward()
    assert len(seen) == 1


def test_non_retained_intermediate_has_no_grad(rng):
    _, x, _ = _pair(rng)
    h = x * 2.0
    h.sum().backward()
    assert h.grad is None and x.grad is not None


def test_detach_cuts_graph(rng):
    a, x, _ = _pair(rng)
    y = (x * x.detach()).sum()
    y.backward()
    np.testing.assert_allclose(x.grad, a)
    assert not x.detach().requires_grad


def test_no_grad_and_enable_grad_context_and_decorator(rng):
    _, x, _ = _pair(rng)
    with gg.no_grad():
        assert not (x * 2).requires_grad
        with gg.enable_grad():
            assert (x * 2).requires_grad
    assert (x * 2).requires_grad

    @gg.no_grad()
    def f(t):
        return t * 2

    @gg.enable_grad()
    def g(t):
        return t * 2

    assert not f(x).requires_grad
    with gg.no_grad():
        assert g(x).requires_grad
    assert gg.is_grad_enabled()


def test_autograd_grad_matches_torch(rng):
    a, x, tx = _pair(rng)
    b, y, ty = _pair(rng)
    gx, gy = autograd.grad((x * gg.sin(y)).sum(), (x, y))
    tgx, tgy = torch.autograd.grad((tx * torch.sin(ty)).sum(), (tx, ty))
    np.testing.assert_allclose(gx, tgx.numpy(), rtol=1e-14)
    np.testing.assert_allclose(gy, tgy.numpy(), rtol=1e-14)
    assert x.grad is None and not gx.requires_grad


def test_autograd_grad_outputs_and_create_graph(rng):
    a, x, tx = _pair(rng)
    seed = rng.standard_normal(3)
    (g,) = autograd.grad(x**3, x, grad_outputs=gg.Tensor(seed), create_graph=True)
    (gg2,) = autograd.grad(g.sum(), x)
    (tg,) = torch.autograd.grad(tx**3, tx, grad_outputs=torch.tensor(seed), create_graph=True)
    (tg2,) = torch.autograd.grad(tg.sum(), tx)
    np.testing.assert_allclose(g.detach(), tg.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(gg2, tg2.numpy(), rtol=1e-14)


def test_autograd_grad_wrt_intermediate(rng):
    a, x, _ = _pair(rng)
    h = gg.exp(x)
    (gh,) = autograd.grad((h * h).sum(), h)
    np.testing.assert_allclose(gh, 2 * np.exp(a), rtol=1e-14)


def test_autograd_grad_unused_input(rng):
    _, x, _ = _pair(rng)
    _, y, _ = _pair(rng)
    with pytest.raises(gg.GradError, match=r"inputs\[1\] of shape \(3,\) was not used"):
        autograd.grad(x.sum(), (x, y))
    gx, gy = autograd.grad(x.sum(), (x, y), allow_unused=True)
    assert gy is None
    np.testing.assert_allclose(gx, 1.0)


def test_autograd_backward_several_outputs(rng):
    a, x, _ = _pair(rng)
    autograd.backward([(x * x).sum(), gg.sin(x)], [None, gg.Tensor(np.ones(3))])
    np.testing.assert_allclose(x.grad, 2 * a + np.cos(a), rtol=1e-14)


def test_grad_transform_equals_backward(rng):
    a, x, _ = _pair(rng)

    def f(t):
        return gg.logsumexp(t * gg.tanh(t))

    f(x).backward()
    np.testing.assert_allclose(gg.grad(f)(a), x.grad, rtol=1e-14)


def test_detect_anomaly_forward_names_op_and_line():
    x = gg.Tensor([-1.0, 1.0], requires_grad=True)
    with pytest.raises(
        gg.AnomalyError, match=r"forward of 'log'.*test_autodiff.py:\d+: y = gg\.log"
    ):
        with gg.detect_anomaly():
            y = gg.log(x)  # noqa: F841
    assert not STATE.anomaly


def test_detect_anomaly_backward_names_op_and_line():
    x = gg.Tensor([0.0, 1.0], requires_grad=True)
    with gg.detect_anomaly():
        y = gg.sqrt(x)
        with pytest.raises(gg.AnomalyError, match=r"rule of 'sqrt'.*:\d+: y = gg\.sqrt\(x\)"):
            y.sum().backward()


def test_detect_anomaly_blames_a_hook_not_the_op_before_it():
    x = gg.Tensor([1.0, 2.0], requires_grad=True)
    with gg.detect_anomaly():
        y = x * 3.0
        y.register_hook(lambda g: g * np.nan)
        with pytest.raises(gg.AnomalyError, match=r"a hook .*returned NaN/Inf.*y = x \* 3\.0") as e:
            y.sum().backward()
    assert "multiply" not in str(e.value)
    leaf = gg.Tensor([1.0], requires_grad=True)
    leaf.register_hook(lambda g: g / 0.0)
    with gg.detect_anomaly(), pytest.raises(gg.AnomalyError, match=r"a hook.*leaf of shape \(1,\)"):
        (leaf * 2.0).sum().backward()


@pytest.mark.parametrize(
    "run",
    [
        lambda y: y.backward(gg.Tensor([np.nan, 1.0])),
        lambda y: gg.autograd.grad(y, [y.parents[0]], grad_outputs=[gg.Tensor([1.0, np.inf])]),
    ],
    ids=["backward", "autograd.grad"],
)
def test_detect_anomaly_blames_the_seed(run):
    x = gg.Tensor([1.0, 2.0], requires_grad=True)
    with gg.detect_anomaly():
        y = x * 3.0
        with pytest.raises(gg.AnomalyError, match="the seed.*output 0.*NaN/Inf") as e:
            run(y)
    assert "multiply" not in str(e.value)


def test_without_detect_anomaly_nan_passes_silently():
    x = gg.Tensor([0.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        gg.sqrt(x).sum().backward()
    assert np.isinf(x.grad.numpy()).all()


@pytest.mark.slow
def test_deep_graph_forward_backward_and_free():
    n = 100_000
    assert n > sys.getrecursionlimit()
    x = gg.Tensor(1.0, requires_grad=True)
    one = gg.Tensor(1.0)
    y = x
    for _ in range(n):
        y = y * one
    y.backward()
    assert float(x.grad) == 1.0
    g = gg.grad(lambda t: sum_chain(t, 1000))(1.0)
    assert float(g) == 1.0
    # forward mode walks the same depth: a JVP and a batched jacfwd through 100,000 ops
    _, t = gg.jvp(lambda t: sum_chain(t * 1.0, n), (2.0,), (3.0,))
    assert float(t) == 3.0
    np.testing.assert_array_equal(gg.jacfwd(lambda t: sum_chain(t, n))(np.ones(2)), np.eye(2))
    # the graph is freed once its output goes: nothing else (no global table) keeps the nodes
    first, last = weakref.ref(x * one), weakref.ref(y)
    del y
    gc.collect()
    assert last() is None and first() is None


def sum_chain(t, n):
    for _ in range(n):
        t = t + 0.0
    return t


def test_float32_preserved_through_backward(rng):
    x = gg.Tensor(rng.standard_normal(3).astype(np.float32), requires_grad=True)
    (gg.tanh(x) * 2.0).sum().backward()
    assert x.grad.dtype == np.float32


# method name -> (call on a Tensor, the NumPy oracle on an array)
METHODS = {
    "prod": (lambda t: t.prod(axis=1), lambda a: a.prod(axis=1)),
    "argmax": (lambda t: t.argmax(axis=0), lambda a: a.argmax(axis=0)),
    "argmin": (lambda t: t.argmin(), lambda a: a.argmin()),
    "clip": (lambda t: t.clip(-0.5, 0.5), lambda a: a.clip(-0.5, 0.5)),
    "cumsum": (lambda t: t.cumsum(axis=1), lambda a: a.cumsum(axis=1)),
    "cumprod": (lambda t: t.cumprod(axis=0), lambda a: a.cumprod(axis=0)),
    "sort": (lambda t: t.sort(), lambda a: np.sort(a)),
    "argsort": (lambda t: t.argsort(axis=0), lambda a: a.argsort(axis=0)),
    "trace": (lambda t: t.trace(), lambda a: a.trace()),
    "diagonal": (lambda t: t.diagonal(1), lambda a: a.diagonal(1)),
    "flip": (lambda t: t.flip(1), lambda a: np.flip(a, 1)),
    "repeat": (lambda t: t.repeat(2, axis=1), lambda a: a.repeat(2, axis=1)),
    "log1p": (lambda t: t.abs().log1p(), lambda a: np.log1p(np.abs(a))),
    "expm1": (lambda t: t.expm1(), np.expm1),
    "var": (lambda t: t.var(axis=1, ddof=1), lambda a: a.var(axis=1, ddof=1)),
    "std": (lambda t: t.std(axis=0), lambda a: a.std(axis=0)),
    "abs": (lambda t: t.abs(), np.abs),
    "sin": (lambda t: t.sin(), np.sin),
    "cos": (lambda t: t.cos(), np.cos),
    "square": (lambda t: t.square(), np.square),
    "ravel": (lambda t: t.ravel(), np.ravel),
    "squeeze": (lambda t: t.reshape(1, 2, 3).squeeze(0), lambda a: a),
    "expand_dims": (lambda t: t.expand_dims(1), lambda a: a[:, None]),
    "swapaxes": (lambda t: t.swapaxes(0, 1), lambda a: a.T),
    "logsumexp": (lambda t: t.logsumexp(axis=1), lambda a: np.log(np.exp(a).sum(axis=1))),
    "softmax": (lambda t: t.softmax(), lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True)),
    "log_softmax": (
        lambda t: t.log_softmax(axis=0),
        lambda a: a - np.log(np.exp(a).sum(0, keepdims=True)),
    ),
}


@pytest.mark.parametrize("name", sorted(METHODS))
def test_tensor_methods_match_numpy(name, rng):
    a = rng.standard_normal((2, 3))
    method, oracle = METHODS[name]
    np.testing.assert_allclose(method(gg.Tensor(a)), oracle(a), rtol=1e-13)


def test_sum_seed_of_ones_is_not_multiplied_in_and_never_aliases(rng):
    # The seed of a sum reaches the first rule as a broadcast constant one; the rule's
    # derivative is then used as is, unless it is one of the rule's inputs or outputs.
    a, c = rng.standard_normal(5), gg.Tensor(rng.standard_normal(5))
    x = gg.Tensor(a, requires_grad=True)
    y = gg.exp(x)
    y.sum().backward()
    assert x.grad is not y and not x.grad.requires_grad
    np.testing.assert_allclose(x.grad, np.exp(a), rtol=1e-15)
    x.grad = None
    (x * c).sum().backward()
    assert x.grad is not c
    np.testing.assert_array_equal(x.grad, c.data)
    (gx,) = gg.autograd.grad(gg.tanh(x).sum(), x)
    np.testing.assert_allclose(gx, 1 - np.tanh(a) ** 2, rtol=1e-15)
