"""glassgrad.io: round trips, atomic writes, corrupted files, no pickle, PyTorch interchange."""

import os

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import io
from glassgrad.nn import Linear

FORMATS = [".npz", ".safetensors"]


def _state(rng):
    return {
        "layer": {
            "weight": gg.Tensor(rng.normal(size=(3, 4)).astype(np.float32)),
            "bias": gg.Tensor(rng.normal(size=3)),
        },
        "steps": gg.Tensor(np.arange(5, dtype=np.int64)),
        "scalar": gg.Tensor(np.float64(2.5)),
        "raw": rng.normal(size=(2, 2)),
    }


@pytest.mark.parametrize("ext", FORMATS)
def test_round_trip_dict(tmp_path, rng, ext):
    state = _state(rng)
    path = tmp_path / f"model{ext}"
    io.save(state, path)
    back = io.load(path)
    assert sorted(back) == ["layer.bias", "layer.weight", "raw", "scalar", "steps"]
    flat = io.flatten_state(state)
    for name, arr in flat.items():
        assert isinstance(back[name], gg.Tensor)
        assert back[name].dtype == arr.dtype and back[name].shape == arr.shape
        np.testing.assert_array_equal(back[name].numpy(), arr)
    assert back["layer.weight"].dtype == np.float32 and back["steps"].dtype == np.int64
    assert back["scalar"].shape == ()  # 0-d stays 0-d


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_round_trip_single_tensor(tmp_path, rng, ext, dtype):
    t = gg.Tensor((rng.normal(size=(2, 3)) * 10).astype(dtype))
    path = str(tmp_path / f"t{ext}")
    io.save(t, path)
    back = io.load(path)
    assert isinstance(back, gg.Tensor) and back.dtype == dtype
    np.testing.assert_array_equal(back.numpy(), t.numpy())


@pytest.mark.parametrize("ext", FORMATS)
def test_overwrite_is_atomic(tmp_path, rng, ext, monkeypatch):
    path = tmp_path / f"ckpt{ext}"
    io.save({"w": gg.Tensor([1.0, 2.0])}, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "fsync", crash)  # fails after the bytes went to the temp file
    with pytest.raises(OSError, match="simulated"):
        io.save({"w": gg.Tensor(rng.normal(size=1000))}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [path.name]  # no temp file left behind
    monkeypatch.undo()
    np.testing.assert_array_equal(io.load(path)["w"].numpy(), [1.0, 2.0])


def test_failure_while_writing_leaves_no_file(tmp_path, monkeypatch):
    def half_write(f, array, **kwargs):
        f.write(b"\x93NUMPY partial")
        raise RuntimeError("interrupted (simulated)")

    monkeypatch.setattr(np.lib.format, "write_array", half_write)
    with pytest.raises(RuntimeError, match="interrupted"):
        io.save({"w": gg.Tensor([1.0])}, tmp_path / "new.npz")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("ext", FORMATS)
def test_truncated_file(tmp_path, rng, ext):
    path = tmp_path / f"m{ext}"
    io.save({"w": gg.Tensor(rng.normal(size=(50, 50)))}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=f"not a valid \\{ext} file.*truncated"):
        io.load(path)


@pytest.mark.parametrize("ext", FORMATS)
def test_tampered_data(tmp_path, ext):
    path = tmp_path / f"m{ext}"
    io.save({"w": gg.Tensor(np.arange(400, dtype=np.float64))}, path)
    data = bytearray(path.read_bytes())
    target = np.float64(200.0).tobytes()
    at = bytes(data).index(target)
    data[at + 7] ^= 0x01  # change one stored value
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="tampered"):
        io.load(path)


def test_object_arrays_rejected_no_pickle(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, payload=np.array([{"a": 1}], dtype=object))  # needs pickle to load
    with pytest.raises(ValueError, match="pickle"):
        io.load(path)


def test_wrong_format(tmp_path):
    st = pytest.importorskip("safetensors")
    del st
    path = tmp_path / "m.safetensors"
    io.save({"w": gg.Tensor([1.0])}, path)
    wrong = tmp_path / "m.npz"
    wrong.write_bytes(path.read_bytes())
    with pytest.raises(ValueError, match="not a valid .npz file"):
        io.load(wrong)
    text = tmp_path / "notes.safetensors"
    text.write_text("hello, this is not a tensor file")
    with pytest.raises(ValueError, match="not a valid .safetensors file"):
        io.load(text)


