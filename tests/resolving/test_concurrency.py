"""Several real processes, one cache: one download, no waiting on the dead."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tfhub as hub
from tests.conftest import pack_bytes

RESOLVE = "import sys, tfhub; print(tfhub.resolve(sys.argv[1]))"


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory) -> bytes:
    root = tmp_path_factory.mktemp("model")
    (root / "saved_model.pb").write_bytes(os.urandom(2_000_000))
    (root / "variables").mkdir()
    (root / "variables" / "variables.index").write_bytes(b"index")
    return pack_bytes(root)


def _spawn(url: str, cache_dir: Path) -> subprocess.Popen:
    env = dict(os.environ, TFHUB_CACHE_DIR=str(cache_dir))
    return subprocess.Popen([sys.executable, "-c", RESOLVE, url], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_eight_processes_one_download(http_server, cache_dir, big_archive):
    # The server answers slowly, so all eight ask while the first downloads.
    url = http_server.add("/m", body=big_archive, delay=1.5)
    processes = [_spawn(url, cache_dir) for _ in range(8)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _, err in outputs]
    paths = {out.strip() for out, _ in outputs}
    assert len(paths) == 1
    assert len(http_server.gets()) == 1
    assert (Path(paths.pop()) / "saved_model.pb").stat().st_size == 2_000_000


def test_sigkill_mid_download_then_resolve_succeeds_at_once(http_server, cache_dir, big_archive):
    url = http_server.add("/m", body=big_archive, stall_after=len(big_archive) * 9 // 10,
                          stall_seconds=60, faulty_requests=1)
    victim = _spawn(url, cache_dir)
    deadline = time.monotonic() + 60
    while not list(cache_dir.glob("*.tfhub-tmp/saved_model.pb")):  # mid-extraction
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.05)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert list(cache_dir.glob("*.tfhub-tmp"))  # what the dead process left

    started = time.monotonic()
    path = hub.resolve(url)
    assert time.monotonic() - started < 30  # no stale-lock wait (not a benchmark: a hang guard)
    assert (Path(path) / "saved_model.pb").stat().st_size == 2_000_000
    assert not list(cache_dir.glob("*.tfhub-tmp"))
    assert len(http_server.gets()) == 2


def test_dead_tensorflow_hub_lock_and_temp_dir_are_cleaned(http_server, cache_dir, big_archive):
    import socket

    from tfhub.resolving import handles

    url = http_server.add("/m", body=big_archive)
    key = handles.cache_key(url)
    cache_dir.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (cache_dir / f"{key}.lock").write_text(f"{socket.gethostname()}.{dead.pid}.abc123")
    (cache_dir / f"{key}.abc123.tmp").mkdir()
    (cache_dir / f"{key}.abc123.tmp" / "partial").write_bytes(b"x")
    hub.resolve(url)
    assert not (cache_dir / f"{key}.lock").exists()
    assert not (cache_dir / f"{key}.abc123.tmp").exists()
