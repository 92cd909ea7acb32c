"""The checkpoint-index reader on damaged and hostile input: a clear error, quickly, always."""

from __future__ import annotations

import random
import struct
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfhub import errors
from tfhub.formats import snappy, tensor_bundle

_REAL = "06_tfs_half_plus_two_tf1"  # Snappy-compressed blocks among plain ones


@pytest.fixture
def real_index(shared_testdata):
    return (shared_testdata / "realmodels" / _REAL / "variables" / "variables.index").read_bytes()


def _stats(data: bytes):
    return tensor_bundle.variable_stats("variables.index", data)


def test_a_real_index_reads(real_index):
    assert _stats(real_index) == (5, 20)


def test_every_truncation_and_flip_is_a_model_format_error(real_index):
    rng = random.Random(15)
    damaged = [real_index[:n] for n in range(len(real_index))]
    for _ in range(300):
        data = bytearray(real_index)
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        damaged.append(bytes(data))
    started = time.monotonic()
    for data in damaged:
        try:
            _stats(data)
        except errors.ModelFormatError as exc:
            assert "variables.index' is not a readable TensorFlow variables index" in str(exc)
    assert time.monotonic() - started < 30


def _table(block_contents: bytes, kind: int = 0) -> bytes:
    """A one-block table whose index block points at ``block_contents`` (checksums right)."""
    def trailer(contents: bytes, kind: int) -> bytes:
        crc = tensor_bundle.crc32c(contents + bytes([kind]))
        rotated = ((crc >> 15) | (crc << 17)) & 0xFFFFFFFF
        return bytes([kind]) + struct.pack("<I", (rotated + 0xA282EAD8) & 0xFFFFFFFF)

    def varint(n: int) -> bytes:
        out = b""
        while n >= 0x80:
            out += bytes([n & 0x7F | 0x80])
            n >>= 7
        return out + bytes([n])

    data = block_contents + trailer(block_contents, kind)
    handle = varint(0) + varint(len(block_contents))
    index = varint(0) + varint(1) + varint(len(handle)) + b"k" + handle + struct.pack("<II", 0, 1)
    index_offset = len(data)
    data += index + trailer(index, 0)
    footer = (varint(0) + varint(0) + varint(index_offset) + varint(len(index))).ljust(40, b"\0")
    return data + footer + struct.pack("<Q", 0xDB4775248B80FB57)


@pytest.mark.parametrize("block, match", [
    (struct.pack("<I", 0xFFFFFFFF), "restart points"),          # a huge restart count
    (b"\x00\xff\xff\xff\x0f\x00" + struct.pack("<II", 0, 1), "runs past its block"),  # a 4 GiB key
    (b"\x05\x01\x00k" + struct.pack("<II", 0, 1), "runs past its block"),  # shares more than there is
    (b"\x80" * 12 + struct.pack("<II", 0, 1), "longer than its type allows"),
])
def test_crafted_blocks_with_right_checksums_fail_clearly(block, match):
    with pytest.raises(errors.ModelFormatError, match=match):
        _stats(_table(block))


def test_a_snappy_bomb_is_refused_before_allocating():
    bomb = b"\xff\xff\xff\xff\x0f" + b"\x00a"  # claims 4 GiB from 7 bytes
    with pytest.raises(errors.ModelFormatError, match="compressed block is damaged"):
        _stats(_table(bomb, kind=1))
    with pytest.raises(errors.ModelFormatError, match="unknown compression type 7"):
        _stats(_table(b"\0\0\0\0", kind=7))


def test_snappy_copies_and_literals():
    # "abcd", then a 1-byte-offset copy of 8 bytes from 4 back (overlapping), then "!" literal.
    data = bytes([13]) + b"\x0cabcd" + bytes([(8 - 4) << 2 | 1, 4]) + b"\x00!"
    assert snappy.decompress(data) == b"abcdabcdabcd!"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_snappy_never_fails_otherwise(data):
    try:
        out = snappy.decompress(data)
    except snappy.SnappyError:
        return
    assert len(out) <= 22 * len(data) + 64


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_an_index_are_stats_or_a_model_format_error(data):
    try:
        count, nbytes = _stats(data + struct.pack("<Q", 0xDB4775248B80FB57))
    except errors.ModelFormatError:
        return
    assert count >= 0 and nbytes >= 0


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_a_saved_model_are_a_proto_or_a_model_format_error(tmp_path_factory, data):
    from tfhub.formats import inspection

    path = tmp_path_factory.mktemp("sm") / "saved_model.pb"
    path.write_bytes(data)
    try:
        inspection.read_saved_model_proto(str(path))
    except errors.ModelFormatError:
        pass
