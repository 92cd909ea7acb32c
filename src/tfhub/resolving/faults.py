"""Test-only hooks: kill points and the door's tally. Inert unless their variable is set.

* ``TFHUB_TEST_KILL_AT=<point>`` makes a process SIGKILL itself at one of
  :data:`KILL_POINTS`, to die in windows too narrow to hit from outside
  (between the descriptor write and the rename...).
* ``TFHUB_TEST_DOOR_LOG=<file>`` appends a line to ``file`` each time a request
  enters the one door (``door <handle>``), and each time a cache entry is
  written from anywhere else (``outside <handle>``), which must never happen.

The reliability suite (tests/reliability) sets them in subprocesses; nothing
else should.
"""

from __future__ import annotations

import os
import signal

KILL_POINT_ENV = "TFHUB_TEST_KILL_AT"
KILL_POINTS = ("locked", "extracted", "descriptor-temp-written", "descriptor-written", "renamed")
# Only when a new entry replaces an old one (cache.Entry._swap_in), in this order.
SWAP_KILL_POINTS = ("extracted", "descriptor-temp-written", "moved-aside", "renamed", "descriptor-written")
DOOR_LOG_ENV = "TFHUB_TEST_DOOR_LOG"


def fault_point(name: str) -> None:
    """SIGKILL this process at point ``name`` when ``TFHUB_TEST_KILL_AT`` says so."""
    if os.environ.get(KILL_POINT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def door_log(event: str, handle: object) -> None:
    """Appends ``<event> <handle>`` to the file ``TFHUB_TEST_DOOR_LOG`` names, if set."""
    path = os.environ.get(DOOR_LOG_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(f"{event} {handle}\n")
