"""A full disk: a clear DiskFullError naming the cache, nothing half-written, the cache usable.

Two ways to fill it: ``RLIMIT_FSIZE`` in a subprocess (any user; writes past
the limit fail with EFBIG, SIGXFSZ ignored), and, as root, a small tmpfs whose
byte and inode budgets are stepped up until the resolve succeeds, so that
extraction, the descriptor write and the rename each meet the full disk.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

import tfhub as hub
from tests.conftest import REPO_ROOT
from tests.reliability import procs
from tests.support import tally
from tfhub import errors

SIZES = {"saved_model.pb": 120_000, "variables/variables.data-00000-of-00001": 60_000,
         "variables/variables.index": 500}
REPORT_SCRIPT = """
import json, sys, tfhub
from tfhub import errors
try:
    print(json.dumps({"path": tfhub.resolve(sys.argv[1])}))
except errors.TfHubError as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc),
                      "bytes_needed": getattr(exc, "bytes_needed", None)}))
"""


@pytest.fixture
def served(http_server, tmp_path):
    files, archive = procs.model_archive(tmp_path / "model-src", SIZES)
    return http_server.add("/m", body=archive), files


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


def _assert_nothing_half_written(cache: Path, url: str) -> None:
    assert not (cache / procs.cache_key(url)).exists()
    assert not (cache / (procs.cache_key(url) + ".descriptor.txt")).exists()
    assert procs.temp_leftovers(cache) == []
    assert procs.lock_is_free(cache, url)


def test_file_size_limit_is_a_disk_full_error_and_leaves_nothing(served, cache_dir):
    url, files = served
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run([sys.executable, "-c", REPORT_SCRIPT, url], env=env, capture_output=True,
                          text=True, timeout=120, preexec_fn=_limit_file_size)
    tally.add("reliability: disk-full processes")
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome["error"] == "DiskFullError", outcome
    assert str(cache_dir) in outcome["message"] and "TFHUB_CACHE_DIR" in outcome["message"]
    assert outcome["bytes_needed"] == 120_000
    _assert_nothing_half_written(cache_dir, url)
    hub.resolve(url)  # without the limit, the same cache works at once
    assert procs.entry_problem(cache_dir, url, files) is None


def _mount_tmpfs(mountpoint: Path, options: str) -> None:
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mountpoint)],
                   check=True, capture_output=True)


@pytest.fixture
def tmpfs(tmp_path):
    """A mount point for small tmpfs filesystems (root, and mount allowed)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (the RLIMIT_FSIZE test covers other users)")
    mountpoint = tmp_path / "small-disk"
    mountpoint.mkdir()
    try:
        _mount_tmpfs(mountpoint, "size=4k")
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        pytest.skip(f"cannot mount a tmpfs here ({exc})")
    subprocess.run(["umount", str(mountpoint)], check=True)
    yield mountpoint
    subprocess.run(["umount", str(mountpoint)], capture_output=True)


@pytest.mark.parametrize("budget", ["size", "nr_inodes"])
def test_every_small_tmpfs_gives_the_model_or_a_clear_error(served, tmpfs, monkeypatch, budget):
    url, files = served
    cache = tmpfs / "cache"
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
    steps = [f"size={k}k" for k in range(4, 400, 12)] if budget == "size" else \
        [f"nr_inodes={n},size=1m" for n in range(2, 20)]
    phases = set()
    for options in steps:
        _mount_tmpfs(tmpfs, options)
        try:
            try:
                hub.resolve(url)
            except errors.CacheError as exc:
                assert "TFHUB_CACHE_DIR" in str(exc) and str(cache) in str(exc)
                assert isinstance(exc, errors.DiskFullError), exc
                phases.add(_phase(exc))
                _assert_nothing_half_written(cache, url)
                subprocess.run(["mount", "-o", "remount,size=2m,nr_inodes=1000", str(tmpfs)], check=True)
                hub.resolve(url)  # room again: no cleanup needed
            assert procs.entry_problem(cache, url, files) is None
            tally.add("reliability: disk budgets tried")
        finally:
            subprocess.run(["umount", str(tmpfs)], check=True)
    expected = {"extraction"} if budget == "size" else {"cache directory", "lock", "temp dir", "extraction", "descriptor"}
    assert expected <= phases, f"the full disk was met only in {phases}"


def _phase(exc: BaseException) -> str:
    """Where a DiskFullError arose, from its cause's traceback."""
    names = {frame.name for frame in traceback.extract_tb(exc.__cause__.__traceback__)}
    for function, phase in (("ensure_writable_root", "cache directory"), ("acquire", "lock"), ("extract", "extraction"),
                            ("write_text_atomically", "descriptor"), ("_rename_into_place", "rename")):
        if function in names:
            return phase
    return "temp dir"
