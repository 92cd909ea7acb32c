"""Reads a checkpoint's ``variables.index`` without TensorFlow: how many variables, how big.

The index is TensorFlow's tensor-bundle table, a LevelDB-style sorted table:
data blocks of prefix-compressed ``key -> BundleEntryProto`` records (each block
ends with its restart offsets and their count, and is followed by a compression
byte and a masked CRC-32C; TensorFlow Snappy-compresses a block when that pays),
an index block pointing at the data blocks, and a
48-byte footer with the index block's handle and a magic number. The ``""`` key
holds the BundleHeaderProto; keys starting with a zero byte are the slices of a
partitioned variable, which TensorFlow's reader leaves out of its variable map.

The reader is meant for files from anywhere: every length and offset is checked
against the bytes actually there, so a malformed index raises
:class:`~tfhub.errors.ModelFormatError` instead of hanging or allocating much.
"""

from __future__ import annotations

import struct
from typing import Iterator, List, Tuple

from google.protobuf import message as protobuf_message

from tfhub import errors
from tfhub.formats import dtypes, snappy
from tfhub.formats.saved_model_protos import BundleEntryProto

_FOOTER_LENGTH = 48  # two block handles padded to 40 bytes, then the 8-byte magic
_MAGIC = 0xDB4775248B80FB57
_TRAILER_LENGTH = 5  # compression type byte + masked CRC-32C
_NO_COMPRESSION, _SNAPPY = 0, 1
_CRC_MASK_DELTA = 0xA282EAD8
MAX_INDEX_BYTES = 256 << 20  # far above any real index (a few KiB per thousand variables)
_OBJECT_GRAPH_KEY = b"_CHECKPOINTABLE_OBJECT_GRAPH"


class _Malformed(Exception):
    """Raised inside the parser; turned into one ModelFormatError naming the file."""


def _crc32c_table() -> List[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), the checksum of TensorFlow's tables."""
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _unmask(masked: int) -> int:
    rotated = (masked - _CRC_MASK_DELTA) & 0xFFFFFFFF
    return ((rotated >> 17) | (rotated << 15)) & 0xFFFFFFFF


def _varint(data: bytes, pos: int, end: int, max_bytes: int = 10) -> Tuple[int, int]:
    """(value, next position) of the varint at ``pos``; never reads past ``end``."""
    value = shift = 0
    for i in range(max_bytes):
        if pos + i >= end:
            raise _Malformed("a number runs past the end of its block")
        byte = data[pos + i]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos + i + 1
        shift += 7
    raise _Malformed("a number is longer than its type allows")


def _block(data: bytes, offset: int, size: int) -> bytes:
    """The checked contents of the block at (offset, size)."""
    if offset + size + _TRAILER_LENGTH > len(data) - _FOOTER_LENGTH:
        raise _Malformed(f"a block ({offset}+{size}) lies outside the file")
    contents = data[offset:offset + size]
    kind = data[offset + size]
    (masked,) = struct.unpack_from("<I", data, offset + size + 1)
    if crc32c(data[offset:offset + size + 1]) != _unmask(masked):
        raise _Malformed("block checksum mismatch")
    if kind == _SNAPPY:
        try:
            return snappy.decompress(contents)
        except snappy.SnappyError as exc:
            raise _Malformed(f"a compressed block is damaged: {exc}") from None
    if kind != _NO_COMPRESSION:
        raise _Malformed(f"a block has unknown compression type {kind}")
    return contents


def _entries(block: bytes) -> Iterator[Tuple[bytes, bytes]]:
    """The (key, value) records of a block, keys rebuilt from their shared prefixes."""
    if len(block) < 4:
        raise _Malformed("a block is shorter than its restart count")
    (restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    end = len(block) - 4 - 4 * restarts
    if restarts == 0 or end < 0:
        raise _Malformed(f"a block claims {restarts} restart points")
    pos, key = 0, b""
    while pos < end:
        shared, pos = _varint(block, pos, end, 5)
        non_shared, pos = _varint(block, pos, end, 5)
        value_length, pos = _varint(block, pos, end, 5)
        if shared > len(key) or pos + non_shared + value_length > end:
            raise _Malformed("a record's key or value runs past its block")
        key = key[:shared] + block[pos:pos + non_shared]
        pos += non_shared
        yield key, block[pos:pos + value_length]
        pos += value_length


def _handle(value: bytes) -> Tuple[int, int]:
    offset, pos = _varint(value, 0, len(value))
    size, _ = _varint(value, pos, len(value))
    return offset, size


def table_entries(data: bytes) -> Iterator[Tuple[bytes, bytes]]:
    """Every (key, value) of a TensorFlow table file's bytes, in key order."""
    if len(data) < _FOOTER_LENGTH:
        raise _Malformed(f"{len(data)} bytes is shorter than a table's footer")
    footer_start = len(data) - _FOOTER_LENGTH
    (magic,) = struct.unpack_from("<Q", data, len(data) - 8)
    if magic != _MAGIC:
        raise _Malformed("no table magic number at its end")
    _, pos = _varint(data, footer_start, len(data) - 8)  # the metaindex handle: unused
    _, pos = _varint(data, pos, len(data) - 8)
    index_offset, pos = _varint(data, pos, len(data) - 8)
    index_size, _ = _varint(data, pos, len(data) - 8)
    for _, handle in _entries(_block(data, index_offset, index_size)):
        yield from _entries(_block(data, *_handle(handle)))


def variable_stats(index_file: str, data: bytes) -> Tuple[int, int]:
    """(count, bytes) of the variables listed in a ``variables.index`` file's ``data``.

    Counts what ``tf.train.load_checkpoint`` lists, except the object graph;
    bytes are elements times dtype size (strings count 0).

    Raises:
        ModelFormatError: the file is not a readable tensor-bundle index.
    """
    if len(data) > MAX_INDEX_BYTES:
        raise errors.ModelFormatError(
            f"'{index_file}' is {len(data)} bytes, more than any checkpoint index should be "
            f"({MAX_INDEX_BYTES}); it is not a TensorFlow variables index.")
    count = total = 0
    try:
        for key, value in table_entries(data):
            if key == b"" or key.startswith(b"\x00") or key == _OBJECT_GRAPH_KEY:
                continue  # the header, a slice of a partitioned variable, the object graph
            entry = BundleEntryProto.FromString(value)
            elements = 1
            for dim in entry.shape.dim:
                if dim.size < 0:
                    raise _Malformed(f"variable {key!r} has a negative dimension")
                elements *= dim.size
            count += 1
            total += elements * dtypes.dtype_size(entry.dtype)
    except (_Malformed, protobuf_message.DecodeError) as exc:
        raise errors.ModelFormatError(
            f"'{index_file}' is not a readable TensorFlow variables index ({exc}); "
            "the checkpoint is damaged or incomplete: download or export the model again.") from None
    return count, total
