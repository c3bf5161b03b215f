"""PyTorch's ``torch.autograd`` front end on glassgrad's one reverse sweep.

``grad`` returns gradients instead of accumulating them; ``backward`` accumulates into
``.grad`` as ``Tensor.backward`` does, for several outputs at once.
"""

from glassgrad.core.autodiff import (
    as_seeds,
    backward_pass,
    detect_anomaly,
    enable_grad,
    no_grad,
    set_grad_enabled,
)
from glassgrad.core.autodiff import backward as _backward
from glassgrad.core.errors import GradError
from glassgrad.core.tensor import Tensor, node_of

__all__ = ["grad", "backward", "no_grad", "enable_grad", "set_grad_enabled", "detect_anomaly"]


def _as_list(x, name):
    items = [x] if isinstance(x, Tensor) else list(x)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"autograd: {name}[{i}] must be a Tensor; got {type(t).__name__}")
    return items


def grad(outputs, inputs, grad_outputs=None, create_graph=False, allow_unused=False):
    """Return the gradients of ``outputs`` with respect to ``inputs`` (``torch.autograd.grad``).

    Computes Σ_k J_kᵀ·grad_outputs[k] for each input, where J_k = ∂outputs[k]/∂input.
    Nothing is written to ``.grad``.

    Args:
        outputs: a Tensor or a sequence of Tensors.
        inputs: a Tensor or a sequence of Tensors (leaves or intermediates) that require grad.
        grad_outputs: seed cotangents, one per output (None for one-element outputs).
        create_graph: record the sweep so that the results can be differentiated again.
        allow_unused: return None for an input the outputs do not depend on (else an error).

    Returns:
        A tuple with one gradient (or None) per input.

    Example:
        >>> x = Tensor(3.0, requires_grad=True)
        >>> grad(x ** 2, x)
        (Tensor(6.),)
    """
    outputs, inputs = _as_list(outputs, "outputs"), _as_list(inputs, "inputs")
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise GradError(f"autograd.grad: inputs[{i}] of shape {x.shape} does not require grad")
    seeds = as_seeds(outputs, grad_outputs, "autograd.grad")
    _, cot = backward_pass(outputs, seeds, inputs, create_graph=create_graph)
    result = []
    for i, x in enumerate(inputs):
        g = cot.get(id(node_of(x)))
        if g is None and not allow_unused:
            raise GradError(
                f"autograd.grad: inputs[{i}] of shape {x.shape} was not used to compute the "
                "outputs; pass allow_unused=True to get None for it"
            )
        result.append(g)
    return tuple(result)


def backward(tensors, grad_tensors=None, create_graph=False, inputs=None):
    """Accumulate gradients of ``tensors`` into ``.grad`` (``torch.autograd.backward``).

    Each leaf (or each of ``inputs``) gets Σ_k J_kᵀ·grad_tensors[k] added to its ``.grad``.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> backward([(x * x).sum(), x.sum()])
        >>> x.grad
        Tensor([3., 5.])
    """
    _backward(
        _as_list(tensors, "tensors"),
        grad_tensors,
        create_graph,
        None if inputs is None else _as_list(inputs, "inputs"),
    )
