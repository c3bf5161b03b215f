"""Module, Parameter and the containers Sequential and ModuleList (PyTorch's interface)."""

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.tensor import Tensor

__all__ = ["Parameter", "Module", "Sequential", "ModuleList"]

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _extra(**kwargs):
    """``extra_repr`` text: ``name=value`` pairs."""
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


class Parameter(Tensor):
    """A leaf Tensor that a Module registers as trainable (requires_grad=True by default).

    Example:
        >>> Parameter([1.0, 2.0]).requires_grad
        True
    """

    __slots__ = ()

    def __init__(self, data, requires_grad=True, dtype=None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of layers and models: sub-modules, parameters and buffers found by attribute.

    Subclasses set attributes in ``__init__`` and define ``forward``; calling the module
    calls ``forward``.

    Example:
        >>> class Affine(Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.w = Parameter([2.0])
        ...     def forward(self, x):
        ...         return self.w * x
        >>> [name for name, _ in Affine().named_parameters()]
        ['w']
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # ---------------------------------------------------------------- registration
    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__() is called "
                f"(call super().__init__() first in {type(self).__name__}.__init__)"
            )
        if name in self._parameters and not isinstance(value, (Parameter, type(None))):
            # e.g. ``m.weight = m.weight - lr * g`` would silently unregister the parameter
            raise TypeError(
                f"cannot assign {type(value).__name__} to parameter {name!r} of "
                f"{type(self).__name__} (a Parameter or None expected; to update it in place "
                f"set {name}.data)"
            )
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        elif name in self.__dict__.get("_buffer_names", ()):
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)
            return
        self.__dict__.pop(name, None)

    def __getattr__(self, name):
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table, {})
            if name in entries:
                return entries[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name):
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_buffer(self, name, tensor):
        """Register a non-trainable tensor (e.g. running statistics) saved in ``state_dict``."""
        self.__dict__.setdefault("_buffer_names", set()).add(name)
        self.__dict__.pop(name, None)
        self._buffers[name] = tensor

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter or None) under ``name``."""
        if param is None:
            self._parameters.pop(name, None)
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def add_module(self, name, module):
        """Register a sub-module under ``name``."""
        if not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module; got {type(module).__name__}")
        self._modules[name] = module

    # ---------------------------------------------------------------- traversal
    def named_modules(self, prefix=""):
        """Yield (dotted name, module) for this module and all its descendants."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        """Yield this module and all its descendants."""
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        """Yield (name, module) for the direct sub-modules."""
        yield from self._modules.items()

    def children(self):
        """Yield the direct sub-modules."""
        yield from self._modules.values()

    def _named_tensors(self, table):
        seen = set()
        for prefix, m in self.named_modules():
            for name, t in getattr(m, table).items():
                if t is not None and id(t) not in seen:
                    seen.add(id(t))
                    yield (f"{prefix}.{name}" if prefix else name), t

    def named_parameters(self):
        """Yield (dotted name, Parameter), each shared parameter once."""
        yield from self._named_tensors("_parameters")

    def parameters(self):
        """Yield the parameters (for an optimizer)."""
        for _, p in self.named_parameters():
            yield p

    def named_buffers(self):
        """Yield (dotted name, buffer)."""
        yield from self._named_tensors("_buffers")

    def buffers(self):
        """Yield the buffers."""
        for _, b in self.named_buffers():
            yield b

    # ---------------------------------------------------------------- state
    def zero_grad(self, set_to_none=True):
        """Clear every parameter's ``.grad`` (None, or zeros if ``set_to_none=False``)."""
        for p in self.parameters():
            p.grad = None if set_to_none or p.grad is None else Tensor._make(np.zeros_like(p.data))

    def train(self, mode=True):
        """Set training mode (Dropout active, BatchNorm uses batch statistics) recursively."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self):
        """Set evaluation mode; same as ``train(False)``."""
        return self.train(False)

    def apply(self, fn):
        """Call ``fn(module)`` on every descendant and on this module (children first)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def _cast(self, dtype):
        for t in self._state_tensors().values():
            if np.issubdtype(t.dtype, np.floating):
                t.data = t.data.astype(dtype)
                t.grad = None
        return self

    def float(self):
        """Cast floating-point parameters and buffers to float32 (gradients are cleared)."""
        return self._cast(np.float32)

    def double(self):
        """Cast floating-point parameters and buffers to float64 (gradients are cleared)."""
        return self._cast(np.float64)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` on every parameter (False freezes the module)."""
        for p in self.parameters():
            p.requires_grad = bool(requires_grad)
        return self

    def state_dict(self):
        """Ordered dict of dotted name → Tensor (parameters and buffers, detached)."""
        return OrderedDict((k, t.detach()) for k, t in self._state_tensors().items())

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from ``state_dict`` into the parameters and buffers.

        Every key and shape is checked before anything is written, so a failing load leaves
        the module untouched. Returns ``(missing_keys, unexpected_keys)``.
        """
        where = f"load_state_dict for {type(self).__name__}"
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"{where}: state_dict must be a dict of name -> Tensor; "
                f"got {type(state_dict).__name__}"
            )
        own = self._state_tensors()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(f"{where}: missing keys {missing}, unexpected keys {unexpected}")
        values = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = np.asarray(
                state_dict[key].data if isinstance(state_dict[key], Tensor) else state_dict[key]
            )
            if value.dtype.kind not in "fiub":
                raise TypeError(
                    f"{where}: {key!r} must be a numeric Tensor or array; got "
                    f"{type(state_dict[key]).__name__} of dtype {value.dtype}"
                )
            if value.shape != target.shape:
                raise ShapeError(
                    f"{where}: size mismatch for {key!r}: "
                    f"expected shape {target.shape}, got {value.shape}"
                )
            values[key] = value
        for key, value in values.items():
            own[key].data = value.astype(own[key].dtype, copy=True)
        return IncompatibleKeys(missing, unexpected)

    def _state_tensors(self):
        out = OrderedDict()
        for prefix, m in self.named_modules():
            for table in (m._parameters, m._buffers):
                for name, t in table.items():
                    if t is not None:
                        out[f"{prefix}.{name}" if prefix else name] = t
        return out

    # ---------------------------------------------------------------- call and repr
    def forward(self, *args, **kwargs):
        """Compute the output; subclasses override this."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def extra_repr(self):
        """The text inside the parentheses of ``repr`` (subclasses override)."""
        return ""

    def __repr__(self):
        lines = []
        for name, child in self._modules.items():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        head = f"{type(self).__name__}("
        extra = self.extra_repr()
        if extra:
            lines.insert(0, "  " + extra)
        return head + "\n" + "\n".join(lines) + "\n)"


class Sequential(Module):
    """Apply modules in order: Sequential(f, g)(x) = g(f(x)).

    Example:
        >>> from glassgrad.nn import Linear, ReLU
        >>> Sequential(Linear(2, 3), ReLU())
        Sequential(
          (0): Linear(in_features=2, out_features=3, bias=True)
          (1): ReLU()
        )
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            modules = modules[0].items()
        else:
            modules = ((str(i), m) for i, m in enumerate(modules))
        for name, m in modules:
            self.add_module(name, m)

    def __getitem__(self, index):
        items = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*items[index])
        return items[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        """Add a module at the end."""
        self.add_module(str(len(self)), module)
        return self

    def forward(self, x):
        """Apply each module to the previous one's output."""
        for m in self._modules.values():
            x = m(x)
        return x


class ModuleList(Module):
    """A list of modules whose parameters are registered (names "0", "1", ...).

    Example:
        >>> from glassgrad.nn.layers import Linear
        >>> len(ModuleList([Linear(2, 2), Linear(2, 1)]))
        2
    """

    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module):
        """Add a module at the end."""
        self.add_module(str(len(self)), module)
        return self

    def __getitem__(self, index):
        return list(self._modules.values())[index]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())
