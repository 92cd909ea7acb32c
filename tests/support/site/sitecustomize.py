"""Installs tests/support/faults.py in a child process the test started with its env (tests only)."""

import os

if os.environ.get("TFHUB_TEST_KILL_AT") or os.environ.get("TFHUB_TEST_DOOR_LOG"):
    from tests.support import faults

    faults.install()
