"""LoRA: fine-tune a frozen ``Linear`` through a low-rank update ΔW = (α/r)·B A.

A (r × in) starts Kaiming-uniform and B (out × r) starts at zero, so the wrapped layer starts
exactly equal to the base layer; only A and B train: r(in + out) numbers instead of in·out.
"""

import math

import numpy as np

from glassgrad.core import ops
from glassgrad.core.autodiff import no_grad
from glassgrad.core.random import get_generator
from glassgrad.nn import functional as F
from glassgrad.nn import init
from glassgrad.nn.layers import Linear, _positive_int
from glassgrad.nn.module import Module, Parameter

__all__ = ["LoRALinear", "LoRAParamCount", "lora_param_count"]


class LoRAParamCount(int):
    """The number of LoRA parameters r(d_in + d_out), carrying the comparison with full tuning.

    Attributes: ``lora`` (the value itself), ``full`` = d_out·d_in and ``saving`` = 1 − lora/full.
    """

    def __new__(cls, d_out, d_in, r):
        self = super().__new__(cls, r * (d_in + d_out))
        self.lora, self.full = int(self), d_out * d_in
        self.saving = 1.0 - self.lora / self.full
        return self

    def __getitem__(self, key):
        if key not in ("full", "lora", "saving"):
            raise KeyError(f"LoRAParamCount: key must be 'full', 'lora' or 'saving'; got {key!r}")
        return getattr(self, key)

    def __repr__(self):
        return f"LoRAParamCount(lora={self.lora}, full={self.full}, saving={self.saving:.1%})"


def lora_param_count(d_out, d_in, r):
    """Trainable numbers of a rank-r LoRA update of a d_out × d_in weight: r(d_in + d_out).

    Example:
        >>> count = lora_param_count(1000, 1000, 16)
        >>> count
        LoRAParamCount(lora=32000, full=1000000, saving=96.8%)
        >>> count == 32_000, count["full"], round(count.saving, 3)
        (True, 1000000, 0.968)
    """
    d_out = _positive_int(d_out, "lora_param_count: d_out")
    d_in = _positive_int(d_in, "lora_param_count: d_in")
    return LoRAParamCount(d_out, d_in, _positive_int(r, "lora_param_count: r"))


class LoRALinear(Module):
    """A frozen ``Linear`` plus a trainable low-rank update (Hu et al., 2021).

    y = base(x) + (α/r)·dropout(x) Aᵀ Bᵀ, with A ~ U(−1/√in, 1/√in) (Kaiming-uniform with
    a = √5, as PyTorch and PEFT) and B = 0. ``merge()`` folds (α/r)·B A into the base weight and
    ``unmerge()`` takes it out again; the output is unchanged either way.

    Example:
        >>> layer = LoRALinear(Linear(1000, 1000, bias=False), r=16)
        >>> layer.num_trainable, layer.num_total
        (32000, 1032000)
    """

    def __init__(self, base, r, alpha=1.0, dropout=0.0, generator=None):
        super().__init__()
        if not isinstance(base, Linear):
            raise TypeError(f"LoRALinear: base must be an nn.Linear; got {type(base).__name__}")
        d_out, d_in = base.weight.shape
        r = _positive_int(r, "LoRALinear: r")
        if not isinstance(alpha, (int, float)) or isinstance(alpha, bool):
            raise TypeError(f"LoRALinear: alpha must be a number; got {alpha!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"LoRALinear: dropout must be in [0, 1); got {dropout!r}")
        for p in base.parameters():
            p.requires_grad = False
        self._rng = get_generator(generator)
        dtype = base.weight.dtype
        self.base = base
        self.lora_A = Parameter(np.zeros((r, d_in), dtype=dtype))
        init.kaiming_uniform_(self.lora_A, a=math.sqrt(5), generator=self._rng)  # b = 1/√in
        self.lora_B = Parameter(np.zeros((d_out, r), dtype=dtype))
        self.r, self.alpha, self.scaling, self.dropout = r, alpha, alpha / r, dropout
        self.merged = False

    def delta_weight(self):
        """The update ΔW = (α/r)·B A, shape (out_features, in_features)."""
        return ops.matmul(self.lora_B, self.lora_A) * self.scaling

    def forward(self, x):
        out = self.base(x)
        if self.merged:
            return out
        x = F.dropout(x, self.dropout, self.training, generator=self._rng)
        h = ops.matmul(x, ops.transpose(self.lora_A))
        return out + ops.matmul(h, ops.transpose(self.lora_B)) * self.scaling

    def _fold(self, sign, merged):
        if self.merged == merged:
            state = "merged" if merged else "unmerged"
            raise RuntimeError(f"LoRALinear: the update is already {state}")
        with no_grad():
            self.base.weight.data = self.base.weight.data + sign * self.delta_weight().data
        self.merged = merged
        return self

    def merge(self):
        """Fold ΔW into the base weight (W ← W + ΔW) for inference; returns self."""
        return self._fold(1.0, True)

    def unmerge(self):
        """Take ΔW back out of the base weight (W ← W − ΔW); returns self."""
        return self._fold(-1.0, False)

    def trainable_parameters(self):
        """The parameters that train: ``[lora_A, lora_B]``."""
        return [p for p in self.parameters() if p.requires_grad]

    @property
    def num_trainable(self):
        """Number of trainable numbers, r(in + out)."""
        return sum(p.size for p in self.trainable_parameters())

    @property
    def num_total(self):
        """Number of all numbers, frozen base included."""
        return sum(p.size for p in self.parameters())

    def extra_repr(self):
        return f"r={self.r}, alpha={self.alpha}, dropout={self.dropout}, merged={self.merged}"
