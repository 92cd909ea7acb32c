"""Numbers as people read them: sizes and ages, for the CLI and the catalog pages alike."""

from __future__ import annotations

import time
from typing import Optional


def human_size(count: int) -> str:
    """1536 -> '1.5 KiB'."""
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


_SPANS = (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400), ("day", 86400),
          ("hour", 3600), ("minute", 60), ("second", 1))


def relative_time(timestamp: float, now: Optional[float] = None) -> str:
    """A Unix time as people say it: 'just now', '5 minutes ago', '3 days ago'."""
    if not timestamp:
        return "never"
    age = (time.time() if now is None else now) - timestamp
    if age < 10:
        return "just now"
    for unit, seconds in _SPANS:
        if age >= seconds:
            count = int(age // seconds)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
