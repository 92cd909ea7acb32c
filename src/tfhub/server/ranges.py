"""HTTP ``Range`` for one body: which bytes to send (RFC 9110 §14).

Only single ranges are honoured; a multi-range or malformed header is ignored
(the whole body is sent, as the RFC allows). The header is read in one linear
pass, and one longer than any single range can be is ignored unread: a
crafted header must not hold the event loop.
"""

from __future__ import annotations

import dataclasses
from typing import Optional, Tuple

from tfhub import errors

# "bytes=<20 digits>-<20 digits>" with generous room for spaces; beyond it: ignored.
MAX_RANGE_HEADER = 128
_DIGITS = frozenset("0123456789")
_SPACES = " \t"


@dataclasses.dataclass(frozen=True)
class ByteRange:
    """Bytes ``start`` to ``end`` inclusive of a body of ``total`` bytes."""

    start: int
    end: int
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.total}"


def parse_range(header: Optional[str], total: int) -> Optional[ByteRange]:
    """The range a ``Range`` header asks of a body of ``total`` bytes.

    Returns:
        None when the whole body should be sent (no header, or one we ignore).

    Raises:
        RangeNotSatisfiableError: the range starts at or beyond the end.
    """
    if not header or len(header) > MAX_RANGE_HEADER:
        return None
    parts = _split_single_range(header)
    if parts is None:
        return None
    first, last = parts
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        suffix = int(last)
        if suffix == 0:
            raise _unsatisfiable(header, total)
        return ByteRange(max(0, total - suffix), total - 1, total) if total else None
    start = int(first)
    if last and int(last) < start:
        return None  # invalid: ignored
    if start >= total:
        raise _unsatisfiable(header, total)
    end = int(last) if last else total - 1
    return ByteRange(start, min(end, total - 1), total)


def _split_single_range(header: str) -> Optional[Tuple[str, str]]:
    """``("first", "last")`` digit strings of ``bytes=first-last`` (either may be empty).

    None for anything else. Linear: each part is stripped and checked once.
    """
    unit, equals, spec = header.partition("=")
    if not equals or unit.strip(_SPACES).lower() != "bytes":
        return None
    first, dash, last = spec.partition("-")
    first, last = first.strip(_SPACES), last.strip(_SPACES)
    if not dash or not set(first) <= _DIGITS or not set(last) <= _DIGITS:
        return None
    return first, last


def _unsatisfiable(header: str, total: int) -> errors.RangeNotSatisfiableError:
    return errors.RangeNotSatisfiableError(
        f"Range {header!r} asks for bytes beyond the end of the body ({total} bytes); "
        "ask for a range that starts below the size, or for the whole body."
    )
