"""Layers (PyTorch names, layouts and default init); activation and loss modules have their own."""

import math

import numpy as np

from glassgrad.core import ops
from glassgrad.core.autodiff import no_grad
from glassgrad.core.errors import ShapeError
from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor
from glassgrad.nn import functional as F
from glassgrad.nn import init
from glassgrad.nn.activations import ACTIVATIONS
from glassgrad.nn.module import Module, Parameter, Sequential, _extra

# fmt: off
__all__ = [
    "Identity", "Linear", "MLP", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout",
    "Embedding", "LayerNorm", "BatchNorm1d", "RNN",
]
# fmt: on


def _empty(*shape, dtype=None):
    return Parameter(np.zeros(shape, dtype=dtype or np.float64))


def _check_window(where, kernel_size, stride, padding):
    """Raise ValueError (naming ``where``) unless kernel and stride are positive, padding >= 0."""
    try:
        F._pair(kernel_size, "kernel_size")
        F._pair(stride, "stride")
        F._pair(padding, "padding", 0)
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from None


def _positive_int(value, name):
    """``value`` as an int, or ValueError (naming ``name``) unless it is an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int; got {value!r}")
    return int(value)


def _check_layer(where, dtype, **sizes):
    """Raise a clear error unless every size is a positive int and dtype is floating."""
    for name, n in sizes.items():
        _positive_int(n, f"{where}: {name}")
    if dtype is not None and np.dtype(dtype).kind != "f":
        raise TypeError(f"{where}: dtype must be float32 or float64; got {np.dtype(dtype)}")


def _default_init(weight, bias, generator):
    """PyTorch's Linear/Conv default: kaiming_uniform_(a=√5) for W, U(±1/√fan_in) for b."""
    generator = get_generator(generator)  # one stream for W then b (a seed is used once)
    init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
    if bias is not None:
        bound = 1.0 / math.sqrt(init.calculate_fan_in_and_fan_out(weight)[0])
        init.uniform_(bias, -bound, bound, generator)


class Identity(Module):
    """Return the input unchanged."""

    def forward(self, x):
        """Y = x."""
        return x


class Linear(Module):
    """Affine layer z = x Wᵀ + b with W (out_features, in_features), b (out_features,).

    Example:
        >>> Linear(3, 2, generator=0)(Tensor(np.ones((4, 3)))).shape
        (4, 2)
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None, generator=None):
        super().__init__()
        _check_layer("Linear", dtype, in_features=in_features, out_features=out_features)
        self.in_features, self.out_features = in_features, out_features
        self.weight = _empty(out_features, in_features, dtype=dtype)
        self.bias = _empty(out_features, dtype=dtype) if bias else None
        _default_init(self.weight, self.bias, generator)

    def forward(self, x):
        """X (..., in_features) → (..., out_features)."""
        x = ops.to_tensor(x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ShapeError(
                f"Linear: expected input with last dimension in_features={self.in_features}; "
                f"got input shape {x.shape}"
            )
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return _extra(
            in_features=self.in_features, out_features=self.out_features, bias=self.bias is not None
        )


class MLP(Sequential):
    """Linear layers of the given ``sizes`` with ``activation`` between them (none at the end).

    Example:
        >>> MLP([4, 8, 3], generator=0)
        MLP(
          (0): Linear(in_features=4, out_features=8, bias=True)
          (1): ReLU()
          (2): Linear(in_features=8, out_features=3, bias=True)
        )
    """

    def __init__(self, sizes, activation="relu", bias=True, dtype=None, generator=None):
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least input and output sizes; got {sizes!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"MLP: activation must be one of {sorted(ACTIVATIONS)}; got {activation!r}"
            )
        layers, generator = [], get_generator(generator)  # one stream for all the layers
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            layers.append(Linear(n_in, n_out, bias=bias, dtype=dtype, generator=generator))
            if i < len(sizes) - 2:
                layers.append(ACTIVATIONS[activation]())
        super().__init__(*layers)


class Conv2d(Module):
    """2-D convolution (cross-correlation) on NCHW inputs; W (out, in, kh, kw), b (out,).

    Example:
        >>> Conv2d(1, 4, 3, padding=1, generator=0)(Tensor(np.ones((2, 1, 8, 8)))).shape
        (2, 4, 8, 8)
    """

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride=1,
        padding=0,
        bias=True,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        _check_window("Conv2d", kernel_size, stride, padding)
        kh, kw = F._pair(kernel_size, "kernel_size")
        _check_layer("Conv2d", dtype, in_channels=in_channels, out_channels=out_channels)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = (kh, kw), stride, padding
        self.weight = _empty(out_channels, in_channels, kh, kw, dtype=dtype)
        self.bias = _empty(out_channels, dtype=dtype) if bias else None
        _default_init(self.weight, self.bias, generator)

    def forward(self, x):
        """X (N, C_in, H, W) → (N, C_out, OH, OW)."""
        x = F._check_4d(x, "Conv2d")
        if x.shape[1] != self.in_channels:
            raise ShapeError(
                f"Conv2d: expected in_channels={self.in_channels} at axis 1; "
                f"got input shape {x.shape}"
            )
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={F._pair(self.stride, 'stride')}"
        )
        if self.padding:
            text += f", padding={F._pair(self.padding, 'padding', 0)}"
        return text if self.bias is not None else text + ", bias=False"


class _Pool(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        stride = kernel_size if stride is None else stride
        _check_window(type(self).__name__, kernel_size, stride, padding)
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        """Pool each window of x (N, C, H, W)."""
        return self._fn(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self):
        return _extra(kernel_size=self.kernel_size, stride=self.stride, padding=self.padding)


class MaxPool2d(_Pool):
    """Max over kernel_size windows (NCHW); stride defaults to kernel_size."""

    _fn = staticmethod(F.max_pool2d)


class AvgPool2d(_Pool):
    """Mean over kernel_size windows (NCHW); stride defaults to kernel_size."""

    _fn = staticmethod(F.avg_pool2d)


class Flatten(Module):
    """Merge axes start_dim..end_dim into one: (N, C, H, W) → (N, C·H·W) by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        """Reshape, keeping the axes outside [start_dim, end_dim]."""
        x = ops.to_tensor(x)
        (start,) = ops.normalize_axis(self.start_dim, x.ndim, "Flatten")
        (end,) = ops.normalize_axis(self.end_dim, x.ndim, "Flatten")
        return ops.reshape(x, x.shape[:start] + (-1,) + x.shape[end + 1 :])

    def extra_repr(self):
        return _extra(start_dim=self.start_dim, end_dim=self.end_dim)


