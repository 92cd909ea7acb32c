"""HTTP ``Range`` for one body: which bytes to send (RFC 9110 §14).

Only single ranges are honoured; a multi-range or malformed header is ignored
(the whole body is sent, as the RFC allows).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Optional

from tfhub import errors

_SINGLE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


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
    if not header:
        return None
    match = _SINGLE_RANGE.match(header)
    if match is None:
        return None
    first, last = match.group(1), match.group(2)
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


def _unsatisfiable(header: str, total: int) -> errors.RangeNotSatisfiableError:
    return errors.RangeNotSatisfiableError(
        f"Range {header!r} asks for bytes beyond the end of the body ({total} bytes); "
        "ask for a range that starts below the size, or for the whole body."
    )
