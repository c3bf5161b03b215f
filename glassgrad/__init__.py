"""glassgrad: the mathematics of deep learning, differentiable and visible.

Example:
    >>> import glassgrad as gg
    >>> gg.grad(lambda x: x ** 2)(3.0)
    Tensor(6.)
"""

# fmt: off
# ruff: noqa: I001, F401
from glassgrad.core.autodiff import (
    AnomalyError, detect_anomaly, enable_grad, is_grad_enabled, keep_values, no_grad,
    set_grad_enabled,
)
from glassgrad.core.errors import (
    ConcretizationError, DTypeError, GlassgradError, GradError, ShapeError,
)
from glassgrad.core import ops as _ops
from glassgrad.core.jit import (
    jit,
)
from glassgrad.core.primitive import (
    BATCHING, REGISTRY, Primitive, binary, linear, nondifferentiable, unary,
)
from glassgrad.core.random import (
    manual_seed,
)
from glassgrad.core.tensor import (
    Tensor, as_tensor, is_tensor, tensor,
)
from glassgrad.core.transforms import (
    custom_jvp, custom_vjp, grad, graph_jacobian, hessian, hessian_rev, hvp, jacfwd, jacobian,
    jacrev, jvp, linearize, tree_flatten, tree_unflatten, value_and_grad, vjp,
)
from glassgrad.core.vmap import (
    vmap,
)

__version__ = "0.1.0"

# Subpackages load on first use (PEP 562), so `import glassgrad` needs NumPy alone and stays fast.
_SUBPACKAGES = ("nn", "optim", "data", "linalg", "prob", "analysis", "viz", "testing", "numpy",
                "autograd", "io", "training", "labs", "parallel")


# Functions of a layer above the core, also loaded on first use: gg.save / gg.load / gg.sweep.
_LAZY = {"save": "io", "load": "io", "sweep": "parallel"}


def __getattr__(name):
    if name in _SUBPACKAGES or name in _LAZY:
        import importlib

        module = importlib.import_module(f"glassgrad.{_LAZY.get(name, name)}")
        return getattr(module, name) if name in _LAZY else module
    raise AttributeError(f"module 'glassgrad' has no attribute {name!r}")


globals().update({name: getattr(_ops, name) for name in _ops.PUBLIC})  # the ops' one list
__all__ = sorted(
    [n for n, v in globals().items() if n[0] != "_" and type(v) is not type(_ops)]
    + list(_LAZY)
)
# fmt: on
