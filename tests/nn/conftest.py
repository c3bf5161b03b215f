"""Shared oracle for tests/nn: copy a glassgrad module's weights into its PyTorch twin and
compare outputs and gradients (input and every parameter)."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.nn import functional as F

TOLS = {np.float64: dict(rtol=1e-10, atol=1e-10), np.float32: dict(rtol=1e-5, atol=1e-5)}


def _as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _torch_dtype(torch, dtype):
    return torch.float64 if dtype == np.float64 else torch.float32


def copy_weights(module, torch_module):
    """Load the glassgrad module's state_dict (same names) into the torch module."""
    torch = pytest.importorskip("torch")
    state = {k: torch.tensor(np.array(v.data)) for k, v in module.state_dict().items()}
    torch_module.load_state_dict(state)


def compare_module(module, torch_module, *inputs, dtype=np.float64, seed=0, grad_inputs=True):
    """Run both modules on ``inputs``; assert equal outputs, input gradients and parameter
    gradients (for a random cotangent on each output)."""
    torch = pytest.importorskip("torch")
    tol = TOLS[dtype]
    torch_module.to(_torch_dtype(torch, dtype))
    copy_weights(module, torch_module)
    float_in = [np.issubdtype(np.asarray(x).dtype, np.floating) for x in inputs]
    ours = [
        gg.Tensor(np.asarray(x, dtype=dtype), requires_grad=grad_inputs) if f else gg.Tensor(x)
        for x, f in zip(inputs, float_in, strict=True)
    ]
    theirs = [
        torch.tensor(np.asarray(x, dtype=dtype), requires_grad=grad_inputs)
        if f
        else torch.tensor(x)
        for x, f in zip(inputs, float_in, strict=True)
    ]
    out, tout = _as_list(module(*ours)), _as_list(torch_module(*theirs))
    assert len(out) == len(tout)
    rng = np.random.default_rng(seed)
    seeds = [rng.standard_normal(o.shape).astype(dtype) for o in out]
    total = sum(((o * gg.Tensor(s)).sum() for o, s in zip(out, seeds, strict=True)), gg.Tensor(0.0))
    ttotal = sum((t * torch.tensor(s)).sum() for t, s in zip(tout, seeds, strict=True))
    for o, t in zip(out, tout, strict=True):
        assert o.dtype == dtype
        np.testing.assert_allclose(o.data, t.detach().numpy(), **tol)
    total.backward()
    ttotal.backward()
    for x, tx, f in zip(ours, theirs, float_in, strict=True):
        if f and grad_inputs:
            np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), **tol)
    tparams = dict(torch_module.named_parameters())
    names = [n for n, _ in module.named_parameters()]
    assert sorted(names) == sorted(tparams)
    for name, p in module.named_parameters():
        np.testing.assert_allclose(p.grad.data, tparams[name].grad.numpy(), **tol, err_msg=name)


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.fixture
def compare():
    return compare_module


def compare_function(ours, theirs, *arrays, dtype=np.float64, seed=0, wrt=None):
    """Compare ``ours(*Tensors)`` with ``theirs(*torch tensors)``: values and the gradients of
    ⟨out, random cotangent⟩ with respect to every floating-point argument (or those in wrt)."""
    torch = pytest.importorskip("torch")
    tol = TOLS[dtype]
    arrays = [np.asarray(a) for a in arrays]
    floating = [np.issubdtype(a.dtype, np.floating) for a in arrays]
    arrays = [a.astype(dtype) if f else a for a, f in zip(arrays, floating, strict=True)]
    if wrt is not None:
        floating = [i in wrt for i in range(len(arrays))]
    xs = [gg.Tensor(a, requires_grad=f) for a, f in zip(arrays, floating, strict=True)]
    ts = [torch.tensor(a, requires_grad=f) for a, f in zip(arrays, floating, strict=True)]
    out, tout = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), **tol)
    assert np.all(np.isfinite(out.data))
    cot = np.random.default_rng(seed).standard_normal(out.shape).astype(dtype)
    (out * gg.Tensor(cot)).sum().backward()
    (tout * torch.tensor(cot)).sum().backward()
    for x, t, f in zip(xs, ts, floating, strict=True):
        if f:
            assert np.all(np.isfinite(x.grad.data))
            np.testing.assert_allclose(x.grad.data, t.grad.numpy(), **tol)


@pytest.fixture
def compare_fn():
    return compare_function


def compare_functional(name, *arrays, dtype=np.float64, seed=0, wrt=None, torch_name=None, **kw):
    """``compare_function`` for ``F.<name>`` against ``torch.nn.functional.<torch_name or name>``,
    both called with the same keyword arguments ``kw``."""
    torch = pytest.importorskip("torch")
    ours = getattr(F, name)
    theirs = getattr(torch.nn.functional, torch_name or name)
    compare_function(
        lambda *xs: ours(*xs, **kw),
        lambda *xs: theirs(*xs, **kw),
        *arrays,
        dtype=dtype,
        seed=seed,
        wrt=wrt,
    )


@pytest.fixture
def compare_F():  # noqa: N802 (named after the module alias F)
    return compare_functional
