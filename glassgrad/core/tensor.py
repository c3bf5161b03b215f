"""Tensor: a NumPy array with a place in the recorded computation graph."""

import threading
import weakref

import numpy as np

from glassgrad.core.errors import DTypeError, GradError, ShapeError

__all__ = [
    "Tensor",
    "tensor",
    "as_tensor",
    "to_tensor",
    "is_tensor",
    "register_numpy_namespace",
    "STATE",
    "node_of",
    "Node",
    "Freed",
]


class _State(threading.local):
    """Switches kept per thread, as PyTorch keeps grad mode: recording, transform depth, anomaly.

    ``depth`` counts the functional transforms (grad, jacobian, ...) tracing in this thread;
    ``keep`` the ``keep_values()`` scopes, inside which the graph keeps every recorded value.
    """

    def __init__(self):
        self.enabled = True
        self.depth = 0
        self.keep = 0
        self.anomaly = False


STATE = _State()
# A recorded result at least this large gets a graph node of its own, which keeps the array only
# when a rule reads it; else the array lives only as long as the caller's Tensor (NumPy elides
# temporaries from the same size on).
LEAN_BYTES = 1 << 18


def _check_dtype(arr, requires_grad, where="Tensor"):
    kind = arr.dtype.kind
    if kind == "c":
        raise DTypeError(f"{where}: complex values are not supported; got dtype {arr.dtype}")
    if kind not in "fiub":
        raise DTypeError(f"{where}: expected numeric data; got dtype {arr.dtype}")
    if requires_grad and kind != "f":
        raise DTypeError(
            f"{where}: requires_grad=True needs a floating dtype (float32 or float64); "
            f"got dtype {arr.dtype}. Convert first, e.g. x.astype('float64')."
        )


