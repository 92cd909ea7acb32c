"""Raw Snappy decompression in pure Python, for the blocks of TensorFlow's tables.

TensorFlow compresses a table block with Snappy when that saves enough; the
checkpoint index of most models has such blocks. The format is a varint of the
uncompressed length, then literals and back-references (copies). Every length
and offset is checked, and the declared length is bounded by what the input can
expand to, so hostile input fails with :class:`SnappyError` and never allocates much.
"""

from __future__ import annotations

from typing import Tuple

# A 3-byte copy yields at most 64 bytes: nothing expands more than that.
_MAX_RATIO = 22


class SnappyError(ValueError):
    """The bytes are not valid raw Snappy."""


def _length(data: bytes) -> Tuple[int, int]:
    value = shift = 0
    for pos in range(min(5, len(data))):
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos + 1
        shift += 7
    raise SnappyError("bad length header")


def decompress(data: bytes) -> bytes:
    """The uncompressed bytes of raw Snappy ``data``."""
    expected, pos = _length(data)
    if expected > _MAX_RATIO * len(data) + 64:
        raise SnappyError(f"claims {expected} bytes from {len(data)}")
    out = bytearray()
    end = len(data)
    while pos < end:
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:  # literal
            length = tag >> 2
            if length >= 60:
                extra = length - 59
                if pos + extra > end:
                    raise SnappyError("truncated literal length")
                length = int.from_bytes(data[pos:pos + extra], "little")
                pos += extra
            length += 1
            if pos + length > end or len(out) + length > expected:
                raise SnappyError("literal runs past the input or the declared length")
            out += data[pos:pos + length]
            pos += length
            continue
        if kind == 1:
            if pos + 1 > end:
                raise SnappyError("truncated copy")
            length, offset = ((tag >> 2) & 7) + 4, ((tag >> 5) << 8) | data[pos]
            pos += 1
        else:
            width = 2 if kind == 2 else 4
            if pos + width > end:
                raise SnappyError("truncated copy")
            length, offset = (tag >> 2) + 1, int.from_bytes(data[pos:pos + width], "little")
            pos += width
        if offset == 0 or offset > len(out) or len(out) + length > expected:
            raise SnappyError("copy outside the output")
        start = len(out) - offset
        if offset >= length:
            out += out[start:start + length]
        else:  # an overlapping copy repeats the last `offset` bytes
            for i in range(length):
                out.append(out[start + i])
    if len(out) != expected:
        raise SnappyError(f"{len(out)} bytes, {expected} declared")
    return bytes(out)
