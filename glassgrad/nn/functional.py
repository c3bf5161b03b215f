"""Activations, losses and layer functions, composed from glassgrad ops (PyTorch names).

Everything here is a composition of core ops, so every function is differentiable to any
order in both modes. The ``naive_*`` helpers keep the textbook formulas for teaching: they
overflow or give NaN where the stable forms do not.
"""

import math

import numpy as np

from glassgrad.core import ops
from glassgrad.core.errors import DTypeError, ShapeError
from glassgrad.core.primitive import Primitive, mask
from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor
from glassgrad.core.tracing import TRACES

# fmt: off
__all__ = [
    "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh", "softplus", "silu", "softmax",
    "log_softmax", "erf", "mse_loss", "l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "naive_softmax",
    "naive_cross_entropy", "naive_binary_cross_entropy", "linear", "conv2d", "max_pool2d",
    "avg_pool2d", "dropout", "layer_norm", "embedding",
]
# fmt: on

_REDUCTIONS = ("mean", "sum", "none")


def _const(value, ref):
    """A constant (no graph) of ``ref``'s dtype."""
    return Tensor._make(np.asarray(value, dtype=ref.dtype))


def _masked(mask, x, fill):
    """where(mask, x, fill) with a constant ``fill``: keeps untaken branches finite."""
    return ops.where(mask, x, _const(fill, x))


# ----------------------------------------------------------------------------- activations

# The core's functions, under PyTorch's F names (no local copies).
erf, relu, sigmoid, tanh = ops.erf, ops.relu, ops.sigmoid, ops.tanh


def leaky_relu(x, negative_slope=0.01):
    """X for x > 0, negative_slope·x otherwise.

    Example:
        >>> leaky_relu(Tensor([-1.0, 2.0]), 0.1)
        Tensor([-0.1,  2. ])
    """
    x = ops.to_tensor(x)
    return ops.where(x.data > 0, x, x * negative_slope)


def elu(x, alpha=1.0):
    """X for x > 0, α(eˣ − 1) otherwise.

    Example:
        >>> elu(Tensor([0.0, 1.0]))
        Tensor([0., 1.])
    """
    x = ops.to_tensor(x)
    pos = x.data > 0
    return ops.where(pos, x, alpha * (ops.exp(_masked(~pos, x, 0.0)) - 1.0))


def gelu(x, approximate="none"):
    """x·Φ(x) = ½x(1 + erf(x/√2)); ``approximate="tanh"``: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).

    Example:
        >>> round(float(gelu(Tensor(1.0))), 6)
        0.841345
    """
    x = ops.to_tensor(x)
    if approximate == "none":
        return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1.0 + ops.tanh(inner))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh'; got {approximate!r}")


def _log1p_exp(z):
    """log(1 + e^z) = logaddexp(0, z): no overflow, full precision for z << 0; derivative σ(z)."""
    return ops.logaddexp(_const(0.0, z), z)


def softplus(x, beta=1.0, threshold=20.0):
    """(1/β)·log(1 + e^{βx}); returns x where βx > threshold (as PyTorch).

    Example:
        >>> round(float(softplus(Tensor(0.0))), 6)
        0.693147
    """
    x = ops.to_tensor(x)
    z = x * beta
    return ops.where(z.data > threshold, x, _log1p_exp(z) / beta)


def silu(x):
    """x·σ(x) (also called swish).

    Example:
        >>> silu(Tensor(0.0))
        Tensor(0.)
    """
    x = ops.to_tensor(x)
    return x * ops.sigmoid(x)


def softmax(x, dim=-1):
    """exp(x_i) / Σ_j exp(x_j) along ``dim``, via log-sum-exp.

    Example:
        >>> softmax(Tensor([0.0, 0.0]))
        Tensor([0.5, 0.5])
    """
    return ops.softmax(x, axis=dim)


