"""Save and load tensors and state dicts: safetensors or ``.npz``, atomic, never pickle.

A file holds either one Tensor or a dict name → Tensor (nested dicts are flattened to dotted
names, as in ``Module.state_dict()``). The format follows the suffix: ``.safetensors``
(needs the ``safetensors`` package) or ``.npz``. Writes go to a temporary file in the same
folder that replaces the target only when complete, so a crash never leaves half a file.
Loading checks integrity (zip CRCs for ``.npz``, a SHA-256 digest for ``.safetensors``) and
never unpickles anything.
"""

import hashlib
import os
import tempfile

import numpy as np

from glassgrad.core.tensor import Tensor

__all__ = ["save", "load", "flatten_state", "to_torch_state_dict", "from_torch_state_dict"]

_FORMATS = (".safetensors", ".npz")
_KIND_KEY = "__glassgrad_kind__"  # npz entry saying "tensor" or "dict"
_SINGLE = "tensor"  # the name a lone Tensor is stored under


def flatten_state(obj, prefix="", out=None):
    """Flatten nested dicts of Tensors/arrays into one dict with dotted names (ndarray values).

    Example:
        >>> flat = flatten_state({"layer": {"weight": Tensor([1.0]), "bias": Tensor([0.0])}})
        >>> sorted(flat)
        ['layer.bias', 'layer.weight']
    """
    out = {} if out is None else out
    for key, value in obj.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"glassgrad.io: keys must be non-empty strings; got {key!r}")
        name = prefix + key
        if isinstance(value, dict):
            flatten_state(value, name + ".", out)
            continue
        arr = value.data if isinstance(value, Tensor) else value
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "fiub":
            raise TypeError(
                f"glassgrad.io: {name!r} must be a Tensor or a numeric ndarray; got "
                f"{type(value).__name__}"
                + (f" of dtype {arr.dtype}" if hasattr(arr, "dtype") else "")
            )
        if name in out:
            raise ValueError(f"glassgrad.io: two entries flatten to the same name {name!r}")
        out[name] = np.ascontiguousarray(arr)
    return out


def _suffix(path, where):
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{where}: path must be a str or os.PathLike; got {type(path).__name__}")
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in _FORMATS:
        raise ValueError(f"{where}: path must end in .safetensors or .npz; got {path!r}")
    return path, ext


def _digest(arrays):
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = arrays[name]
        h.update(f"{name}|{a.dtype.str}|{a.shape}|".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _safetensors(where):
    try:
        import safetensors.numpy as st
    except ImportError as err:
        raise ImportError(
            f"{where}: .safetensors files need the safetensors package (pip install "
            "safetensors); or use a .npz path"
        ) from err
    return st


def _write_atomic(path, write):
    """Call ``write(fileobj)`` on a temp file next to ``path``, then move it into place."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"glassgrad.io.save: the folder {folder!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=os.path.basename(path), dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def save(obj, path):
    """Write a Tensor or a (nested) dict of Tensors to ``path`` (.safetensors or .npz).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "w.npz")
        >>> save({"w": Tensor([1.0, 2.0])}, path)
        >>> load(path)
        {'w': Tensor([1., 2.])}
    """
    path, ext = _suffix(path, "glassgrad.io.save")
    if isinstance(obj, Tensor):
        kind, arrays = "tensor", flatten_state({_SINGLE: obj})
    elif isinstance(obj, dict):
        kind, arrays = "dict", flatten_state(obj)
    else:
        hint = " (save its state_dict())" if hasattr(obj, "state_dict") else ""
        raise TypeError(
            "glassgrad.io.save: obj must be a Tensor or a dict of Tensors; "
            f"got {type(obj).__name__}{hint}"
        )
    if ext == ".npz":
        if _KIND_KEY in arrays:
            raise ValueError(f"glassgrad.io.save: the name {_KIND_KEY!r} is reserved")
        payload = {**arrays, _KIND_KEY: np.array(kind)}
        _write_atomic(path, lambda f: np.savez(f, **payload))
    else:
        meta = {"format": "glassgrad", "kind": kind, "sha256": _digest(arrays)}
        blob = _safetensors("glassgrad.io.save").save(arrays, metadata=meta)
        _write_atomic(path, lambda f: f.write(blob))


def _read_npz(path):
    with np.load(path, allow_pickle=False) as z:
        arrays = {name: z[name] for name in z.files}  # reading checks each member's CRC
    kind = arrays.pop(_KIND_KEY, np.array("dict"))
    return str(kind), arrays


def _read_safetensors(path):
    st = _safetensors("glassgrad.io.load")
    with open(path, "rb") as f:
        blob = f.read()
    arrays = st.load(blob)
    from safetensors import safe_open

    with safe_open(path, framework="numpy") as f:
        meta = f.metadata() or {}
    if "sha256" in meta and meta["sha256"] != _digest(arrays):
        raise ValueError("the data does not match its recorded SHA-256 digest (tampered?)")
    return meta.get("kind", "dict"), arrays


def load(path):
    """Read a file written by ``save``: a Tensor, or a flat dict of dotted names → Tensors.

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file is truncated, tampered with, not in the format its suffix
            names, or holds object (pickled) arrays.
    """
    path, ext = _suffix(path, "glassgrad.io.load")
    if not os.path.exists(path):
        raise FileNotFoundError(f"glassgrad.io.load: no such file {path!r}")
    try:
        kind, arrays = _read_npz(path) if ext == ".npz" else _read_safetensors(path)
    except (ImportError, FileNotFoundError):
        raise
    except Exception as err:  # zipfile, numpy and safetensors each raise their own types
        hint = (
            " (object arrays need pickle, which glassgrad never uses)"
            if "pickle" in str(err)
            else ""
        )
        raise ValueError(
            f"glassgrad.io.load: {path!r} is not a valid {ext} file written by glassgrad.io.save"
            f" (truncated, tampered or another format): {type(err).__name__}: {err}{hint}"
        ) from err
    tensors = {name: Tensor._make(a) for name, a in arrays.items()}
    if kind == "tensor":
        return tensors[_SINGLE]
    return tensors


def to_torch_state_dict(state_dict):
    """Convert a glassgrad state dict (or a Module) into a PyTorch state dict of tensors.

    Example:
        >>> sd = to_torch_state_dict({"weight": Tensor([[1.0, 2.0]])})
        >>> sd["weight"].dtype
        torch.float64
    """
    import torch

    if hasattr(state_dict, "state_dict") and callable(state_dict.state_dict):
        state_dict = state_dict.state_dict()
    if not isinstance(state_dict, dict):
        raise TypeError(
            "to_torch_state_dict: expected a state dict or a Module; "
            f"got {type(state_dict).__name__}"
        )
    return {name: torch.from_numpy(a.copy()) for name, a in flatten_state(state_dict).items()}


def from_torch_state_dict(state_dict):
    """Convert a PyTorch state dict (name → torch.Tensor) into one of glassgrad Tensors.

    Example:
        >>> import torch
        >>> from_torch_state_dict({"b": torch.zeros(2)})
        {'b': Tensor([0., 0.], dtype=float32)}
    """
    if not hasattr(state_dict, "items"):
        raise TypeError(
            f"from_torch_state_dict: expected a dict name -> torch.Tensor; "
            f"got {type(state_dict).__name__}"
        )
    out = {}
    for name, value in state_dict.items():
        if not hasattr(value, "detach"):
            raise TypeError(
                f"from_torch_state_dict: {name!r} must be a torch.Tensor; "
                f"got {type(value).__name__}"
            )
        out[name] = Tensor(value.detach().cpu().numpy().copy())
    return out
