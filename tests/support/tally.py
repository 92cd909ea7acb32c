"""Counts of what the reliability and fuzz suites exercised, for the summary.

Issue #8 asks the suite to report the number of kill points, fuzz examples
and concurrent processes it ran; tests call :func:`add`, and the conftest of
each suite prints its counts at the end of the session.
"""

from __future__ import annotations

import collections
import threading
from typing import Any

_counts: "collections.Counter[str]" = collections.Counter()
_lock = threading.Lock()


def add(what: str, count: int = 1) -> None:
    """Adds ``count`` to the tally of ``what`` (e.g. "fuzz: archive examples")."""
    with _lock:
        _counts[what] += count


def report(terminalreporter: Any, prefix: str) -> None:
    """Writes the counts whose name starts with ``prefix`` to the terminal summary."""
    with _lock:
        items = sorted((k, v) for k, v in _counts.items() if k.startswith(prefix))
    if not items:
        return
    terminalreporter.section(f"tfhub {prefix} tally")
    for what, count in items:
        terminalreporter.write_line(f"{what}: {count}")
