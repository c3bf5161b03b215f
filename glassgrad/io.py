"""Save and load tensors and state dicts: safetensors or ``.npz``, atomic, never pickle.

A file holds either one Tensor or a dict name → Tensor (nested dicts are flattened to dotted
names, as in ``Module.state_dict()``). The format follows the suffix: ``.safetensors``
(needs the ``safetensors`` package) or ``.npz`` (a zip of ``.npy`` members, one per name,
``name + ".npy"``, readable by ``numpy.load``).

Writing: the bytes go to a temporary file ``.tmp-glassgrad-<host>-<pid>-...`` in the target's
folder that replaces the target only when complete, so a crash never leaves half a file; the
next save to that folder removes temporaries left by processes of this host that no longer
run. The file gets the mode ``open()`` would give it (``0o666`` less the umask, or the mode
of the file it replaces), and saving to a symlink writes to the link's target, as
``numpy.save`` and ``open()`` do.

Loading checks integrity (zip CRCs and the ``.npy`` headers for ``.npz``, a SHA-256 digest of
names, dtypes, shapes and bytes for both formats), accepts only float, integer and bool
arrays, refuses a file whose data expands beyond ``max_bytes`` (a zip bomb), and never
unpickles anything.
"""

import hashlib
import json
import os
import secrets
import socket
import zipfile

import numpy as np

from glassgrad.core.tensor import Tensor

__all__ = ["save", "load", "flatten_state", "to_torch_state_dict", "from_torch_state_dict"]

_FORMATS = (".safetensors", ".npz")
_KIND_KEY = "__glassgrad_kind__"  # the npz entry that said "tensor" or "dict" in older files
_RESERVED = (_KIND_KEY, "__metadata__")  # the last one is safetensors' header
_SINGLE = "tensor"  # the name a lone Tensor is stored under
_KINDS = "fiub"  # float, signed and unsigned integer, bool: what a Tensor may hold
_TMP = ".tmp-glassgrad-"
_ALLOWANCE, _RATIO = 64 * 2**20, 16  # default max_bytes: 64 MiB + 16 x the file's size
MAX_HEADER = 10_000  # bytes of one .npy header (numpy's own default limit)


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
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in _KINDS:
            raise TypeError(
                f"glassgrad.io: {name!r} must be a Tensor or a numeric ndarray; got "
                f"{type(value).__name__}"
                + (f" of dtype {arr.dtype}" if hasattr(arr, "dtype") else "")
            )
        if name in out:
            raise ValueError(f"glassgrad.io: two entries flatten to the same name {name!r}")
        out[name] = np.asarray(arr, order="C")  # ascontiguousarray would make 0-d 1-d
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


def _host_tag():
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _alive(pid):
    if os.name != "posix":
        return True  # no safe liveness probe: keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        pass  # it runs, as another user
    return True


def _remove_stale(folder):
    """Remove temporaries of interrupted saves: this host's, of processes no longer running."""
    host = _host_tag()
    for entry in os.listdir(folder):
        if not entry.startswith(_TMP):
            continue
        parts = entry[len(_TMP) :].split("-", 3)
        if (
            len(parts) == 4
            and parts[0] == host
            and parts[1].isdigit()
            and not _alive(int(parts[1]))
        ):
            try:
                os.remove(os.path.join(folder, entry))
            except OSError:
                pass  # another save removed it first


def _write_atomic(path, write):
    """Call ``write(fileobj)`` on a temp file next to ``path``, then move it into place."""
    path = os.path.realpath(path)  # through symlinks, to the file open() would write
    folder, name = os.path.split(path)
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"glassgrad.io.save: the folder {folder!r} does not exist")
    _remove_stale(folder)
    unique = f"{_host_tag()}-{os.getpid()}-{secrets.token_hex(4)}"
    tmp = os.path.join(folder, f"{_TMP}{unique}-{name[:100]}")  # short enough for any name
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        with os.fdopen(fd, "wb") as f:
            if os.path.exists(path):
                os.chmod(tmp, os.stat(path).st_mode & 0o7777)
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _write_npz(f, arrays, comment):
    """A zip of ``name + ".npy"`` members, stored uncompressed, as ``numpy.savez`` writes.

    The zip's comment (at its very end, apart from the member list) holds the kind and digest.
    """
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
        z.comment = comment
        for name, a in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            if info.filename != name + ".npy":
                raise ValueError(f"glassgrad.io.save: the name {name!r} cannot be stored in .npz")
            with z.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, a, allow_pickle=False)


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
    for name in _RESERVED:
        if name in arrays:
            raise ValueError(f"glassgrad.io.save: the name {name!r} is reserved")
    meta = {"format": "glassgrad", "kind": kind, "sha256": _digest(arrays)}
    if ext == ".npz":
        _write_atomic(path, lambda f: _write_npz(f, arrays, json.dumps(meta).encode()))
    else:
        blob = _safetensors("glassgrad.io.save").save(arrays, metadata=meta)
        _write_atomic(path, lambda f: f.write(blob))


def _read_npy(member, size, name):
    """One ``.npy`` member of ``size`` bytes: header checked before any allocation."""
    version = np.lib.format.read_magic(member)
    if version not in ((1, 0), (2, 0)):
        raise ValueError(f"member {name!r} has .npy format version {version}")
    read_header = np.lib.format.read_array_header_1_0
    if version == (2, 0):
        read_header = np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read_header(member, max_header_size=MAX_HEADER)
    if dtype.hasobject:
        raise ValueError(f"member {name!r} holds object arrays, which need pickle")
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if member.tell() + nbytes != size:
        raise ValueError(
            f"member {name!r} declares shape {shape} of {dtype} ({nbytes} bytes) but stores "
            f"{size - member.tell()} bytes"
        )
    buf = bytearray(nbytes)
    if member.readinto(buf) != nbytes:
        raise ValueError(f"member {name!r} is shorter than its header says")
    member.read()  # reaching the end verifies the CRC
    arr = np.frombuffer(buf, dtype=dtype)
    return arr.reshape(shape[::-1]).T if fortran else arr.reshape(shape)


