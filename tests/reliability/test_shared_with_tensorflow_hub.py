"""One cache directory, tfhub and tensorflow_hub processes resolving the same handles at once.

tensorflow_hub takes ``<key>.lock`` files, tfhub OS locks in ``.locks/``;
correctness rests on both renaming complete temp dirs into place. Every
process must get the model, no entry may be corrupted, and nobody may wait
on a dead tensorflow_hub process (tfhub clears its lock).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tfhub as hub
from tests.reliability import procs
from tests.support import tally

# Imports first, then waits for the go file, so that every process resolves at the same moment.
WORKER = """
import os, sys, time
import {module} as hub
open(sys.argv[1] + ".ready-" + str(os.getpid()), "w").close()
while not os.path.exists(sys.argv[1] + ".go"):
    time.sleep(0.02)
for handle in sys.argv[2:]:
    print(hub.resolve(handle), flush=True)
"""
HANDLES = 3
PER_LIBRARY = 2


@pytest.fixture(scope="module")
def tensorflow_hub_available():
    done = subprocess.run([sys.executable, "-c", "import tensorflow_hub"], capture_output=True, timeout=300)
    if done.returncode:
        pytest.skip("tensorflow_hub is not installed in this environment")


@pytest.fixture
def served(http_server, tmp_path):
    """[(url, files)] of a few models, served slowly so that downloads overlap."""
    models = []
    for number in range(HANDLES):
        files, archive = procs.model_archive(tmp_path / f"src{number}", {
            "saved_model.pb": 400_000, "variables/variables.index": 300 + number,
            "variables/variables.data-00000-of-00001": 2000})
        url = http_server.add(f"/publisher/model{number}/1", body=archive, chunk=32 * 1024, chunk_delay=0.01)
        models.append((url, files))
    return models


def _spawn(module: str, barrier: Path, cache_dir: Path, urls) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER.format(module=module), str(barrier), *urls],
        env=dict(os.environ, TFHUB_CACHE_DIR=str(cache_dir), TF_CPP_MIN_LOG_LEVEL="3"),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_ready(barrier: Path, count: int, processes) -> None:
    deadline = time.monotonic() + 300
    while len(list(barrier.parent.glob(barrier.name + ".ready-*"))) < count:
        for process in processes:
            assert process.poll() is None, process.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "the workers never got ready"
        time.sleep(0.1)


@pytest.mark.timeout(600)
def test_tfhub_and_tensorflow_hub_share_a_cache_at_once(tensorflow_hub_available, served, cache_dir, tmp_path):
    urls = [url for url, _ in served]
    barrier = tmp_path / "barrier"
    workers = []
    for index in range(PER_LIBRARY):
        order = urls[index % len(urls):] + urls[:index % len(urls)]  # not all in the same order
        workers += [_spawn("tensorflow_hub", barrier, cache_dir, order), _spawn("tfhub", barrier, cache_dir, order)]
    _wait_ready(barrier, len(workers), workers)
    barrier.with_name(barrier.name + ".go").touch()
    outputs = [worker.communicate(timeout=400) for worker in workers]
    tally.add("reliability: concurrent processes (tfhub + tensorflow_hub)", len(workers))
    for worker, (out, err) in zip(workers, outputs):
        assert worker.returncode == 0, err[-3000:]
        assert sorted(out.split()) == sorted(str(cache_dir / procs.cache_key(url)) for url in urls)
    for url, files in served:
        entry = cache_dir / procs.cache_key(url)
        assert {p.relative_to(entry).as_posix(): p.read_bytes() for p in entry.rglob("*") if p.is_file()} == files
        assert hub.resolve(url) == str(entry)
        assert procs.lock_is_free(cache_dir, url)
    assert procs.temp_leftovers(cache_dir) == []


@pytest.mark.timeout(600)
def test_killed_tensorflow_hub_download_does_not_make_anyone_wait(tensorflow_hub_available, served,
                                                                  cache_dir, tmp_path, http_server):
    url, files = served[0]
    http_server.routes["/publisher/model0/1"].chunk_delay = 0.3  # about 4 s: killed mid-way
    barrier = tmp_path / "barrier"
    victim = _spawn("tensorflow_hub", barrier, cache_dir, [url])
    _wait_ready(barrier, 1, [victim])
    barrier.with_name(barrier.name + ".go").touch()
    key = procs.cache_key(url)
    deadline = time.monotonic() + 120
    while not list(cache_dir.glob(f"{key}.*.tmp")):
        assert victim.poll() is None and time.monotonic() < deadline, victim.communicate()[1][-2000:]
        time.sleep(0.05)
    time.sleep(0.5)
    assert victim.poll() is None, "tensorflow_hub finished before it could be killed"
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    lock = cache_dir / f"{key}.lock"
    assert lock.read_text().startswith(socket.gethostname())  # tensorflow_hub's lock, held by the dead
    http_server.routes["/publisher/model0/1"].chunk_delay = 0.0
    assert hub.resolve(url) == str(cache_dir / key)  # does not wait for the dead holder
    assert not lock.exists() and procs.temp_leftovers(cache_dir) == []
    tally.add("reliability: kill points (tensorflow_hub holder)")
    survivor = _spawn("tensorflow_hub", tmp_path / "again", cache_dir, [url])  # finds the entry at once
    (tmp_path / "again.go").touch()
    out, err = survivor.communicate(timeout=300)
    assert survivor.returncode == 0, err[-3000:]
    assert out.strip() == str(cache_dir / key)
    assert procs.entry_problem(cache_dir, url, files) is None


@pytest.mark.timeout(600)
def test_killed_tfhub_download_then_completed_by_tensorflow_hub_leaves_no_temp_dir(
        tensorflow_hub_available, served, cache_dir, tmp_path, http_server):
    url, files = served[0]
    route = http_server.routes["/publisher/model0/1"]
    route.chunk_delay = 0.3  # about 4 s: killed mid-way
    key = procs.cache_key(url)
    victim = procs.spawn_resolve(url, cache_dir)
    deadline = time.monotonic() + 120
    while not list(cache_dir.glob(f"{key}.*.tfhub-tmp")):
        assert victim.poll() is None and time.monotonic() < deadline, victim.communicate()[1][-2000:]
        time.sleep(0.05)
    time.sleep(0.3)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    route.chunk_delay = 0.0
    finisher = _spawn("tensorflow_hub", tmp_path / "finish", cache_dir, [url])  # completes the entry its way
    (tmp_path / "finish.go").touch()
    out, err = finisher.communicate(timeout=300)
    assert finisher.returncode == 0, err[-3000:]
    assert list(cache_dir.glob(f"{key}.*.tfhub-tmp")), "the killed download left no temp dir to clean"
    gets = len(http_server.gets())
    assert hub.resolve(url) == str(cache_dir / key)
    assert len(http_server.gets()) == gets  # tensorflow_hub's entry is used as is
    assert procs.temp_leftovers(cache_dir) == []  # and tfhub's dead temp dir is gone
    tally.add("reliability: kill points (tfhub victim, tensorflow_hub finisher)")
