"""Bad inputs of issue 6 against a real `tfhub serve`: changes, disconnects, crowds, cuts."""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

import requests

from tests.conftest import pack_bytes
from tests.server.conftest import BIG_PATH, TF2_PATH
from tests.server.serving import CuttingProxy, ServeProcess

COMPRESSED = "?tf-hub-format=compressed"


def _tree(directory) -> dict:
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_a_model_that_changes_while_served(server, serve_root):
    url = server.url + BIG_PATH + COMPRESSED
    before = requests.get(url, timeout=60)
    in_flight = requests.get(url, stream=True, timeout=60)
    first_chunk = next(in_flight.iter_content(64 * 1024))
    (serve_root / BIG_PATH / "assets" / "noise.bin").write_bytes(os.urandom(1 << 20))
    after = requests.get(url, timeout=60)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.content == pack_bytes(serve_root / BIG_PATH)
    # The download that started before the change ends with the old, whole archive.
    old = first_chunk + b"".join(in_flight.iter_content(64 * 1024))
    assert old == before.content
    # Resuming the old version with If-Range gets the new one whole, not a mix.
    resumed = requests.get(url, headers={"Range": "bytes=1000-", "If-Range": before.headers["ETag"]}, timeout=60)
    assert resumed.status_code == 200 and resumed.content == after.content


def test_a_client_that_disconnects_mid_download(server, serve_root):
    # Bigger than every kernel buffer between us (the server's send buffer grows to
    # 4 MiB): sent by sendfile, a 3 MiB body fits in them whole before the client leaves.
    (serve_root / BIG_PATH / "assets" / "noise.bin").write_bytes(os.urandom(12 << 20))
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)  # a window that stays small
        sock.connect(("127.0.0.1", server.port))
        sock.sendall(f"GET /{BIG_PATH}{COMPRESSED} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    records = server.wait_for_log(lambda r: r["outcome"] == "client disconnected")
    assert records and records[0]["bytes"] < (3 << 20)
    # The server goes on serving, and the archive on disk is intact.
    response = requests.get(server.url + BIG_PATH + COMPRESSED, timeout=60)
    assert response.status_code == 200 and response.content == pack_bytes(serve_root / BIG_PATH)


def test_200_concurrent_clients_get_identical_bodies(server, serve_root):
    expected = hashlib.sha256(pack_bytes(serve_root / TF2_PATH)).hexdigest()
    url = server.url + TF2_PATH + COMPRESSED

    def fetch(_: int) -> tuple:
        response = requests.get(url, timeout=120)
        return response.status_code, hashlib.sha256(response.content).hexdigest()

    with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(fetch, range(200)))
    assert results == [(200, expected)] * 200


def test_interrupted_download_resumes_with_range_byte_identical(server, serve_root):
    """Acceptance 2: a proxy cuts the first connection mid-body; tfhub resumes."""
    import tfhub

    proxy = CuttingProxy(server.port, cut_after=1 << 20)
    try:
        path = tfhub.resolve(f"http://127.0.0.1:{proxy.port}/{BIG_PATH}")
    finally:
        proxy.close()
    assert proxy.connections >= 2
    resumed = server.wait_for_log(lambda r: r["status"] == 206 and r["path"] == "/" + BIG_PATH)
    assert resumed and resumed[0]["range"].startswith("bytes=")
    assert _tree(serve_root / BIG_PATH) == _tree(type(serve_root)(path))