def _check_end_record(path):
    """The zip's end record and its comment must end exactly where the file ends.

    zipfile accepts a comment cut short, which would drop the kind and digest unnoticed.
    """
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - 22 - 65535))  # the record is 22 bytes, its comment < 64 KiB
        tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    declared = int.from_bytes(tail[at + 20 : at + 22], "little") if at >= 0 else -1
    if at + 22 + declared != len(tail):
        raise ValueError("the zip's end record does not match the file's length (truncated?)")


def _read_npz(path, limit):
    _check_end_record(path)
    arrays = {}
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        _check_size(sum(i.file_size for i in infos), limit)
        for info in infos:
            if not info.filename.endswith(".npy"):
                raise ValueError(f"member {info.filename!r} is not a .npy array")
            name = info.filename[: -len(".npy")]
            if name in arrays:
                raise ValueError(f"two members are named {info.filename!r}")
            with z.open(info) as member:
                arrays[name] = _read_npy(member, info.file_size, info.filename)
        comment = z.comment
    if comment:  # written by save: both marks, in the comment
        meta = json.loads(comment)
        return meta["kind"], meta["sha256"], arrays
    old = arrays.pop(_KIND_KEY, None)  # an older file: the kind as an entry, no digest
    if old is not None and (old.shape != () or old.dtype.kind != "U"):
        raise ValueError(f"the {_KIND_KEY!r} entry must be one string; got {old.dtype} {old.shape}")
    return (None if old is None else str(old)), None, arrays


def _read_safetensors(path, limit):
    st = _safetensors("glassgrad.io.load")
    _check_size(os.path.getsize(path), limit)
    with open(path, "rb") as f:
        blob = f.read()
    arrays = st.load(blob)
    from safetensors import safe_open

    with safe_open(path, framework="numpy") as f:
        meta = f.metadata() or {}
    if ("kind" in meta) != ("sha256" in meta):  # save writes both; another writer neither
        raise ValueError(f"the metadata has one of 'kind' and 'sha256' alone: {meta}")
    return meta.get("kind"), meta.get("sha256"), arrays


class _Refused(ValueError):
    """The file is well formed but holds something ``load`` does not accept."""


def _check_size(nbytes, limit):
    if nbytes > limit:
        raise _Refused(
            f"its data expands to {nbytes} bytes, over the limit of {limit} bytes (a zip bomb?); "
            f"pass max_bytes={nbytes} or more to load it"
        )


def load(path, max_bytes=None):
    """Read a file written by ``save``: a Tensor, or a flat dict of dotted names → Tensors.

    Plain ``.npz`` files of float, integer or bool arrays (``numpy.savez``) load as dicts.

    Args:
        path: a ``.safetensors`` or ``.npz`` path.
        max_bytes: the most bytes the file's data may expand to; None means 64 MiB plus
            16 times the file's size (an uncompressed file always fits, a zip bomb does not).

    Raises:
        FileNotFoundError: no file at ``path``.
        ValueError: the file is truncated, tampered with, not in the format its suffix
            names, expands beyond ``max_bytes``, or holds members that are not ``.npy``
            arrays or arrays whose dtype is not float, integer or bool (strings, complex,
            structured, datetime, object).
    """
    path, ext = _suffix(path, "glassgrad.io.load")
    if not os.path.exists(path):
        raise FileNotFoundError(f"glassgrad.io.load: no such file {path!r}")
    if max_bytes is None:
        max_bytes = _ALLOWANCE + _RATIO * os.path.getsize(path)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
        raise ValueError(f"glassgrad.io.load: max_bytes must be an int >= 0; got {max_bytes!r}")
    where = f"glassgrad.io.load: {path!r}"
    try:
        kind, digest, arrays = (_read_npz if ext == ".npz" else _read_safetensors)(path, max_bytes)
    except (ImportError, FileNotFoundError):
        raise
    except _Refused as err:
        raise ValueError(f"{where}: {err}") from None
    except Exception as err:  # zipfile, numpy and safetensors each raise their own types
        raise ValueError(
            f"{where} is not a valid {ext} file written by glassgrad.io.save"
            f" (truncated, tampered or another format): {type(err).__name__}: {err}"
        ) from err
    for name, a in arrays.items():
        if a.dtype.kind not in _KINDS:
            raise ValueError(
                f"{where}: {name!r} has dtype {a.dtype}; a Tensor holds float, integer or bool"
            )
    if digest is not None and digest != _digest(arrays):
        raise ValueError(
            f"{where}: the data does not match its recorded SHA-256 digest (tampered?)"
        )
    if kind not in (None, "dict", "tensor"):
        raise ValueError(f"{where}: unknown kind {kind!r} (expected 'tensor' or 'dict')")
    tensors = {name: Tensor._make(a) for name, a in arrays.items()}
    if kind != "tensor":
        return tensors
    if list(tensors) != [_SINGLE]:
        raise ValueError(
            f"{where}: marked as one Tensor but holds {sorted(tensors)}, not one {_SINGLE!r} entry"
        )
    return tensors[_SINGLE]


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