class Freed:
    """Shape and dtype of a recorded value that was not kept (no reverse rule reads it).

    It stands in for the array of a graph node; reading its values raises instead of
    giving numbers that are not there.
    """

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape, self.dtype = shape, dtype

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape)))

    def _gone(self, *args, **kwargs):
        raise GradError(
            f"the value of this recorded intermediate (shape {self.shape}, {self.dtype}) was not "
            "kept, since no reverse rule reads it; keep a reference to the Tensor, or record "
            "under glassgrad.keep_values() to keep every value of the graph"
        )

    __array__ = __array_ufunc__ = __array_function__ = __getitem__ = __iter__ = _gone
    __float__ = __bool__ = __len__ = __neg__ = __matmul__ = __rmatmul__ = _gone
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _gone
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = _gone

    def __getattr__(self, name):
        self._gone()

    def __repr__(self):
        return f"<value not kept: shape {self.shape}, {self.dtype}>"


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    ``data`` is the NumPy array. A Tensor made by an operation on Tensors that
    require grad remembers ``op`` (its Primitive), ``parents`` and ``params``,
    which is the graph the reverse and forward sweeps walk.

    Args:
        data: array-like (list, scalar, ndarray or Tensor). Python floats become float64.
        requires_grad: record operations on this tensor and accumulate ``.grad``.
        dtype: optional NumPy dtype to convert to.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        Tensor([2., 4.])
    """

    __slots__ = (
        "data",
        "op",
        "parents",
        "params",
        "requires_grad",
        "_grad",
        "hooks",
        "retains",
        "_name",
        "node",
        "__weakref__",
    )

    def __init__(self, data, requires_grad=False, dtype=None):
        self._grad = self.hooks = self._name = self.node = None
        self.retains = False
        self.op, self.parents, self.params = None, (), None
        try:
            arr = np.asarray(data.data if isinstance(data, Tensor) else data, dtype=dtype)
        except GradError:  # a (nested) list holding traced values: __array__ refused them
            arr = None
        if arr is None or (isinstance(data, Tensor) and _traced(data)):
            if not requires_grad:  # stay in the graph: a stack of the values, or an identity
                self._become(_from_traced(data, dtype))
                return
            if STATE.depth:
                raise GradError(
                    "Tensor(..., requires_grad=True) of traced values inside a transform would "
                    "start a new leaf and lose their gradient; drop requires_grad=True"
                )
            arr = np.asarray(_detached(data), dtype=dtype)  # a new leaf, as torch.tensor does
        _check_dtype(arr, requires_grad)
        self.data = arr
        self.requires_grad = bool(requires_grad)

    def _become(self, node):
        """Take over the value and graph position of the recorded Tensor ``node``."""
        self.data, self.op, self.parents = node.data, node.op, node.parents
        self.params, self.requires_grad, self.node = node.params, node.requires_grad, node.node

    @classmethod
    def _make(cls, arr):
        """Wrap an ndarray without checks (the fast path used by primitives)."""
        t = cls.__new__(cls)
        t.data = arr if type(arr) is np.ndarray else np.asarray(arr)  # a 0-d result stays an array
        t.op = None
        t.parents = ()
        t.params = None
        t.requires_grad = False
        t._grad = None
        t.hooks = None
        t.retains = False
        t._name = None
        t.node = None
        return t

    def _node_attr(name, doc):  # noqa: N805 (a class-body helper)
        """An attribute kept on the graph node, so a large result's Tensor and its node agree."""
        slot = "_" + name

        def get(self):
            return getattr(self if self.node is None else self.node, slot)

        def set_(self, value):
            setattr(self if self.node is None else self.node, slot, value)

        return property(get, set_, doc=doc)

    grad = _node_attr("grad", "The accumulated gradient (leaves, and after ``retain_grad()``).")
    name = _node_attr("name", "An optional label shown by ``explain`` and graph drawings.")
    del _node_attr

    # ----- array facts -------------------------------------------------------------------
    shape = property(lambda self: self.data.shape, doc="Tuple of array dimensions.")
    ndim = property(lambda self: self.data.ndim, doc="Number of dimensions.")
    dtype = property(lambda self: self.data.dtype, doc="NumPy dtype of the data.")
    size = property(lambda self: self.data.size, doc="Number of elements.")
    is_leaf = property(lambda self: self.op is None, doc="True if no recorded op made it.")

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d Tensor")
        return len(self.data)

    # ----- NumPy's dispatch protocols: numpy.sin(t), numpy.dot(a, t), numpy.linalg.norm(t) ----
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        return _numpy_dispatch(getattr(ufunc, method), "numpy", name, inputs, kwargs, True)

    def __array_function__(self, func, types, args, kwargs):
        return _numpy_dispatch(func, func.__module__, func.__name__, args, kwargs, False)

    # ----- leaving the graph: stay differentiable or raise, never a silent zero --------------
    def _leave(self, call, to_array=False):
        """Raise GradError if ``call`` would take a traced value out of the graph.

        Inside a transform every conversion raises (JAX); on the PyTorch-style path only the
        ones to arrays do, and ``item()``/``float()`` stay allowed for logging (PyTorch).
        """
        if not _traced(self) or not (to_array or STATE.depth):
            return
        where = "inside a transform (grad, jacobian, ...)" if STATE.depth else "that requires grad"
        raise GradError(
            f"{call} of a Tensor {where} would turn it into a constant and silently lose its "
            "gradient. Stay in glassgrad: use gg.sin instead of math.sin, glassgrad.numpy "
            "instead of numpy, gg.stack/gg.tensor for lists; or call .detach() if you mean "
            "to stop the gradient."
        )

    def __array__(self, dtype=None, copy=None):
        self._leave("numpy.asarray()", to_array=True)
        arr = self.data if dtype is None else self.data.astype(dtype)
        return arr if type(arr) is np.ndarray else np.asarray(arr)

    def numpy(self):
        """Return the data as an ndarray (no graph); raises for a tensor that requires grad.

        Example:
            >>> Tensor([1.0, 2.0]).numpy()
            array([1., 2.])
        """
        self._leave("numpy()", to_array=True)
        return self.data

    def item(self):
        """Return the value of a one-element tensor as a Python number."""
        self._leave("item()")
        if self.data.size != 1:
            raise ShapeError(f"item(): only one-element tensors convert; got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        """Return the data as (nested) Python lists."""
        self._leave("tolist()")
        return self.data.tolist()

    def __float__(self):
        self._leave("float()")
        return float(self.item())

    def __int__(self):
        self._leave("int()")
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iub":
            raise TypeError(f"only integer tensors can be used as an index; got {self.dtype}")
        return int(self.item())

    def __round__(self, ndigits=None):
        self._leave("round()")
        return round(self.item(), ndigits) if ndigits is not None else round(self.item())

    def __format__(self, spec):
        return format(self.data, spec) if spec else repr(self)

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a Tensor with {self.data.size} elements is ambiguous; "
                "use .any() or .all()"
            )
        return bool(self.data)

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d Tensor")
        return (self[i] for i in range(len(self.data)))

    __hash__ = object.__hash__

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = ""
        if self.data.dtype not in (np.float64, np.int64, np.bool_):
            extra += f", dtype={self.data.dtype}"
        if self.op is not None:
            extra += f", op={self.op.name}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"Tensor({body}{extra})"

    # ----- autograd (PyTorch-style front end) --------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        Args:
            gradient: seed cotangent; required unless ``self`` has one element.
            retain_graph: accepted for PyTorch compatibility; the graph is always kept.
            create_graph: record the backward pass so the gradients can be differentiated.
            inputs: optional tensors to accumulate into instead of all leaves.
        """
        _autodiff.backward(self, gradient, create_graph=create_graph, inputs=inputs)

    def detach(self):
        """Return a tensor sharing the data, cut from the graph."""
        return Tensor._make(self.data)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place on a leaf and return self."""
        if not self.is_leaf:
            raise GradError("requires_grad_() can only change leaf tensors; use detach() first")
        _check_dtype(self.data, requires_grad, "requires_grad_")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor during ``backward()``."""
        if not self.requires_grad:
            raise GradError("retain_grad() on a tensor that does not require grad")
        node_of(self).retains = True

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a return value replaces it.

        Returns:
            A handle whose ``remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise GradError("register_hook() on a tensor that does not require grad")
        node = node_of(self)
        if node.hooks is None:
            node.hooks = []
        node.hooks.append(hook)
        return _HookHandle(node.hooks, hook)

    def zero_grad(self):
        """Set ``.grad`` to None."""
        self.grad = None

    def astype(self, dtype):
        """Return a copy cast to ``dtype`` (differentiable between float dtypes)."""
        return _ops.astype(self, dtype)

    def float(self):
        """Cast to float32 (PyTorch's ``.float()``)."""
        return _ops.astype(self, np.float32)

    def double(self):
        """Cast to float64 (PyTorch's ``.double()``)."""
        return _ops.astype(self, np.float64)

    def __setitem__(self, key, value):
        """``x[key] = value``; a traced value (or a recorded x) records the write, as PyTorch."""
        if self.requires_grad and self.is_leaf:
            raise GradError(
                "in-place assignment into a leaf tensor that requires grad would corrupt the "
                "graph; build a new tensor with where() or concatenate(), or write into a copy"
            )
        if STATE.enabled and (self.requires_grad or _holds_traced(value)):
            old = Tensor._make(self.data)
            old._become(self)
            self._become(_written(old, key, value))
        else:
            if id(self) in _WRITES:  # twins made by earlier reads keep the old array
                self.data = self.data.copy()
            self.data[_ops.index_key(key)] = np.asarray(_detached(value))
        key = id(self)
        if key not in _WRITES:  # nodes that read self before now would be stale
            _WRITES[key] = weakref.ref(self, lambda _: _WRITES.pop(key, None))

    # ----- operators: one-line delegations to ops ----------------------------------------
    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.subtract(self, other)

    def __rsub__(self, other):
        return _ops.subtract(other, self)

    def __mul__(self, other):
        return _ops.multiply(self, other)

    def __rmul__(self, other):
        return _ops.multiply(other, self)

    def __truediv__(self, other):
        return _ops.divide(self, other)

    def __rtruediv__(self, other):
        return _ops.divide(other, self)

    def __pow__(self, other):
        return _ops.power(self, other)

    def __rpow__(self, other):
        return _ops.power(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.absolute(self)

    def __lt__(self, other):
        return _ops.less(self, other)

    def __le__(self, other):
        return _ops.less_equal(self, other)

    def __gt__(self, other):
        return _ops.greater(self, other)

    def __ge__(self, other):
        return _ops.greater_equal(self, other)

    def __eq__(self, other):
        return _ops.equal(self, other)

    def __ne__(self, other):
        return _ops.not_equal(self, other)

    def __invert__(self):
        return _ops.logical_not(self)

    def __and__(self, other):
        return _ops.logical_and(self, other)

    def __or__(self, other):
        return _ops.logical_or(self, other)

    def __getitem__(self, key):
        return _ops.getitem(self, key)

    # ----- methods NumPy and PyTorch users reach for --------------------------------------
    T = property(lambda self: _ops.transpose(self), doc="Reversed axes (NumPy ``.T``).")
    mT = property(lambda self: _ops.swapaxes(self, -1, -2), doc="Last two axes swapped.")

    def sum(self, axis=None, keepdims=False):
        return _ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return _ops.mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return _ops.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return _ops.min(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        return _ops.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes):
        return _ops.transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)

    def tanh(self):
        return _ops.tanh(self)

    def sqrt(self):
        return _ops.sqrt(self)

    def relu(self):
        return _ops.relu(self)

    def sigmoid(self):
        return _ops.sigmoid(self)

    def dot(self, other):
        return _ops.dot(self, other)

    def flatten(self):
        return _ops.ravel(self)

    def ravel(self):
        return _ops.ravel(self)

    def var(self, axis=None, ddof=0, keepdims=False):
        return _ops.var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, ddof=0, keepdims=False):
        return _ops.std(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def abs(self):
        return _ops.absolute(self)

    def sin(self):
        return _ops.sin(self)

    def cos(self):
        return _ops.cos(self)

    def square(self):
        return _ops.square(self)

    def squeeze(self, axis=None):
        return _ops.squeeze(self, axis)

    def expand_dims(self, axis):
        return _ops.expand_dims(self, axis)

    def swapaxes(self, axis1, axis2):
        return _ops.swapaxes(self, axis1, axis2)

    def logsumexp(self, axis=None, keepdims=False):
        return _ops.logsumexp(self, axis=axis, keepdims=keepdims)

    def softmax(self, axis=-1):
        return _ops.softmax(self, axis=axis)

    def log_softmax(self, axis=-1):
        return _ops.log_softmax(self, axis=axis)

    def prod(self, axis=None, keepdims=False):
        return _ops.prod(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, keepdims=False):
        return _ops.argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False):
        return _ops.argmin(self, axis=axis, keepdims=keepdims)

    def clip(self, a_min=None, a_max=None):
        return _ops.clip(self, a_min, a_max)

    def cumsum(self, axis=None):
        return _ops.cumsum(self, axis=axis)

    def cumprod(self, axis=None):
        return _ops.cumprod(self, axis=axis)

    def sort(self, axis=-1):
        return _ops.sort(self, axis=axis)

    def argsort(self, axis=-1):
        return _ops.argsort(self, axis=axis)

    def trace(self, offset=0, axis1=0, axis2=1):
        return _ops.trace(self, offset, axis1, axis2)

    def diagonal(self, offset=0, axis1=0, axis2=1):
        return _ops.diagonal(self, offset, axis1, axis2)

    def flip(self, axis=None):
        return _ops.flip(self, axis)

    def repeat(self, repeats, axis=None):
        return _ops.repeat(self, repeats, axis)

    def log1p(self):
        return _ops.log1p(self)

    def expm1(self):
        return _ops.expm1(self)

    def any(self):
        return bool(np.any(self.data))

    def all(self):
        return bool(np.all(self.data))


