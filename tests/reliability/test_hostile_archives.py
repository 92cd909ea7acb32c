"""Crafted archives served over real HTTP: bounded memory, only tfhub's errors, nothing left.

* A .tar.gz of ~1 MB whose PAX header (or GNU long name) claims 1 GiB: refused
  before the header is read, in a process whose peak memory stays small.
* A member name holding NUL, and 1,500 nested directories: UnsafeArchiveError,
  not ValueError or RecursionError, and no temp dir left behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile

import pytest

import tfhub as hub
from tests.conftest import REPO_ROOT
from tests.reliability import hostile
from tests.reliability.procs import temp_leftovers
from tests.support import tally
from tfhub import errors

# Peak RSS of a process that resolves with tfhub (no TensorFlow) is ~70 MB.
_PEAK_LIMIT_MB = 200
# VmHWM is this process's own peak (ru_maxrss may carry the parent's across exec).
_MEASURE = """
import sys, tfhub
try:
    tfhub.resolve(sys.argv[1])
except tfhub.errors.TfHubError as exc:
    print("error", type(exc).__name__, str(exc).splitlines()[0][:200])
else:
    print("resolved")
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
print("peak_mb", int(peak.split()[1]) // 1024)
"""


@pytest.mark.parametrize("kind", [tarfile.XHDTYPE, tarfile.GNUTYPE_LONGNAME], ids=["pax", "gnu-long-name"])
def test_a_huge_extended_header_is_refused_before_it_is_read(http_server, cache_dir, tmp_path, kind):
    if not os.path.exists("/proc/self/status"):
        pytest.skip("peak memory is read from /proc (Linux)")
    tally.add("reliability: hostile archives")
    body = hostile.huge_extended_header_tar_gz(tmp_path / "bomb.tar.gz", kind, claimed=1 << 30, actual=256 << 20)
    assert body.stat().st_size < 2 << 20
    url = http_server.add("/bomb.tar.gz", body=str(body))
    result = subprocess.run([sys.executable, "-c", _MEASURE, url], capture_output=True, text=True, timeout=120,
                            cwd=str(REPO_ROOT), env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert result.returncode == 0, result.stderr[-2000:]
    assert lines["error"].startswith("UnsafeArchiveError"), lines
    assert "extended tar header" in lines["error"]
    assert int(lines["peak_mb"]) < _PEAK_LIMIT_MB, f"peak memory {lines['peak_mb']} MB"
    assert temp_leftovers(cache_dir) == []


@pytest.mark.parametrize("name, dirs, message", [
    ("variables/a\0b", 0, "NUL"),
    ("a/" * 1500 + "saved_model.pb", 0, "directories deep"),
    ("a/" * 1500 + "saved_model.pb", 1500, "directories deep"),
], ids=["nul-in-name", "deep-file", "1500-nested-directories"])
@pytest.mark.parametrize("compressed", [False, True], ids=["tar", "tar.gz"])
def test_impossible_member_names_are_our_error(http_server, cache_dir, name, dirs, message, compressed):
    tally.add("reliability: hostile archives")
    body = hostile.member_tar(name, extra_dirs=dirs)
    if compressed:
        body = hostile.gzip_bytes(body)
    url = http_server.add("/m.tar.gz" if compressed else "/m.tar", body=body)
    with pytest.raises(errors.UnsafeArchiveError, match=message):
        hub.resolve(url)
    assert temp_leftovers(cache_dir) == []
    assert [p.name for p in cache_dir.iterdir() if not p.name.startswith(".")] == []


def test_a_model_150_directories_deep_is_still_fine(http_server):
    name = "assets/" + "d/" * 150 + "vocab.txt"
    url = http_server.add("/m.tar", body=hostile.member_tar(name, b"hello"))
    path = hub.resolve(url)
    assert hostile.read_entry(path) == {name: b"hello"}