def log_softmax(x, dim=-1):
    """x_i − logsumexp(x) along ``dim``.

    Example:
        >>> log_softmax(Tensor([0.0, 0.0])).exp()
        Tensor([0.5, 0.5])
    """
    return ops.log_softmax(x, axis=dim)


# ----------------------------------------------------------------------------- losses


def _reduce(loss, reduction, name, count=None):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return ops.sum(loss)
    if reduction == "mean":
        return ops.sum(loss) / count if count is not None else ops.mean(loss)
    raise ValueError(f"{name}: reduction must be one of {_REDUCTIONS}; got {reduction!r}")


def _pair_inputs(input, target, name):
    input, target = ops.to_tensor(input), ops.to_tensor(target)
    try:
        np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ShapeError(
            f"{name}: input shape {input.shape} and target shape {target.shape} do not broadcast"
        ) from None
    if target.dtype != input.dtype and np.issubdtype(input.dtype, np.floating):
        target = ops.astype(target, input.dtype)
    return input, target


def mse_loss(input, target, reduction="mean"):
    """Mean squared error: reduce((input − target)²).

    Example:
        >>> mse_loss(Tensor([1.0, 3.0]), Tensor([0.0, 0.0]))
        Tensor(5.)
    """
    input, target = _pair_inputs(input, target, "mse_loss")
    d = input - target
    return _reduce(d * d, reduction, "mse_loss")


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error: reduce(|input − target|).

    Example:
        >>> l1_loss(Tensor([1.0, -3.0]), Tensor([0.0, 0.0]))
        Tensor(2.)
    """
    input, target = _pair_inputs(input, target, "l1_loss")
    return _reduce(ops.abs(input - target), reduction, "l1_loss")


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber: ½d² for |d| < δ, δ(|d| − ½δ) otherwise, with d = input − target.

    Example:
        >>> huber_loss(Tensor([0.5, 3.0]), Tensor([0.0, 0.0]), reduction="none")
        Tensor([0.125, 2.5  ])
    """
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive; got {delta!r}")
    input, target = _pair_inputs(input, target, "huber_loss")
    d = input - target
    a = ops.abs(d)
    loss = ops.where(a.data < delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    return _reduce(loss, reduction, "huber_loss")


def _classes_last(x):
    """Move the class axis 1 of (N, C, d1, ...) to the end."""
    if x.ndim <= 2:
        return x
    return ops.transpose(x, (0, *range(2, x.ndim), 1))


def _check_class_targets(input, target, ignore_index, name):
    if not np.issubdtype(target.dtype, np.integer):
        raise DTypeError(
            f"{name}: class targets must be integers (int64); got dtype {target.dtype}. "
            "Pass class probabilities with the same shape as input instead."
        )
    batch_shape = input.shape[:1] + input.shape[2:] if input.ndim >= 2 else ()
    if target.shape != batch_shape:
        raise ShapeError(
            f"{name}: target shape {target.shape} does not match input shape {input.shape} "
            f"(expected target shape {batch_shape})"
        )
    n_classes = input.shape[1] if input.ndim >= 2 else input.shape[0]
    t = target.data
    if TRACES or not t.size or (t.min() >= 0 and t.max() < n_classes):
        return  # under jit/vmap a range check would look at traced values: NumPy's own only
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if np.any(bad):
        raise IndexError(
            f"{name}: target values must be in [0, {n_classes - 1}] for {n_classes} classes; "
            f"got {t[bad].ravel()[:5].tolist()}"
        )


def _pick(logp, target, ignore_index):
    """logp[..., target] per sample (0 where ignored) and the mask of kept samples."""
    if TRACES:  # jit/vmap: the mask and the count are computed again at every call
        keep = mask(lambda t: (t != ignore_index).astype(logp.dtype), target, elementwise=True)
        index = mask(lambda t: np.where(t != ignore_index, t, 0), target, elementwise=True)
        picked = ops.getitem(logp, (*np.indices(target.shape, sparse=True), index))
        return picked * keep, keep, ops.sum(keep)
    t = target.data
    keep = t != ignore_index
    weight, count = Tensor._make(keep.astype(logp.dtype)), int(keep.sum())
    # one index array per batch axis, then the class index: a gather (its gradient scatters)
    picked = ops.getitem(logp, (*np.indices(t.shape, sparse=True), np.where(keep, t, 0)))
    return (picked if count == t.size else picked * weight), weight, count


def nll_loss(input, target, reduction="mean", ignore_index=-100):
    """Negative log-likelihood of log-probabilities: −input[n, target[n]].

    ``input`` is (N, C), (C,) or (N, C, d1, ...); ``target`` holds class indices. The mean
    divides by the number of targets not equal to ``ignore_index``.

    Example:
        >>> nll_loss(Tensor([[-1.0, -2.0]]), Tensor([1]))
        Tensor(2.)
    """
    input, target = ops.to_tensor(input), ops.to_tensor(target)
    _check_class_targets(input, target, ignore_index, "nll_loss")
    picked, _, count = _pick(_classes_last(input), target, ignore_index)
    return _reduce(-picked, reduction, "nll_loss", count=count)


def cross_entropy(input, target, reduction="mean", label_smoothing=0.0, ignore_index=-100):
    """Softmax cross-entropy −Σ_c q_c log softmax(input)_c, stable for any logits.

    ``target`` is class indices (integer, shape (N,)) or class probabilities (float, shape
    of ``input``). With label smoothing ε the target becomes q = (1 − ε)·q + ε/C.

    Example:
        >>> round(float(cross_entropy(Tensor([[0.0, 0.0]]), Tensor([0]))), 6)
        0.693147
    """
    input, target = ops.to_tensor(input), ops.to_tensor(target)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1]; got {label_smoothing}")
    if input.ndim == 0:
        raise ShapeError("cross_entropy: input must have a class axis; got a scalar")
    logp = _classes_last(ops.log_softmax(input, axis=1 if input.ndim >= 2 else 0))
    n_classes = logp.shape[-1]
    if np.issubdtype(target.dtype, np.floating) and target.shape == input.shape:
        q = _classes_last(ops.astype(target, input.dtype))
        if label_smoothing:
            q = (1.0 - label_smoothing) * q + label_smoothing / n_classes
        loss = -ops.sum(q * logp, axis=-1)
        return _reduce(loss, reduction, "cross_entropy")
    _check_class_targets(input, target, ignore_index, "cross_entropy")
    picked, keep, count = _pick(logp, target, ignore_index)
    loss = -picked
    if label_smoothing:
        uniform = -ops.mean(logp, axis=-1) * keep
        loss = (1.0 - label_smoothing) * loss + label_smoothing * uniform
    return _reduce(loss, reduction, "cross_entropy", count=count)


