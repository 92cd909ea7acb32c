"""Parallel ranged downloads over real HTTP on 127.0.0.1: when, and what still holds.

The archive is ~8 MB, so with the default 8 connections it comes in 1 MiB
pieces: one GET of the whole body (the first piece is read from it) and a
ranged GET with ``If-Range`` for each other piece. The server sends slowly
(``SLOW``), as links that cap each connection do.
"""

import hashlib
import os
import signal
import time
from pathlib import Path

import pytest

import tfhub as hub
from tfhub import errors
from tfhub.resolving import parts
from tests.conftest import pack_bytes
from tests.reliability.procs import spawn_resolve, temp_leftovers
from tests.support import http_server as servers

SIZE = 8_000_000
# ~6 MB/s per connection, as a capped link: a first connection much faster than
# that (plain loopback) already outruns extraction, and stays alone.
SLOW = {"chunk": 64 * 1024, "chunk_delay": 0.01}


def _model(root: Path) -> dict:
    files = {"saved_model.pb": os.urandom(SIZE), "variables/variables.index": b"index"}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> tuple:
    """(files, tar.gz bytes) of a model larger than parts.MIN_PARALLEL_BYTES."""
    root = tmp_path_factory.mktemp("model")
    files = _model(root)
    return files, pack_bytes(root)


def _assert_model(path: str, files: dict) -> None:
    for name, data in files.items():
        assert (Path(path) / name).read_bytes() == data


def _ranged(server, path="/m") -> list:
    return [r for r in server.gets(path) if "Range" in r.headers]


