"""Counts of what the reliability and fuzz suites exercised, for the summary.

Issue #8 asks the suite to report the number of kill points, fuzz examples
and concurrent processes it ran; tests call :func:`add`, and the conftest of
tests/conftest.py prints them at the end of the session. Under pytest-xdist each
worker counts its own tests; the workers hand their counts to the controller
(:func:`snapshot`, :func:`merge`), which prints the sums.
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


def snapshot() -> "dict[str, int]":
    """This process's counts, to send from an xdist worker to the controller."""
    with _lock:
        return dict(_counts)


def merge(counts: "dict[str, int]") -> None:
    """Adds a worker's :func:`snapshot` to this process's counts."""
    with _lock:
        _counts.update(counts)


def report(terminalreporter: Any, prefix: str) -> None:
    """Writes the counts whose name starts with ``prefix`` to the terminal summary."""
    with _lock:
        items = sorted((k, v) for k, v in _counts.items() if k.startswith(prefix))
    if not items:
        return
    terminalreporter.section(f"tfhub {prefix} tally")
    for what, count in items:
        terminalreporter.write_line(f"{what}: {count}")