class Node(Tensor):
    """The graph node of a large recorded result, apart from the Tensor the caller holds.

    It keeps the value only when a reverse rule reads it (else a ``Freed``), so the array
    lives as long as the caller's Tensor, and a one-off sweep can drop it after use.
    """

    __slots__ = ()
    made = False  # until the first, no parent can be a Node: recording skips the lookup

    def release(self):
        """Drop the value (after the last rule that reads it has run)."""
        self.data = Freed(self.data.shape, self.data.dtype)


def node_of(t):
    """The graph node of ``t``: ``t`` itself, or the lean node recorded for a large result."""
    return t if t.node is None else t.node


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


_TWINS = {}  # NumPy module name -> the glassgrad namespace with the same function names


def register_numpy_namespace(module, namespace):
    """Run ``namespace``'s functions for the same-named NumPy ones called on Tensors.

    ``register_numpy_namespace("numpy.linalg", glassgrad.numpy.linalg)`` makes
    ``numpy.linalg.norm(t)`` run ``glassgrad.numpy.linalg.norm(t)``. Without a registered
    namespace, ``numpy`` functions fall back to the core ops of the same name.
    """
    _TWINS[module] = namespace


# NumPy functions whose result never depends on the values, only on shapes and dtypes.
_VALUE_FREE = {
    "ndim", "shape", "size", "result_type", "iscomplexobj", "isrealobj", "zeros_like",
    "ones_like", "empty_like", "may_share_memory", "shares_memory",
}  # fmt: skip