def _pieces(archive: bytes, connections: int = 8) -> int:
    piece = max(parts.PIECE_MIN, min(parts.PIECE_MAX, -(-len(archive) // (2 * connections))))
    return -(-len(archive) // piece)


def _leftovers(cache: Path) -> list:
    return sorted(p.name for p in cache.iterdir() if p.name != ".locks") if cache.exists() else []


def test_ranges_offered_take_the_parallel_path(http_server, model):
    files, archive = model
    url = http_server.add("/m", body=archive, **SLOW)
    _assert_model(hub.resolve(url), files)
    gets = http_server.gets("/m")
    whole = [r for r in gets if "Range" not in r.headers]
    ranged = _ranged(http_server)
    assert len(whole) == 1
    assert len(ranged) == _pieces(archive) - 1 > 1
    etag = '"' + hashlib.sha256(archive).hexdigest()[:32] + '"'
    assert {r.headers["If-Range"] for r in ranged} == {etag}
    starts = sorted(int(r.headers["Range"].split("=")[1].split("-")[0]) for r in ranged)
    assert starts[0] > 0 and len(set(starts)) == len(starts)  # each piece asked once


def test_the_setting_sets_how_many_pieces(http_server, model, monkeypatch):
    files, archive = model
    monkeypatch.setenv("TFHUB_DOWNLOAD_CONNECTIONS", "2")
    url = http_server.add("/m", body=archive, **SLOW)
    _assert_model(hub.resolve(url), files)
    assert len(_ranged(http_server)) == _pieces(archive, connections=2) - 1


@pytest.mark.parametrize("why", ["no ranges", "one connection", "no validator", "small body"])
def test_one_stream_when_parallel_does_not_apply(http_server, model, monkeypatch, tmp_path, why):
    files, archive = model
    route = {"body": archive, **SLOW}
    if why == "no ranges":
        route["ranges"] = False
    elif why == "one connection":
        monkeypatch.setenv("TFHUB_DOWNLOAD_CONNECTIONS", "1")
    elif why == "no validator":
        route["etag"] = None
    else:
        small = tmp_path / "small"
        files = {"saved_model.pb": os.urandom(3_000_000)}  # three pieces, were it parallel
        small.mkdir()
        (small / "saved_model.pb").write_bytes(files["saved_model.pb"])
        route["body"] = pack_bytes(small)
    url = http_server.add("/m", **route)
    _assert_model(hub.resolve(url), files)
    assert len(http_server.gets("/m")) == 1
    assert _ranged(http_server) == []


def test_a_bad_connection_setting_is_a_clear_error(http_server, model, monkeypatch, cache_dir):
    monkeypatch.setenv("TFHUB_DOWNLOAD_CONNECTIONS", "0")
    url = http_server.add("/m", body=model[1], **SLOW)
    with pytest.raises(errors.ConfigError, match="TFHUB_DOWNLOAD_CONNECTIONS=0 must be from 1 to 64"):
        hub.resolve(url)
    assert http_server.gets("/m") == []
    assert _leftovers(cache_dir) == []


def test_a_cut_in_one_part_is_resumed_in_that_part(http_server, model):
    files, archive = model
    cut = 5_500_000  # inside a piece other than the first
    url = http_server.add("/m", body=archive, cut_once_at=cut, **SLOW)
    _assert_model(hub.resolve(url), files)
    resumed = [r for r in _ranged(http_server) if r.headers["Range"].startswith(f"bytes={cut}-")]
    assert len(resumed) == 1
    assert len(_ranged(http_server)) == _pieces(archive)  # every piece once, plus the resume


def test_a_body_that_changes_mid_download_is_refused(http_server, model, cache_dir):
    files, archive = model
    changed = bytearray(archive)
    changed[-100] ^= 0xFF  # same length, another ETag
    url = http_server.add("/m", body=archive, later_body=bytes(changed), **SLOW)
    with pytest.raises(errors.DownloadError, match="changed on the server during the download"):
        hub.resolve(url)
    assert _leftovers(cache_dir) == []


def test_pins_bind_the_whole_archive(http_server, model, cache_dir):
    files, archive = model
    url = http_server.add("/m", body=archive, **SLOW)
    with pytest.raises(errors.IntegrityError, match="pinned"):
        hub.resolve(url, sha256="0" * 64)
    assert _leftovers(cache_dir) == []
    _assert_model(hub.resolve(url, sha256=hashlib.sha256(archive).hexdigest()), files)
    assert len(_ranged(http_server)) == 2 * (_pieces(archive) - 1)


def test_credentials_do_not_follow_parts_to_another_origin(http_server, model, monkeypatch):
    files, archive = model
    storage = servers.TestServer().start()
    try:
        target = storage.add("/blob", body=archive, **SLOW)
        url = http_server.add("/m", status=302, location=target)
        monkeypatch.setenv("TFHUB_HTTP_HEADERS", "Authorization: Bearer secret")
        _assert_model(hub.resolve(url), files)
        assert http_server.gets("/m")[0].headers.get("Authorization") == "Bearer secret"
        ranged = _ranged(storage, "/blob")
        assert len(ranged) == _pieces(archive) - 1
        assert all("Authorization" not in r.headers for r in storage.gets("/blob"))
        assert len(http_server.gets("/m")) == 1  # the parts ask the storage's URL directly
    finally:
        storage.stop()


_INTERRUPTED = """
import sys, threading, tfhub
try:
    tfhub.resolve(sys.argv[1])
except KeyboardInterrupt:
    print("left:", [t.name for t in threading.enumerate() if t.name.startswith("tfhub-part")], flush=True)
    raise
"""


def test_ctrl_c_mid_parallel_download_leaves_nothing(http_server, model, cache_dir):
    _, archive = model
    # Every answer stalls at byte 3,000,000 (for 30 s, then it is resumed and stalls
    # again): the download cannot end by itself while the test waits for the process.
    url = http_server.add("/m", body=archive, stall_after=3_000_000, stall_seconds=30, **SLOW)
    process = spawn_resolve(url, cache_dir, script=_INTERRUPTED)
    try:
        deadline = time.monotonic() + 60
        while len(_ranged(http_server)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(_ranged(http_server)) >= 3, "the parallel download never started"
        time.sleep(0.5)
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=25)  # a hang is the failure
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode != 0
    assert "KeyboardInterrupt" in err, err[-2000:]
    assert "left: []" in out, out  # no download thread outlived the interruption
    assert temp_leftovers(cache_dir) == []
    assert _leftovers(cache_dir) == []  # no entry, no descriptor, no spilled parts


def test_n_processes_make_one_parallel_download(http_server, model, cache_dir):
    files, archive = model
    url = http_server.add("/m", body=archive, delay=1.0, **SLOW)
    processes = [spawn_resolve(url, cache_dir) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err[-2000:] for _, err in outputs]
    paths = {out.strip() for out, _ in outputs}
    assert len(paths) == 1
    _assert_model(paths.pop(), files)
    assert len([r for r in http_server.gets("/m") if "Range" not in r.headers]) == 1
    assert len(_ranged(http_server)) == _pieces(archive) - 1



def test_the_probe_does_not_count_cpu_time_as_the_links():
    """Time the probing thread ran (or waited for a CPU) is not time the link took."""
    if not os.path.exists("/proc/thread-self/schedstat"):
        pytest.skip("no /proc/thread-self/schedstat here: the probe falls back to wall time")
    before = parts._busy_seconds()
    start = time.thread_time()
    while time.thread_time() - start < 0.05:  # run, not blocked
        pass
    assert parts._busy_seconds() - before >= 0.04

    class Burning:  # a body that is all CPU work, never waiting on a socket
        def read(self, count):
            start = time.thread_time()
            while time.thread_time() - start < 0.01:
                pass
            return b"x" * count

    data, seconds = parts._timed_read(Burning(), 1 << 20)
    assert len(data) == 1 << 20 and seconds < 0.005