@pytest.mark.parametrize(
    "call,err,match",
    [
        (
            lambda p: io.save({"w": gg.Tensor([1.0])}, p / "w.pt"),
            ValueError,
            r"end in .safetensors or .npz; got '.*w.pt'",
        ),
        (lambda p: io.load(p / "missing.npz"), FileNotFoundError, "no such file"),
        (
            lambda p: io.save([gg.Tensor([1.0])], p / "w.npz"),
            TypeError,
            "Tensor or a dict of Tensors; got list",
        ),
        (lambda p: io.save({"w": "text"}, p / "w.npz"), TypeError, "'w' must be a Tensor.*got str"),
        (lambda p: io.save({"a": {"b": [1.0]}}, p / "w.npz"), TypeError, "'a.b' must be"),
        (lambda p: io.save({1: gg.Tensor([1.0])}, p / "w.npz"), TypeError, "non-empty strings"),
        (
            lambda p: io.save({"w": gg.Tensor([1.0])}, p / "missing" / "w.npz"),
            FileNotFoundError,
            "folder .*missing' does not exist",
        ),
        (lambda p: io.save({"w": gg.Tensor([1.0])}, 5), TypeError, "str or os.PathLike; got int"),
        (lambda p: io.load(None), TypeError, "glassgrad.io.load: path must be a str"),
        (lambda p: io.to_torch_state_dict(5), TypeError, "state dict or a Module; got int"),
        (lambda p: io.from_torch_state_dict([1]), TypeError, "torch.Tensor; got list"),
        (lambda p: io.save(Linear(2, 2), p / "w.npz"), TypeError, r"got Linear \(save its state"),
        (
            lambda p: io.save({"a.b": gg.Tensor([1.0]), "a": {"b": gg.Tensor([2.0])}}, p / "w.npz"),
            ValueError,
            "same name 'a.b'",
        ),
    ],
)
def test_bad_inputs(tmp_path, call, err, match):
    with pytest.raises(err, match=match):
        call(tmp_path)


def test_torch_interchange(rng):
    torch = pytest.importorskip("torch")
    lin = torch.nn.Linear(4, 3).double()
    ours = io.from_torch_state_dict(lin.state_dict())
    assert set(ours) == {"weight", "bias"} and ours["weight"].dtype == np.float64
    np.testing.assert_array_equal(ours["weight"].numpy(), lin.weight.detach().numpy())
    new = {"weight": gg.Tensor(rng.normal(size=(3, 4))), "bias": gg.Tensor(rng.normal(size=3))}
    lin.load_state_dict(io.to_torch_state_dict(new))
    x = rng.normal(size=(5, 4))
    expected = x @ new["weight"].numpy().T + new["bias"].numpy()
    np.testing.assert_allclose(lin(torch.tensor(x)).detach().numpy(), expected, rtol=1e-12)
    with pytest.raises(TypeError, match="'w' must be a torch.Tensor; got list"):
        io.from_torch_state_dict({"w": [1.0]})


# ----- with glassgrad.nn ----------------------------------------------------------------------
@pytest.mark.parametrize("ext", FORMATS)
def test_module_round_trip(tmp_path, rng, ext):
    from glassgrad import nn

    a, b = nn.MLP([4, 8, 3], generator=0), nn.MLP([4, 8, 3], generator=1)
    io.save(a.state_dict(), tmp_path / f"mlp{ext}")
    b.load_state_dict(io.load(tmp_path / f"mlp{ext}"))
    x = gg.Tensor(rng.normal(size=(5, 4)))
    np.testing.assert_array_equal(b(x).detach().numpy(), a(x).detach().numpy())


def test_misshaped_file_leaves_model_untouched(tmp_path):
    from glassgrad import nn

    model = nn.MLP([4, 8, 3], generator=0)
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    bad = dict(nn.MLP([4, 8, 3], generator=1).state_dict())
    bad["2.weight"] = gg.Tensor(np.zeros((3, 9)))  # one mis-shaped entry, listed last
    io.save(bad, tmp_path / "bad.npz")
    with pytest.raises(gg.ShapeError, match="2.weight"):
        model.load_state_dict(io.load(tmp_path / "bad.npz"))
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])


def test_module_moves_to_torch(rng):
    torch = pytest.importorskip("torch")
    from glassgrad import nn

    ours = nn.MLP([4, 8, 3], generator=0)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)
    ).double()
    theirs.load_state_dict(io.to_torch_state_dict(ours))  # a Module works as well as a dict
    x = rng.normal(size=(6, 4))
    expected = ours(gg.Tensor(x)).detach().numpy()
    np.testing.assert_allclose(theirs(torch.tensor(x)).detach().numpy(), expected, rtol=1e-12)
    back = nn.MLP([4, 8, 3], generator=5)
    back.load_state_dict(io.from_torch_state_dict(theirs.state_dict()))
    np.testing.assert_allclose(back(gg.Tensor(x)).detach().numpy(), expected, rtol=1e-12)