# PyTorch's floor on p(1 − p) in the gradient of binary_cross_entropy: 1e-12 as a float32
_BCE_EPS = float(np.float32(1e-12))


def _bce_forward(p, t):
    with np.errstate(divide="ignore"):  # log 0 = -inf, clamped to -100 below
        return -(t * np.maximum(np.log(p), -100.0) + (1 - t) * np.maximum(np.log(1 - p), -100.0))


def _bce_dinput(p, t):
    return (p - t) / ops.maximum(p * (1.0 - p), _const(_BCE_EPS, p))


def _bce_dtarget(p, t):
    return ops.log(1.0 - p) - ops.log(p)


_bce = Primitive(
    "binary_cross_entropy",
    _bce_forward,
    vjps=(
        lambda g, out, p, t: g * _bce_dinput(p, t),
        lambda g, out, p, t: g * _bce_dtarget(p, t),
    ),
    jvp=lambda tp, tt, out, p, t: tp * _bce_dinput(p, t) + tt * _bce_dtarget(p, t),
    register=False,
)


def binary_cross_entropy(input, target, reduction="mean"):
    """−[t·log p + (1 − t)·log(1 − p)] on probabilities p, each log clamped at −100.

    Derivatives, as PyTorch defines them: ∂/∂p = (p − t)/max(p(1 − p), 10⁻¹²) (finite at
    p = 0 and 1, and not the 0 slope of the clamp), ∂/∂t = log(1 − p) − log p.

    Example:
        >>> round(float(binary_cross_entropy(Tensor([0.5]), Tensor([1.0]))), 6)
        0.693147
    """
    input, target = _pair_inputs(input, target, "binary_cross_entropy")
    if np.any((input.data < 0) | (input.data > 1)):
        raise ValueError(
            "binary_cross_entropy: input must be probabilities in [0, 1]; got values in "
            f"[{input.data.min()}, {input.data.max()}] (use binary_cross_entropy_with_logits)"
        )
    shape = np.broadcast_shapes(input.shape, target.shape)
    loss = _bce(ops.broadcast_to(input, shape), ops.broadcast_to(target, shape))
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input, target, reduction="mean", pos_weight=None):
    """−[w·t·log σ(x) + (1 − t)·log σ(−x)], stable for any logit x.

    With −log σ(x) = softplus(−x) and softplus(x) = x + softplus(−x) this is
    (1 − t)·x + (1 + (w − 1)·t)·softplus(−x): one softplus, PyTorch's formula.

    Example:
        >>> round(float(binary_cross_entropy_with_logits(Tensor([0.0]), Tensor([1.0]))), 6)
        0.693147
    """
    input, target = _pair_inputs(input, target, "binary_cross_entropy_with_logits")
    weight = 1.0
    if pos_weight is not None:
        weight = 1.0 + (ops.to_tensor(pos_weight, like=input) - 1.0) * target
    loss = (1.0 - target) * input + weight * _log1p_exp(-input)
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def kl_div(input, target, reduction="mean", log_target=False):
    """KL(target ‖ exp(input)) pointwise: t·(log t − input), 0 where t = 0.

    ``input`` holds log-probabilities; ``log_target=True`` means ``target`` does too.
    ``reduction="batchmean"`` divides the sum by the batch size (the true KL divergence).

    Example:
        >>> kl_div(Tensor([0.5, 0.5]).log(), Tensor([0.5, 0.5]), reduction="sum")
        Tensor(0.)
    """
    input, target = _pair_inputs(input, target, "kl_div")
    if log_target:
        loss = ops.exp(target) * (target - input)
    else:
        pos = target.data > 0
        loss = ops.where(pos, target * (ops.log(_masked(pos, target, 1.0)) - input), 0.0)
    if reduction == "batchmean":
        return ops.sum(loss) / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction, "kl_div")


