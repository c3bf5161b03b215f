"""glassgrad.io under random input: state dicts round-trip bit for bit; mutated files give
either a clean ValueError or the exact original, nothing else."""

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassgrad as gg
from glassgrad import io

FORMATS = [".npz", pytest.param(".safetensors", marks=pytest.mark.filterwarnings("ignore"))]
DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int32, np.int64, np.uint8, np.bool_]
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

_names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1)
_names = _names.filter(lambda s: "." not in s and not s.startswith("__")) | st.sampled_from(
    ["w", "w.npy", "bias", "0", "é"]
)
_arrays = st.sampled_from(DTYPES).flatmap(
    lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3))
)
_states = st.recursive(
    _arrays, lambda inner: st.dictionaries(_names, inner, min_size=1, max_size=4), max_leaves=8
).filter(lambda s: isinstance(s, dict))


def _same(back, original):
    """Bit-for-bit equality of what load returned and the flattened original."""
    if isinstance(original, np.ndarray):
        back, original = {"": back}, {"": original}
    if not isinstance(back, dict) or sorted(back) != sorted(original):
        return False
    return all(
        isinstance(back[k], gg.Tensor)
        and back[k].dtype == v.dtype
        and back[k].shape == v.shape
        and back[k].numpy().tobytes() == v.tobytes()
        for k, v in original.items()
    )


def _dotted(state, prefix=""):
    for key, value in state.items():
        if isinstance(value, dict):
            yield from _dotted(value, prefix + key + ".")
        else:
            yield prefix + key, value


@pytest.mark.parametrize("ext", FORMATS)
@SETTINGS
@given(state=_states)
def test_random_state_dicts_round_trip_bit_for_bit(tmp_path, ext, state):
    flat = dict(_dotted(state))
    if len(flat) < len(list(_dotted(state))):  # two nested names give the same dotted name
        with pytest.raises(ValueError, match="same name"):
            io.save(state, tmp_path / f"s{ext}")
        return
    io.save(state, tmp_path / f"s{ext}")
    assert _same(io.load(tmp_path / f"s{ext}"), flat)


def _original(ext, tmp_path, single=False):
    if single:  # one Tensor: load must give it back, not a dict holding it
        path, array = tmp_path / f"one{ext}", np.linspace(-2.0, 2.0, 6).reshape(2, 3)
        io.save(gg.Tensor(array), path)
        return array, path.read_bytes()
    state = {
        "layer.weight": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
        "layer.bias": np.array([-1.5, 0.0, np.inf]),
        "steps": np.array(7, dtype=np.int64),
        "mask": np.array([True, False]),
    }
    path = tmp_path / f"orig{ext}"
    io.save({k: gg.Tensor(v) for k, v in state.items()}, path)
    return state, path.read_bytes()


def _oversize_header(blob, at):
    if blob.startswith(b"PK"):  # an .npy header: a huge declared length, or a huge shape
        start = blob.find(b"\x93NUMPY", at % max(len(blob) // 2, 1))
        start = blob.find(b"\x93NUMPY") if start < 0 else start
        if at % 2:
            return blob[: start + 8] + b"\xff\xff" + blob[start + 10 :]
        return re.sub(rb"'shape': \((\d*)", rb"'shape': (999999999999\1", blob, count=1)
    return (2**62 + at).to_bytes(8, "little") + blob[8:]  # safetensors' header length


def _mutate(blob, how, at, value):
    at %= len(blob)
    if how == "truncate":
        return blob[:at]
    if how == "flip":
        return blob[:at] + bytes([blob[at] ^ (1 << (value % 8))]) + blob[at + 1 :]
    if how == "rename":  # every occurrence, or only the first, of one member's name
        old, new = (b"layer.bias", b"layer.bia2") if value % 2 else (b"steps", b"stepz")
        return blob.replace(old, new, 1 + value % 2 * 9)
    if how == "splice":
        return blob[:at] + bytes([value % 256]) * (value % 64) + blob[at:]
    return _oversize_header(blob, at)


@pytest.mark.parametrize("ext", FORMATS)
@SETTINGS
@given(
    how=st.sampled_from(["truncate", "flip", "rename", "splice", "header"]),
    at=st.integers(0, 2**20),
    value=st.integers(0, 2**16),
    single=st.booleans(),
)
def test_mutated_files_give_value_error_or_exact_data(tmp_path, ext, how, at, value, single):
    state, blob = _original(ext, tmp_path, single)
    path = tmp_path / f"mutated{ext}"
    path.write_bytes(_mutate(blob, how, at, value))
    try:
        back = io.load(path)
    except ValueError as err:
        assert "glassgrad.io.load" in str(err)
        return
    assert _same(back, state)