def _twin(module, name):
    fn = getattr(_TWINS.get(module, _ops if module == "numpy" else None), name, None)
    return fn if callable(fn) and not isinstance(fn, type) else None


def _numpy_dispatch(numpy_fn, module, name, args, kwargs, always_twin):
    """NumPy's ``numpy_fn`` called on Tensors: glassgrad's same-named op, NumPy, or GradError.

    Traced arguments need the differentiable twin; without one the call raises rather than
    return a value cut from the graph. Untraced ones get NumPy's own result, except for ufuncs,
    which keep ``ndarray + Tensor`` a Tensor as ``Tensor + ndarray`` is.
    """
    traced = _holds_traced((args, kwargs)) and name not in _VALUE_FREE
    twin = _twin(module, name) if "out" not in kwargs else None
    if twin is not None and (traced or (always_twin and not kwargs)):
        return twin(*args, **kwargs)
    if traced:
        raise GradError(
            f"{module}.{name} has no differentiable glassgrad version for these arguments, "
            "so its result would silently lose the gradient. Use glassgrad.numpy (or gg ops), "
            "or call .detach() on the inputs if you mean to stop the gradient."
        )
    return numpy_fn(*_detached(args), **_detached(kwargs))


def _traced(t):
    """True for a Tensor whose operations are being recorded."""
    return t.requires_grad and STATE.enabled