def naive_softmax(x, dim=-1):
    """Textbook exp(x)/Σexp(x) with no shift: overflows to nan for logits near 1e3 (teaching).

    Example:
        >>> naive_softmax(Tensor([0.0, 0.0]))
        Tensor([0.5, 0.5])
    """
    e = ops.exp(ops.to_tensor(x))
    return e / ops.sum(e, axis=dim, keepdims=True)


def naive_cross_entropy(input, target):
    """Textbook mean −log softmax(input)[target] via :func:`naive_softmax` (teaching).

    Example:
        >>> round(float(naive_cross_entropy(Tensor([[0.0, 0.0]]), Tensor([0]))), 6)
        0.693147
    """
    input, target = ops.to_tensor(input), ops.to_tensor(target)
    p = naive_softmax(input, dim=-1)
    return -ops.mean(ops.log(p[np.arange(input.shape[0]), target.data]))


def naive_binary_cross_entropy(logits, target):
    """Textbook mean −[t log σ(z) + (1 − t) log(1 − σ(z))], unclamped: inf for |z| ≳ 37 (teaching).

    Example:
        >>> round(float(naive_binary_cross_entropy(Tensor([0.0]), Tensor([1.0]))), 6)
        0.693147
    """
    z, t = ops.to_tensor(logits), ops.to_tensor(target)
    p = 1.0 / (1.0 + ops.exp(-z))
    return -ops.mean(t * ops.log(p) + (1.0 - t) * ops.log(1.0 - p))