# ----- nothing lost on save -------------------------------------------------------------------
def test_npz_names_ending_in_npy_round_trip(tmp_path):
    state = {"w.npy": gg.Tensor([1.0]), "w": gg.Tensor([2.0]), "a.npy.npy": gg.Tensor([3.0])}
    io.save(state, tmp_path / "c.npz")
    back = io.load(tmp_path / "c.npz")
    assert sorted(back) == sorted(state)
    for name, t in state.items():
        np.testing.assert_array_equal(back[name].numpy(), t.numpy())


@pytest.mark.parametrize("name", ["__glassgrad_kind__", "__metadata__"])
def test_reserved_names_refused(tmp_path, name):
    with pytest.raises(ValueError, match="reserved"):
        io.save({name: gg.Tensor([1.0])}, tmp_path / "r.npz")


def test_npz_name_zip_cannot_store_refused(tmp_path):
    with pytest.raises(ValueError, match="cannot be stored"):
        io.save({"a\x00b": gg.Tensor([1.0])}, tmp_path / "n.npz")


_KILLED_SAVE = """
import os, signal, sys
import numpy as np
import glassgrad as gg
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # die with the bytes written
gg.save({"w": gg.Tensor(np.ones(10_000))}, sys.argv[1])
"""


@pytest.mark.parametrize("ext", FORMATS)
def test_sigkill_mid_save_leaves_no_temp_after_next_save(tmp_path, ext):
    import subprocess
    import sys

    path = tmp_path / f"m{ext}"
    io.save({"w": gg.Tensor([1.0])}, path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for _ in range(2):
        run = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(path)], env=env)
        assert run.returncode == -9
    # each save removes the temporaries of dead processes first: one orphan at most
    assert len(os.listdir(tmp_path)) == 2
    np.testing.assert_array_equal(io.load(path)["w"].numpy(), [1.0])  # old file intact
    io.save({"w": gg.Tensor([2.0])}, tmp_path / f"other{ext}")  # any save to the folder
    assert sorted(os.listdir(tmp_path)) == sorted([path.name, f"other{ext}"])


def test_temporaries_of_live_processes_are_kept(tmp_path):
    live = tmp_path / f".tmp-glassgrad-{io._host_tag()}-{os.getpid()}-0-x.npz"
    foreign = tmp_path / ".tmp-glassgrad-otherhost-1-0-x.npz"
    unrelated = tmp_path / ".tmp-mine"
    for p in (live, foreign, unrelated):
        p.write_bytes(b"in progress")
    io.save({"w": gg.Tensor([1.0])}, tmp_path / "x.npz")
    assert live.exists() and foreign.exists() and unrelated.exists()


@pytest.mark.parametrize("ext", FORMATS)
def test_saved_file_honours_umask(tmp_path, ext):
    import stat

    old = os.umask(0o022)
    try:
        io.save({"w": gg.Tensor([1.0])}, tmp_path / f"a{ext}")
        assert stat.S_IMODE(os.stat(tmp_path / f"a{ext}").st_mode) == 0o644
        os.umask(0o077)
        io.save({"w": gg.Tensor([1.0])}, tmp_path / f"b{ext}")
        assert stat.S_IMODE(os.stat(tmp_path / f"b{ext}").st_mode) == 0o600
        os.chmod(tmp_path / f"a{ext}", 0o640)  # overwriting keeps the file's mode, as open() does
        io.save({"w": gg.Tensor([2.0])}, tmp_path / f"a{ext}")
        assert stat.S_IMODE(os.stat(tmp_path / f"a{ext}").st_mode) == 0o640
    finally:
        os.umask(old)


@pytest.mark.parametrize("ext", FORMATS)
def test_save_writes_through_a_symlink(tmp_path, ext):
    (tmp_path / "real").mkdir()
    target, link = tmp_path / "real" / f"m{ext}", tmp_path / f"link{ext}"
    io.save({"w": gg.Tensor([1.0])}, target)
    link.symlink_to(target)
    io.save({"w": gg.Tensor([2.0])}, link)
    assert link.is_symlink()
    np.testing.assert_array_equal(io.load(target)["w"].numpy(), [2.0])
    dangling = tmp_path / f"dangling{ext}"
    dangling.symlink_to(tmp_path / "real" / f"new{ext}")
    io.save({"w": gg.Tensor([3.0])}, dangling)  # open() creates a dangling link's target
    np.testing.assert_array_equal(io.load(tmp_path / "real" / f"new{ext}")["w"].numpy(), [3.0])
    assert sorted(os.listdir(tmp_path / "real")) == [f"m{ext}", f"new{ext}"]


