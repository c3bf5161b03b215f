"""``to_torch``: the equivalent ``torch.nn`` module of a glassgrad model, with its weights.

A model that outgrows the library continues in PyTorch (distributed data parallel, GPUs):
every glassgrad layer that has a ``torch.nn`` twin is rebuilt with the same options, and the
state dict (parameters and buffers, same names, shapes and dtypes) is assigned to it. torch
is imported inside the function only; it is never a dependency of glassgrad.
"""

import numpy as np

__all__ = ["to_torch"]


def _window(tnn, name):
    return lambda m: getattr(tnn, name)(m.kernel_size, m.stride, m.padding)


def _builders(tnn):
    """Layer name → a function building its ``torch.nn`` twin (without the weights)."""
    return {
        "Identity": lambda m: tnn.Identity(),
        "Linear": lambda m: tnn.Linear(m.in_features, m.out_features, bias=m.bias is not None),
        "Conv2d": lambda m: tnn.Conv2d(m.in_channels, m.out_channels, m.kernel_size,
                                       m.stride, m.padding, bias=m.bias is not None),
        "MaxPool2d": _window(tnn, "MaxPool2d"),
        "AvgPool2d": _window(tnn, "AvgPool2d"),
        "Flatten": lambda m: tnn.Flatten(m.start_dim, m.end_dim),
        "Dropout": lambda m: tnn.Dropout(m.p),
        "Embedding": lambda m: tnn.Embedding(m.num_embeddings, m.embedding_dim),
        "LayerNorm": lambda m: tnn.LayerNorm(m.normalized_shape, m.eps, m.elementwise_affine,
                                             bias=m.bias is not None),
        "BatchNorm1d": lambda m: tnn.BatchNorm1d(m.num_features, m.eps, m.momentum,
                                                 affine=m.weight is not None),
        "RNN": lambda m: tnn.RNN(m.input_size, m.hidden_size, nonlinearity=m.nonlinearity,
                                 bias=m.bias_ih_l0 is not None, batch_first=m.batch_first),
    }  # fmt: skip


def _convert(module, torch, builders):
    """The ``torch.nn`` twin of ``module`` and its children (weights not yet copied)."""
    tnn, cls = torch.nn, type(module)
    name = cls.__name__
    if not cls.__module__.startswith("glassgrad.nn"):  # a user's subclass may change forward
        name = None
    if name in ("Sequential", "MLP", "ModuleList"):
        kids = [_convert(m, torch, builders) for m in module.children()]
        return tnn.ModuleList(kids) if name == "ModuleList" else tnn.Sequential(*kids)
    if name == "BatchNorm1d" and module.weight is not None and module.bias is None:
        name = None  # torch's affine batch norm always has a bias
    if name in builders:
        return builders[name](module)
    options = getattr(module, "options", None)
    if name is not None and options is not None and hasattr(tnn, name):  # activations, losses
        kwargs = {k: torch.from_numpy(np.array(v.data)) if hasattr(v, "data") else v
                  for k, v in options.items()}  # fmt: skip
        return getattr(tnn, name)(**kwargs)
    raise TypeError(
        f"to_torch: {cls.__module__}.{cls.__qualname__} has no torch.nn equivalent; supported: "
        f"Sequential, MLP, ModuleList, {', '.join(builders)}, and the activation and loss "
        "modules"
    )


def to_torch(module):
    """Build the ``torch.nn`` module equivalent to ``module``, holding a copy of its state.

    Parameters and buffers keep their names, shapes, values and dtypes (so ``float64`` stays
    ``float64``), and the training/eval mode is kept. ``MLP`` becomes a ``torch.nn.Sequential``.

    Raises:
        TypeError: ``module`` (or a layer inside it) has no ``torch.nn`` twin, e.g. a
            ``LoRALinear`` or a user-defined module.

    Example:
        >>> from glassgrad.nn import MLP
        >>> to_torch(MLP([3, 4, 2], generator=0))
        Sequential(
          (0): Linear(in_features=3, out_features=4, bias=True)
          (1): ReLU()
          (2): Linear(in_features=4, out_features=2, bias=True)
        )
    """
    import torch

    from glassgrad.nn.module import Module

    if not isinstance(module, Module):
        raise TypeError(f"to_torch: expected a glassgrad Module; got {type(module).__name__}")
    twin = _convert(module, torch, _builders(torch.nn))
    state = {k: torch.from_numpy(np.array(t.data)) for k, t in module.state_dict().items()}
    twin.load_state_dict(state, strict=True, assign=True)  # assign keeps the dtypes
    return twin.train(module.training)