# ----------------------------------------------------------------------------- layers


def linear(input, weight, bias=None):
    """Affine map y = x Wᵀ + b; x (..., in), W (out, in), b (out,) → y (..., out).

    Example:
        >>> linear(Tensor([[1.0, 2.0]]), Tensor([[1.0, 1.0]]), Tensor([0.5]))
        Tensor([[3.5]])
    """
    input, weight = ops.to_tensor(input), ops.to_tensor(weight)
    if weight.ndim != 2 or input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ShapeError(
            f"linear: weight must be (out_features, {input.shape[-1] if input.ndim else '?'}) "
            f"for input of shape {input.shape}; got weight shape {weight.shape}"
        )
    out = ops.matmul(input, ops.transpose(weight))
    return out if bias is None else out + bias


def _pair(v, name, low=1):
    """(v, v) for an int v, else the pair v; each entry an int >= ``low`` (else ValueError)."""
    pair = (v, v) if isinstance(v, (int, np.integer)) else v
    ok = isinstance(pair, (tuple, list)) and len(pair) == 2
    if not ok or not all(
        isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k >= low for k in pair
    ):
        kind = "a positive int" if low > 0 else "a non-negative int"
        raise ValueError(f"{name} must be {kind} or a pair of them; got {v!r}")
    return tuple(pair)


def _check_4d(x, name):
    x = ops.to_tensor(x)
    if x.ndim != 4:
        raise ShapeError(f"{name}: expected a 4-D input (N, C, H, W); got shape {x.shape}")
    return x


def _pad2d(x, padding, value):
    """Pad the last two axes of x with a constant."""
    ph, pw = padding
    for axis, p in ((2, ph), (3, pw)):
        if p:
            shape = list(x.shape)
            shape[axis] = p
            block = _const(np.full(shape, value), x)
            x = ops.concatenate([block, x, block], axis=axis)
    return x


def _windows(x, kernel_size, stride, name):
    """Stack the kh·kw strided views of x (N, C, H, W) into (N, C, kh·kw, OH, OW).

    Each view is basic slicing, so this im2col is cheap and differentiable to any order.
    """
    (kh, kw), (sh, sw) = kernel_size, stride
    h, w = x.shape[2:]
    oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
    if oh < 1 or ow < 1:
        raise ShapeError(f"{name}: kernel {kernel_size} is larger than the (padded) input {(h, w)}")
    views = [
        x[:, :, i : i + sh * (oh - 1) + 1 : sh, j : j + sw * (ow - 1) + 1 : sw]
        for i in range(kh)
        for j in range(kw)
    ]
    return ops.stack(views, axis=2)


def conv2d(input, weight, bias=None, stride=1, padding=0):
    """2-D cross-correlation: y[n,o] = b[o] + Σ_{c,i,j} W[o,c,i,j]·x[n,c,s·h+i,s·w+j].

    Shapes: x (N, C, H, W), W (O, C, kh, kw), b (O,) → (N, O, OH, OW) with
    OH = (H + 2p − kh)//s + 1. Computed as im2col (strided slices) and one matmul.

    Example:
        >>> conv2d(Tensor(np.ones((1, 1, 3, 3))), Tensor(np.ones((1, 1, 2, 2)))).shape
        (1, 1, 2, 2)
    """
    x, weight = _check_4d(input, "conv2d"), ops.to_tensor(weight)
    if weight.ndim != 4 or weight.shape[1] != x.shape[1]:
        raise ShapeError(
            f"conv2d: weight must be (out_channels, {x.shape[1]}, kh, kw) for input with "
            f"{x.shape[1]} channels; got weight shape {weight.shape}"
        )
    x = _pad2d(x, _pair(padding, "padding", 0), 0.0)
    cols = _windows(x, weight.shape[2:], _pair(stride, "stride"), "conv2d")
    n, c, k, oh, ow = cols.shape
    cols = ops.reshape(cols, (n, c * k, oh * ow))
    out = ops.matmul(ops.reshape(weight, (weight.shape[0], c * k)), cols)
    out = ops.reshape(out, (n, weight.shape[0], oh, ow))
    return out if bias is None else out + ops.reshape(bias, (1, -1, 1, 1))