def test_graceful_shutdown_lets_a_download_finish(serve_root, tmp_path):
    process = ServeProcess(serve_root, tmp_path / "archives")
    url = process.url + BIG_PATH + COMPRESSED
    expected = requests.get(url, timeout=60).content
    response = requests.get(url, stream=True, timeout=60)
    chunks = [next(response.iter_content(16 * 1024))]
    process.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    chunks.extend(response.iter_content(64 * 1024))
    assert b"".join(chunks) == expected
    assert process.process.wait(timeout=60) == 0
    assert process.stdout_lines[-1] == "tfhub serve: stopped"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_sent_the_moment_the_address_is_printed_stops_the_server(tmp_path, signum):
    """The address line used to come before any handler of ours, and uvicorn installs its
    own only once it runs: a signal right after the line killed the server without its
    shutdown (exit -15, or 130 for Ctrl-C), and one a little later, once our quiet
    stand-in handler was in, was swallowed and the server served on."""
    root = tmp_path / "root"  # no model needed: the race is before any request
    root.mkdir()
    command = [sys.executable, "-m", "tfhub", "serve", str(root), "--port", "0",
               "--archive-dir", str(tmp_path / "archives")]
    for attempt in range(3):  # each a real race; the broken build lost it every time
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = process.stdout.readline()
            assert line.startswith("tfhub serve: http://"), (line, process.stderr.read() if process.poll() else "")
            process.send_signal(signum)  # no wait: the line has only just been flushed
            try:
                code = process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pytest.fail(f"attempt {attempt}: tfhub serve kept running after {signum!r} "
                            "sent right after its address line")
            assert code == 0, process.stderr.read()
            assert process.stdout.read().splitlines()[-1:] == ["tfhub serve: stopped"]
        finally:
            if process.poll() is None:
                process.kill()
            process.wait()
            process.stdout.close()
            process.stderr.close()


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """True when the server hangs up on ``sock`` (EOF or reset) within ``within`` seconds."""
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass
        return True
    except socket.timeout:
        return False
    except OSError:
        return True


def test_idle_connections_make_way_for_requests(serve_root, tmp_path):
    """Issue 14 item 7: idle sockets used to count toward the limit, so requests got 503."""
    process = ServeProcess(serve_root, tmp_path / "archives", "--max-connections", "4")
    idle = [socket.create_connection(("127.0.0.1", process.port)) for _ in range(10)]
    try:
        time.sleep(0.3)
        for _ in range(3):
            response = requests.get(process.url + TF2_PATH + COMPRESSED, timeout=60)
            assert response.status_code == 200
        assert _closed_by_server(idle[0], within=5)  # the longest idle made way first
        assert not _closed_by_server(idle[-1], within=0.2)  # the newest is still open
    finally:
        for sock in idle:
            sock.close()
        process.stop()


def test_busy_connections_beyond_the_limit_get_503(serve_root, tmp_path):
    process = ServeProcess(serve_root, tmp_path / "archives", "--max-connections", "2")
    busy = []
    try:
        requests.get(process.url + BIG_PATH + COMPRESSED, timeout=60).raise_for_status()  # packed
        for _ in range(2):  # downloads that never read: busy for as long as they stay
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", process.port))
            sock.sendall(f"GET /{BIG_PATH}{COMPRESSED} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            busy.append(sock)
        time.sleep(0.5)
        response = requests.get(process.url + TF2_PATH + COMPRESSED, timeout=60)
        assert response.status_code == 503
        for sock in busy:
            sock.close()
        deadline = time.monotonic() + 20
        while True:  # once the downloads are gone, requests are served again
            response = requests.get(process.url + TF2_PATH + COMPRESSED, timeout=60)
            if response.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert response.status_code == 200
    finally:
        for sock in busy:
            sock.close()
        process.stop()


def test_head_deadline_closes_idle_trickling_and_kept_alive_sockets(serve_root, tmp_path):
    """A request head must be complete within --head-timeout; trickled bytes do not extend it."""
    process = ServeProcess(serve_root, tmp_path / "archives", "--head-timeout", "1")
    try:
        idle = socket.create_connection(("127.0.0.1", process.port))
        trickling = socket.create_connection(("127.0.0.1", process.port))
        kept_alive = socket.create_connection(("127.0.0.1", process.port))
        kept_alive.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert kept_alive.recv(65536).startswith(b"HTTP/1.1 200 ")
        started = time.monotonic()
        for byte in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa":
            try:
                trickling.send(bytes([byte]))
            except OSError:
                break
            time.sleep(0.1)
        assert time.monotonic() - started < 4, "the trickling socket was kept open"
        for sock in (idle, trickling, kept_alive):
            assert _closed_by_server(sock, within=3)
            sock.close()
        response = requests.get(process.url + TF2_PATH + COMPRESSED, timeout=60)
        assert response.status_code == 200  # a prompt request is not affected
    finally:
        process.stop()


@pytest.mark.parametrize("option", [("--head-timeout", "nan"), ("--head-timeout", "0"), ("--max-connections", "0")])
def test_bad_connection_limits_are_refused_in_one_line(serve_root, tmp_path, option):
    result = subprocess.run([sys.executable, "-m", "tfhub", "serve", str(serve_root), "--port", "0", *option],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert option[0] in result.stderr and "Traceback" not in result.stderr
