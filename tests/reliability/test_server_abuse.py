"""`tfhub serve` against hostile clients: it must keep serving everybody else.

Slow clients (slowloris: headers a byte at a time, never finished; readers
that never read), clients that vanish mid-body, and malformed requests. After
each, an ordinary ``hub.resolve`` through the server must get the model.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path
from typing import List

import pytest

pytest.importorskip("uvicorn", reason="the `serve` extra (starlette, uvicorn) is not installed")

import tfhub as hub
from tests.server.serving import ServeProcess
from tests.support import tally

MODEL = "abuse/model/1"
SLOW_CLIENTS = 100
MALFORMED = [
    b"\x00\xff\xfe garbage\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # a path too long for the OS: 404
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 200_000 + b"\r\n\r\n",
    b"GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /%2e%2e/%2e%2e/etc/passwd?tf-hub-format=compressed HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /" + MODEL.encode() + b"?tf-hub-format=compressed HTTP/1.1\r\nHost: x\r\nRange: bytes=abc\r\n\r\n",
    b"GET /" + MODEL.encode() + b"?tf-hub-format=compressed HTTP/1.1\r\nHost: x\r\nRange: bytes=99999999999-\r\n\r\n",
    b"GET /" + MODEL.encode() + b"?tf-hub-format=compressed HTTP/1.1\r\nHost: x\r\nRange: bytes=5-1,-0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /?tf-hub-format=%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"H: v\r\n" * 5000 + b"\r\n",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory, tf2_model_dir):
    """(tfhub serve process, expected files) over a root holding one model with 2 MB of noise."""
    root = tmp_path_factory.mktemp("serve-root")
    shutil.copytree(tf2_model_dir, root / MODEL)
    (root / MODEL / "assets").mkdir(exist_ok=True)
    (root / MODEL / "assets" / "noise.bin").write_bytes(os.urandom(2 << 20))
    files = {p.relative_to(root / MODEL).as_posix(): p.read_bytes() for p in (root / MODEL).rglob("*") if p.is_file()}
    server = ServeProcess(root, tmp_path_factory.mktemp("archives"))
    yield server, files
    server.stop()


def _assert_serves_others(server: ServeProcess, files: dict, cache_dir: Path) -> None:
    assert server.process.poll() is None, server.stderr_lines[-20:]
    path = Path(hub.resolve(server.url + MODEL))
    assert {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()} == files
    shutil.rmtree(cache_dir)  # the next check downloads again


def _open(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


@pytest.mark.timeout(300)
def test_slowloris_and_non_reading_clients_do_not_starve_others(served, cache_dir):
    server, files = served
    slow: List[socket.socket] = []
    try:
        for _ in range(SLOW_CLIENTS):
            sock = _open(server.port)
            sock.sendall(b"GET /" + MODEL.encode() + b" HTTP/1.1\r\nHost: x\r\n")  # never finished
            slow.append(sock)
        for _ in range(10):  # ask for the archive and never read it
            sock = _open(server.port)
            sock.sendall(f"GET /{MODEL}?tf-hub-format=compressed HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            slow.append(sock)
        for _ in range(3):
            for sock in slow[:SLOW_CLIENTS]:
                try:
                    sock.sendall(b"X-a: b\r\n")  # a header now and then, as slowloris does
                except OSError:
                    pass  # the server may hang up on them: fine
            _assert_serves_others(server, files, cache_dir)
            time.sleep(0.5)
        tally.add("reliability: hostile server clients", len(slow))
    finally:
        for sock in slow:
            sock.close()


@pytest.mark.timeout(300)
def test_clients_that_vanish_mid_body(served, cache_dir):
    server, files = served
    for number in range(20):
        with _open(server.port) as sock:
            if number % 2:  # mid-response: reset after the first bytes of the archive
                sock.sendall(f"GET /{MODEL}?tf-hub-format=compressed HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                sock.recv(1024)
            else:  # mid-request: a body announced and never sent
                sock.sendall(b"POST /" + MODEL.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nab")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        tally.add("reliability: hostile server clients")
    _assert_serves_others(server, files, cache_dir)


def _answer(port: int, payload: bytes) -> bytes:
    """The server's answer to ``payload``, up to its status line (b"" if it hangs up or waits).

    The socket is not half-closed: a server may drop the answer to a client that
    did so, which would hide a 5xx behind a hang-up.
    """
    with _open(port) as sock:
        sock.settimeout(5)
        try:
            sock.sendall(payload)
        except OSError:
            return b""
        answer = b""
        try:
            while b"\r\n" not in answer:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        except OSError:  # timed out waiting for the rest of a request, or reset
            pass
        return answer


@pytest.mark.timeout(300)
@pytest.mark.parametrize("payload", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_requests_get_4xx_or_a_hang_up(served, cache_dir, payload):
    server, files = served
    answer = _answer(server.port, payload)
    tally.add("reliability: hostile server clients")
    status_line = answer.split(b"\r\n", 1)[0]
    assert not status_line.startswith(b"HTTP/1.1 5"), status_line
    assert b"root:" not in answer  # no file from outside the served root
    _assert_serves_others(server, files, cache_dir)


ATTACKERS = 1000
HEAD_TIMEOUT = 2.0
REAL_REQUESTS = 120


def _real_requests(url: str, token: str, count: int) -> tuple:
    """(successes, latencies in seconds) of ``count`` archive downloads, one connection each."""
    import requests

    latencies, ok = [], 0
    for _ in range(count):
        started = time.monotonic()
        try:
            response = requests.get(url + MODEL + "?tf-hub-format=compressed", timeout=10,
                                    headers={"Authorization": f"Bearer {token}", "Connection": "close"})
            ok += response.status_code == 200
        except requests.RequestException:
            pass
        latencies.append(time.monotonic() - started)
        time.sleep(0.02)
    return ok, latencies


@pytest.mark.timeout(180)
def test_1000_idle_or_slow_header_sockets_do_not_starve_token_holders(tmp_path, tf2_model_dir):
    """Issue 14 item 7: idle sockets used to count toward the limit, so real requests got 503."""
    from tests.server.attackers import Attackers, percentile

    root = tmp_path / "root"
    shutil.copytree(tf2_model_dir, root / MODEL)
    (tmp_path / "token").write_text("s3cret\n")
    # Default limits, but a short head deadline, so that it visibly closes attackers during the test.
    server = ServeProcess(root, tmp_path / "archives", "--token-file", str(tmp_path / "token"),
                          "--head-timeout", str(HEAD_TIMEOUT))
    try:
        ok, latencies = _real_requests(server.url, "s3cret", 20)  # also packs the archive
        assert ok == 20
        baseline = percentile(latencies, 0.95)
        figures = {"baseline p95": round(baseline, 4)}
        for slow in (False, True):
            kind = "slow-header" if slow else "idle"
            with Attackers(server.port, ATTACKERS, slow=slow, max_seconds=60) as crowd:
                assert crowd.opened >= ATTACKERS
                time.sleep(1.5)  # let every attacker sit (slow ones send their first bytes)
                ok, latencies = _real_requests(server.url, "s3cret", REAL_REQUESTS)
            figures[kind] = {"success": ok / REAL_REQUESTS, "p50": round(percentile(latencies, 0.5), 4),
                             "p95": round(percentile(latencies, 0.95), 4), "server hang-ups": crowd.hung_up}
            tally.add("reliability: hostile server clients", ATTACKERS)
        print("real requests under attack:", figures)
        for kind in ("idle", "slow-header"):
            assert figures[kind]["success"] >= 0.99, figures
            assert figures[kind]["p95"] < max(1.0, 20 * baseline), figures
            assert figures[kind]["server hang-ups"] >= ATTACKERS, figures  # the deadline closed them
        assert server.process.poll() is None
    finally:
        server.stop()


SLOW_RANGE = b"bytes=-" + b" " * 15_000 + b"x"  # backtracked for seconds by the old pattern


@pytest.mark.timeout(180)
def test_long_malformed_range_headers_do_not_hold_the_event_loop(served, cache_dir):
    """Issue 14 item 8: six 15 KB Range headers used to delay every other request by seconds."""
    import requests

    server, files = served
    hostile = []
    try:
        for _ in range(6):
            sock = _open(server.port)
            sock.sendall(b"GET /" + MODEL.encode() + b"?tf-hub-format=compressed HTTP/1.1\r\nHost: x\r\n"
                         b"Range: " + SLOW_RANGE + b"\r\nConnection: close\r\n\r\n")
            hostile.append(sock)
        delay, watch_until = 0.0, time.monotonic() + 3
        while time.monotonic() < watch_until:  # unrelated requests (the index) meanwhile
            started = time.monotonic()
            response = requests.get(server.url, timeout=120)
            delay = max(delay, time.monotonic() - started)
            assert response.status_code == 200
        for sock in hostile:  # the malformed range is ignored: the whole archive, 200
            sock.settimeout(120)
            assert sock.recv(64).startswith(b"HTTP/1.1 200 "), "hostile request not answered 200"
        tally.add("reliability: hostile server clients", len(hostile))
        assert delay < 1.0, f"an unrelated request waited {delay:.2f} s behind malformed Range headers"
    finally:
        for sock in hostile:
            sock.close()
    _assert_serves_others(server, files, cache_dir)