def _pool(input, kernel_size, stride, padding, reduce, pad_value, name):
    x = _check_4d(input, name)
    kernel_size = _pair(kernel_size, "kernel_size")
    stride = kernel_size if stride is None else _pair(stride, "stride")
    x = _pad2d(x, _pair(padding, "padding", 0), pad_value)
    return reduce(_windows(x, kernel_size, stride, name), axis=2)


def max_pool2d(input, kernel_size, stride=None, padding=0):
    """Max over each kh×kw window (stride defaults to the kernel size); NCHW.

    Example:
        >>> max_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2)
        Tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    return _pool(input, kernel_size, stride, padding, ops.max, -np.inf, "max_pool2d")


def avg_pool2d(input, kernel_size, stride=None, padding=0):
    """Mean over each kh×kw window (zero padding counted, as PyTorch's default); NCHW.

    Example:
        >>> avg_pool2d(Tensor(np.arange(16.0).reshape(1, 1, 4, 4)), 2)
        Tensor([[[[ 2.5,  4.5],
                  [10.5, 12.5]]]])
    """
    return _pool(input, kernel_size, stride, padding, ops.mean, 0.0, "avg_pool2d")


def _check_p(p, name):
    if not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}: dropout probability p must be in [0, 1]; got {p!r}")
    return float(p)


def dropout(input, p=0.5, training=True, generator=None):
    """Zero each element with probability p and scale the rest by 1/(1 − p) (training only).

    Example:
        >>> dropout(Tensor([1.0, 1.0]), p=0.5, training=False)
        Tensor([1., 1.])
    """
    p = _check_p(p, "dropout")
    x = ops.to_tensor(input)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = get_generator(generator).random(x.shape) >= p
    return x * _const(keep / (1.0 - p), x)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x − mean)/√(var + ε)·γ + β over the trailing ``normalized_shape`` axes (biased var).

    Example:
        >>> layer_norm(Tensor([[1.0, 3.0]]), (2,), eps=0.0)
        Tensor([[-1.,  1.]])
    """
    x = ops.to_tensor(input)
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    if x.shape[x.ndim - len(normalized_shape) :] != normalized_shape:
        raise ShapeError(
            f"layer_norm: input shape {x.shape} does not end with normalized_shape "
            f"{normalized_shape}"
        )
    axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    centred = x - ops.mean(x, axis=axes, keepdims=True)
    y = centred / ops.sqrt(ops.mean(centred * centred, axis=axes, keepdims=True) + eps)
    if weight is not None:
        y = y * weight
    return y if bias is None else y + bias


def embedding(input, weight):
    """Rows of ``weight`` picked by integer indices: out[...] = weight[input[...]].

    Example:
        >>> embedding(Tensor([1]), Tensor([[0.0, 0.0], [1.0, 2.0]]))
        Tensor([[1., 2.]])
    """
    idx = ops.to_tensor(input)
    if not np.issubdtype(idx.dtype, np.integer):
        raise DTypeError(f"embedding: indices must be integers; got dtype {idx.dtype}")
    n = weight.shape[0]
    if idx.size and (idx.data.min() < 0 or idx.data.max() >= n):
        raise IndexError(
            f"embedding: indices must be in [0, {n - 1}] for num_embeddings={n}; got values in "
            f"[{idx.data.min()}, {idx.data.max()}]"
        )
    return weight[idx.data]