class Dropout(Module):
    """In training, zero each element with probability p and scale the rest by 1/(1 − p).

    Example:
        >>> Dropout(0.5).eval()(Tensor([1.0, 2.0]))
        Tensor([1., 2.])
    """

    def __init__(self, p=0.5, generator=None):
        super().__init__()
        self.p = F._check_p(p, "Dropout")
        # a seed becomes one Generator here, so each call draws a new mask (None: the default
        # generator at call time, which follows glassgrad.manual_seed)
        self.generator = None if generator is None else get_generator(generator)

    def forward(self, x):
        """Drop in training mode; identity in eval mode."""
        return F.dropout(x, self.p, self.training, self.generator)

    def extra_repr(self):
        return f"p={self.p}"


class Embedding(Module):
    """Lookup table: out = weight[indices], weight (num_embeddings, embedding_dim) ~ N(0, 1)."""

    def __init__(self, num_embeddings, embedding_dim, dtype=None, generator=None):
        super().__init__()
        _check_layer("Embedding", dtype, num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = init.normal_(
            _empty(num_embeddings, embedding_dim, dtype=dtype), generator=generator
        )

    def forward(self, indices):
        """Integer indices of any shape → (..., embedding_dim)."""
        return F.embedding(indices, self.weight)

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}"


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` axes, then scale γ (1) and shift β (0)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape, self.eps = tuple(normalized_shape), eps
        sizes = {f"normalized_shape[{i}]": n for i, n in enumerate(self.normalized_shape)}
        _check_layer("LayerNorm", dtype, **sizes)
        self.elementwise_affine = elementwise_affine
        self.weight = (
            init.ones_(_empty(*self.normalized_shape, dtype=dtype)) if elementwise_affine else None
        )
        self.bias = (
            _empty(*self.normalized_shape, dtype=dtype) if elementwise_affine and bias else None
        )

    def forward(self, x):
        """Normalise, scale and shift: (x − mean)/√(var + ε)·γ + β."""
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        flags = _extra(elementwise_affine=self.elementwise_affine, bias=self.bias is not None)
        return f"{self.normalized_shape}, eps={self.eps}, {flags}"


class BatchNorm1d(Module):
    """Batch normalisation over (N, C) or (N, C, L) with running statistics (as PyTorch).

    Training: normalise with the batch mean and biased variance, and update
    running = (1 − momentum)·running + momentum·batch (unbiased variance). Eval: use the
    running statistics.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, bias=True, dtype=None):
        super().__init__()
        _check_layer("BatchNorm1d", dtype, num_features=num_features)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = init.ones_(_empty(num_features, dtype=dtype)) if affine else None
        self.bias = _empty(num_features, dtype=dtype) if affine and bias else None
        dt = dtype or np.float64
        self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dt)))
        self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dt)))
        self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))

    def forward(self, x):
        """Normalise each channel (axis 1)."""
        x = ops.to_tensor(x)
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ShapeError(
                f"BatchNorm1d: expected input (N, C) or (N, C, L) with "
                f"C = num_features = {self.num_features}; "
                f"got shape {x.shape}"
            )
        axes = (0,) if x.ndim == 2 else (0, 2)
        shape = (1, -1) if x.ndim == 2 else (1, -1, 1)
        if self.training:
            mean = ops.mean(x, axis=axes, keepdims=True)
            var = ops.mean((x - mean) * (x - mean), axis=axes, keepdims=True)
            self._update_running(mean.data.reshape(-1), var.data.reshape(-1), x.size // x.shape[1])
        else:
            mean = ops.reshape(self.running_mean, shape)
            var = ops.reshape(self.running_var, shape)
        y = (x - mean) / ops.sqrt(var + self.eps)
        if self.weight is not None:
            y = y * ops.reshape(self.weight, shape)
        if self.bias is not None:
            y = y + ops.reshape(self.bias, shape)
        return y

    def _update_running(self, mean, var, n):
        if n < 2:
            raise ValueError(f"BatchNorm1d: training needs more than 1 value per channel; got {n}")
        with no_grad():
            self.num_batches_tracked.data = self.num_batches_tracked.data + 1
            # momentum=None: cumulative average over all batches seen (as PyTorch)
            m = (
                self.momentum
                if self.momentum is not None
                else 1.0 / self.num_batches_tracked.item()
            )
            self.running_mean.data = (1 - m) * self.running_mean.data + m * mean
            self.running_var.data = (1 - m) * self.running_var.data + m * var * n / (n - 1)

    def extra_repr(self):
        flags = _extra(affine=self.weight is not None, bias=self.bias is not None)
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, {flags}"


class RNN(Module):
    """Single-layer Elman RNN: h_t = act(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh).

    Input (L, N, input_size) (or (N, L, input_size) with ``batch_first``, or unbatched
    (L, input_size)); returns ``(output, h_n)`` with output (L, N, hidden) and h_n (1, N, hidden),
    like ``torch.nn.RNN``. All weights start U(±1/√hidden_size).

    Example:
        >>> out, h = RNN(3, 5, generator=0)(Tensor(np.zeros((7, 2, 3))))
        >>> out.shape, h.shape
        ((7, 2, 5), (1, 2, 5))
    """

    def __init__(
        self,
        input_size,
        hidden_size,
        nonlinearity="tanh",
        batch_first=False,
        bias=True,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu'; got {nonlinearity!r}")
        _check_layer("RNN", dtype, input_size=input_size, hidden_size=hidden_size)
        self.input_size, self.hidden_size = input_size, hidden_size
        self.nonlinearity, self.batch_first = nonlinearity, batch_first
        self.weight_ih_l0 = _empty(hidden_size, input_size, dtype=dtype)
        self.weight_hh_l0 = _empty(hidden_size, hidden_size, dtype=dtype)
        self.bias_ih_l0 = _empty(hidden_size, dtype=dtype) if bias else None
        self.bias_hh_l0 = _empty(hidden_size, dtype=dtype) if bias else None
        bound, generator = 1.0 / math.sqrt(hidden_size), get_generator(generator)
        for p in self.parameters():
            init.uniform_(p, -bound, bound, generator)

    def forward(self, x, h0=None):
        """Run the sequence; returns (all hidden states, last hidden state)."""
        x = ops.to_tensor(x)
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            raise ShapeError(
                f"RNN: expected input (L, N, {self.input_size}) or (L, {self.input_size}); "
                f"got shape {x.shape}"
            )
        unbatched = x.ndim == 2
        if unbatched:
            x = ops.expand_dims(x, 1)
        elif self.batch_first:
            x = ops.swapaxes(x, 0, 1)
        if h0 is None:
            h = ops.const_like(np.zeros((x.shape[1], self.hidden_size)), x)
        else:
            h = ops.reshape(ops.to_tensor(h0), (x.shape[1], self.hidden_size))
        act = ops.tanh if self.nonlinearity == "tanh" else ops.relu
        xs = F.linear(x, self.weight_ih_l0, self.bias_ih_l0)  # input part for all steps at once
        states = []
        for t in range(x.shape[0]):
            h = act(xs[t] + F.linear(h, self.weight_hh_l0, self.bias_hh_l0))
            states.append(h)
        out = ops.stack(states, axis=0)
        if unbatched:
            return ops.squeeze(out, 1), ops.reshape(h, (1, self.hidden_size))
        if self.batch_first:
            out = ops.swapaxes(out, 0, 1)
        return out, ops.expand_dims(h, 0)

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}"