# ----- nothing strange accepted on load -------------------------------------------------------
def test_zip_of_non_npy_members_refused(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "model.npz"
    torch.save({"w": torch.zeros(3)}, path)  # a zip of pickles and raw storages
    with pytest.raises(ValueError, match="is not a .npy array"):
        io.load(path)


@pytest.mark.parametrize(
    "array",
    [
        np.array(["a", "bc"]),
        np.array([b"a"]),
        np.zeros(2, dtype=np.complex128),
        np.zeros(2, dtype=[("a", "f8"), ("b", "i4")]),
        np.zeros(2, dtype="datetime64[s]"),
        np.zeros(2, dtype="timedelta64[s]"),
    ],
    ids=lambda a: str(a.dtype),
)
def test_non_numeric_dtypes_refused(tmp_path, array):
    path = tmp_path / "d.npz"
    np.savez(path, w=array)
    with pytest.raises(ValueError, match=r"'w' has dtype .*float, integer or bool"):
        io.load(path)


def test_safetensors_dtype_refused(tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "c.safetensors"
    st.save_file({"w": np.zeros(2, dtype=np.complex64)}, str(path))
    with pytest.raises(ValueError, match="'w' has dtype complex64"):
        io.load(path)


@pytest.mark.parametrize(
    "entries,match",
    [
        (
            {"__glassgrad_kind__": np.array("tensor"), "other": np.zeros(2)},
            "not one 'tensor' entry",
        ),
        ({"__glassgrad_kind__": np.array("module"), "w": np.zeros(2)}, "unknown kind 'module'"),
        ({"__glassgrad_kind__": np.array(["dict", "x"]), "w": np.zeros(2)}, "kind"),
    ],
)
def test_bad_kind_entry_gives_value_error(tmp_path, entries, match):
    path = tmp_path / "k.npz"
    np.savez(path, **entries)
    with pytest.raises(ValueError, match=match):
        io.load(path)


def test_plain_numpy_npz_loads(tmp_path, rng):
    a = rng.normal(size=(3, 2))
    np.savez(tmp_path / "n.npz", a=a, b=np.arange(3))
    back = io.load(tmp_path / "n.npz")
    np.testing.assert_array_equal(back["a"].numpy(), a)
    np.testing.assert_array_equal(np.load(tmp_path / "n.npz")["a"], a)  # and the reverse:
    io.save({"a": gg.Tensor(a)}, tmp_path / "g.npz")
    np.testing.assert_array_equal(np.load(tmp_path / "g.npz")["a"], a)


def _bomb(path, nbytes):
    import zipfile

    buf = __import__("io").BytesIO()
    np.save(buf, np.zeros(nbytes // 8))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("w.npy", buf.getvalue())


def test_zip_bomb_refused_and_limit_configurable(tmp_path):
    path = tmp_path / "bomb.npz"
    _bomb(path, 400_000_000)
    assert os.path.getsize(path) < 400_000
    with pytest.raises(ValueError, match=r"expands to 400000128 bytes.*max_bytes"):
        io.load(path)
    small = tmp_path / "small.npz"
    _bomb(small, 80_000)
    assert io.load(small)["w"].shape == (10_000,)
    with pytest.raises(ValueError, match="limit of 1000 bytes"):
        io.load(small, max_bytes=1000)
    with pytest.raises(ValueError, match="max_bytes must be"):
        io.load(small, max_bytes=-1)


def test_header_declaring_more_data_than_stored_refused(tmp_path):
    import zipfile

    buf = __import__("io").BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
    )
    with zipfile.ZipFile(tmp_path / "h.npz", "w") as z:
        z.writestr("w.npy", buf.getvalue() + b"\0" * 16)
    with pytest.raises(ValueError, match="shape"):
        io.load(tmp_path / "h.npz")


def test_renamed_member_detected(tmp_path):
    path = tmp_path / "m.npz"
    io.save({"wa": gg.Tensor([1.0]), "wb": gg.Tensor([2.0])}, path)
    path.write_bytes(path.read_bytes().replace(b"wa.npy", b"wc.npy"))
    with pytest.raises(ValueError, match="tampered"):
        io.load(path)


def test_npz_cut_at_its_comment_refused(tmp_path):
    # the kind and digest sit in the zip comment; zipfile itself accepts a comment cut short
    path = tmp_path / "one.npz"
    io.save(gg.Tensor([1.0, 2.0]), path)
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b'{"format"')])
    with pytest.raises(ValueError, match="end record does not match"):
        io.load(path)
