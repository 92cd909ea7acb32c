"""The lock-file fallback for file systems without working flock (TFHUB_CACHE_LOCKS=lockfile, #18).

On some NFS and Lustre mounts flock(2) fails; there the entry lock is a file
created with O_CREAT|O_EXCL that names its holder. These tests force that kind
with the setting (the probe cannot be made to fail on a local disk) and check
what the kernel lock gives: one download for many processes, and no waiting on
a holder that was killed.
"""

import os
import signal
import socket
import time
from pathlib import Path

import pytest

import tfhub as hub
from tests.reliability import procs
from tfhub import errors
from tfhub.resolving import locks

LOCKFILE = {"TFHUB_CACHE_LOCKS": "lockfile"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> bytes:
    sizes = {"saved_model.pb": 2_000_000, "assets/vocab.txt": 5}  # more than one read of the extractor
    return procs.model_archive(tmp_path_factory.mktemp("model"), sizes)[1]


def _lock_file(cache_dir: Path, url: str) -> Path:
    return cache_dir / ".locks" / (procs.cache_key(url) + ".lock")


def test_eight_processes_one_download_with_lock_files(http_server, cache_dir, archive):
    url = http_server.add("/m", body=archive, delay=1.5)  # all eight ask while the first downloads
    processes = [procs.spawn_resolve(url, cache_dir, LOCKFILE) for _ in range(8)]
    outputs = [p.communicate(timeout=180) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _, err in outputs]
    assert len({out.strip() for out, _ in outputs}) == 1
    assert len(http_server.gets()) == 1
    assert not _lock_file(cache_dir, url).exists(), "a released lock file is removed"


def test_the_lock_file_names_its_holder_while_held(http_server, cache_dir, archive):
    url = http_server.add("/m", body=archive, delay=3)
    holder = procs.spawn_resolve(url, cache_dir, LOCKFILE)
    lock_file = _lock_file(cache_dir, url)
    deadline = time.monotonic() + 60
    while not (lock_file.exists() and lock_file.read_text()):
        assert holder.poll() is None and time.monotonic() < deadline, holder.communicate()
        time.sleep(0.02)
    assert lock_file.read_text().startswith(f"{socket.gethostname()}.{holder.pid}.")
    assert not locks.is_free(lock_file)
    _, err = holder.communicate(timeout=120)
    assert holder.returncode == 0, err
    assert locks.is_free(lock_file)


@pytest.mark.timeout(300)
def test_a_killed_holders_lock_file_is_taken_over_at_once(http_server, cache_dir, archive, monkeypatch):
    url = http_server.add("/m", body=archive, stall_after=len(archive) * 9 // 10, stall_seconds=60,
                          faulty_requests=1)
    victim = procs.spawn_resolve(url, cache_dir, LOCKFILE)
    deadline = time.monotonic() + 60
    while not list(cache_dir.glob("*.tfhub-tmp/saved_model.pb")):  # mid-extraction
        assert victim.poll() is None and time.monotonic() < deadline, victim.communicate()
        time.sleep(0.05)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert _lock_file(cache_dir, url).exists()  # what the dead process left

    monkeypatch.setenv("TFHUB_CACHE_LOCKS", "lockfile")
    started = time.monotonic()
    path = hub.resolve(url)
    assert time.monotonic() - started < 30  # no wait on the dead (a hang guard, not a benchmark)
    assert (Path(path) / "saved_model.pb").stat().st_size == 2_000_000
    assert procs.temp_leftovers(cache_dir) == []
    assert not _lock_file(cache_dir, url).exists()


def test_a_lock_file_of_another_host_is_not_taken_over(tmp_path):
    lock_file = tmp_path / ".locks" / "k.lock"
    lock_file.parent.mkdir()
    lock_file.write_text(f"not-{socket.gethostname()}.1.abc")
    lock = locks.EntryLock(lock_file, handle="h", root=tmp_path, kind="lockfile")
    assert not lock.try_acquire()
    assert lock_file.read_text() == f"not-{socket.gethostname()}.1.abc"


def test_an_unknown_lock_kind_is_a_one_line_config_error(http_server, cache_dir, archive, monkeypatch):
    url = http_server.add("/m", body=archive)
    monkeypatch.setenv("TFHUB_CACHE_LOCKS", "nfs")
    with pytest.raises(errors.ConfigError) as caught:
        hub.resolve(url)
    message = str(caught.value)
    assert "\n" not in message and "TFHUB_CACHE_LOCKS='nfs'" in message and "lockfile" in message
    assert not (cache_dir / procs.cache_key(url)).exists()
    assert procs.temp_leftovers(cache_dir) == []