def _holds_traced(obj):
    """True if ``obj`` is, or a nest of lists, tuples and dicts holds, a traced Tensor."""
    if isinstance(obj, Tensor):
        return _traced(obj)
    if isinstance(obj, (list, tuple)):
        return any(_holds_traced(o) for o in obj)
    return isinstance(obj, dict) and any(_holds_traced(o) for o in obj.values())


def _detached(obj):
    """``obj`` with every Tensor in a nest of lists, tuples and dicts replaced by its ndarray."""
    if isinstance(obj, Tensor):
        return obj.data
    if isinstance(obj, (list, tuple)):
        return type(obj)(_detached(o) for o in obj)
    return {k: _detached(v) for k, v in obj.items()} if isinstance(obj, dict) else obj


def _stacked(data):
    """A (nested) sequence holding traced values as one recorded Tensor, stacked level by level."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (list, tuple)) and _holds_traced(data):
        return _ops.stack([_stacked(d) for d in data])
    return Tensor._make(np.asarray(data))


def _from_traced(data, dtype):
    """The recorded Tensor equal to ``data`` (a traced Tensor or a nest holding some)."""
    node = _ops.identity(data) if isinstance(data, Tensor) else _stacked(data)
    return node if dtype is None else _ops.astype(node, dtype)


# In-place writes are rare, so their bookkeeping is a dict keyed by id (an entry leaves with its
# tensor) instead of a counter on every Tensor.
_WRITES = {}


def reading(args):
    """``args`` for a node being recorded, each tensor written in place replaced by a twin.

    The twin holds the tensor's present value and graph position, so later writes cannot
    change what the node read.
    """
    if not any(id(a) in _WRITES for a in args):
        return args
    twins = []
    for a in args:
        if id(a) in _WRITES:
            twin, a = a, Tensor._make(a.data)
            a._become(twin)
        twins.append(a)
    return tuple(twins)


def check_versions(node):
    """Raise if an input of ``node`` was written in place after ``node`` read it (as PyTorch)."""
    if any(id(p) in _WRITES for p in node.parents):
        raise GradError(
            f"a tensor that '{node.op.name}' read was written in place afterwards (x[i] = ...), "
            "so the gradient would use the wrong values; write before reading, collect the "
            "values in a list and stack them (glassgrad.numpy.array([...])), or use a copy"
        )


def _written(x, key, value):
    """``x`` with ``x[key] = value``, recorded: x's cotangent is masked, value's gathered."""
    if x.data.dtype.kind != "f":
        raise GradError(
            f"assigning a traced value into a tensor of dtype {x.dtype} would drop its "
            "gradient; create the tensor with a floating dtype (e.g. zeros(n))"
        )
    key = _ops.index_key(key)
    hits = np.zeros(x.shape, np.intp)
    np.add.at(hits, key, 1)
    if hits.max(initial=0) > 1:
        raise GradError("assigning a traced value through repeated indices is ambiguous")
    value = _ops.broadcast_to(_ops.astype(to_tensor(value), x.dtype), x.data[key].shape)
    kept = Tensor._make((hits == 0).astype(x.dtype))
    return x * kept + _ops.index_add(value, key, x.shape)


def is_tensor(x):
    """Return True if ``x`` is a glassgrad Tensor."""
    return isinstance(x, Tensor)


def tensor(data, requires_grad=False, dtype=None):
    """Create a new Tensor holding a copy of ``data`` (PyTorch's ``torch.tensor``).

    Example:
        >>> tensor([1, 2, 3]).dtype
        dtype('int64')
    """
    t = Tensor(data, requires_grad=requires_grad, dtype=dtype)
    if t.op is None:  # a traced nest or tensor stays in the graph; anything else is copied
        t.data = t.data.copy()
    return t


def as_tensor(x, dtype=None):
    """Return ``x`` as a Tensor without copying when it already is one.

    Example:
        >>> as_tensor(2.0)
        Tensor(2.)
    """
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == dtype else x.astype(dtype)
    return Tensor(x, dtype=dtype)


_PY_SCALARS = (int, float, bool)


def to_tensor(x, like=None):
    """Return ``x`` as a Tensor; a Python scalar takes the dtype NumPy gives it next to ``like``.

    Example:
        >>> import numpy as np
        >>> to_tensor(2.0, like=Tensor(np.ones(2, np.float32))).dtype
        dtype('float32')
    """
    if isinstance(x, Tensor):
        return x
    if type(x) in _PY_SCALARS and isinstance(like, Tensor):
        dtype = like.data.dtype  # a Python number next to a float array takes its dtype
        return Tensor._make(np.array(x, dtype if dtype.kind == "f" else np.result_type(dtype, x)))
    return Tensor(x)


# The one import cycle in core: Tensor's methods delegate to the ops (dunders) and to the
# reverse sweep (backward); both modules build Tensors.
from glassgrad.core import autodiff as _autodiff, ops as _ops  # noqa: E402, I001
