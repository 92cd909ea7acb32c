"""A light HTTP/1.1 download client for the serve_load figure (one process of several).

Usage: ``load_client.py HOST PORT PATH REFERENCE_FILE CLIENTS COUNT``. Runs
CLIENTS threads that share COUNT downloads of PATH, each on a fresh connection,
and prints one JSON object: per-download seconds, failures, how many bodies
matched REFERENCE_FILE byte for byte, its own CPU seconds and wall-clock span.

Why not ``requests``: at ~1 GB/s its per-chunk Python work and a SHA-256 per body
make the clients, not the server, the bottleneck. Here each body is received
into one reused buffer and compared in place with the reference
(``bytes.startswith`` at an offset: a memcmp, no copy), so the client's work is
about the kernel's copy into user space.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import List

_BUFFER = 1 << 20


def _head(sock: socket.socket, buffer: bytearray) -> tuple:
    """(status, content length, body bytes already in ``buffer``) of the answer's head."""
    view = memoryview(buffer)
    got = 0
    while True:
        n = sock.recv_into(view[got:], len(buffer) - got)
        if not n:
            raise ConnectionError("closed before the end of the head")
        got += n
        end = buffer.find(b"\r\n\r\n", 0, got)
        if end >= 0:
            break
        if got == len(buffer):
            raise ValueError("head too long")
    lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(v) for k, _, v in (line.partition(":") for line in lines[1:])
                  if k.strip().lower() == "content-length")
    rest = got - end - 4
    buffer[:rest] = buffer[end + 4:got]
    return status, length, rest


def download(host: str, port: int, path: str, reference: bytes) -> tuple:
    """(seconds, identical) of one GET on a new connection."""
    buffer = bytearray(_BUFFER + 64 * 1024)
    start = time.perf_counter()
    with socket.create_connection((host, port), timeout=300) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        status, length, got = _head(sock, buffer)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        identical = length == len(reference)
        view = memoryview(buffer)
        position = 0
        while True:
            if got:
                identical = identical and reference.startswith(view[:got], position)
                position += got
            if position >= length:
                break
            got = sock.recv_into(view, min(_BUFFER, length - position))
            if not got:
                raise ConnectionError(f"closed after {position} of {length} bytes")
    return time.perf_counter() - start, identical and position == length


def main(argv: List[str]) -> None:
    host, port, path, reference_file, clients, count = argv
    reference = Path(reference_file).read_bytes()
    left = iter(range(int(count)))
    lock = threading.Lock()
    seconds: List[float] = []
    failures: List[str] = []
    identical = 0

    def worker() -> None:
        nonlocal identical
        while True:
            with lock:
                if next(left, None) is None:
                    return
            try:
                took, same = download(host, int(port), path, reference)
            except Exception as exc:  # counted and reported
                with lock:
                    failures.append(repr(exc))
                continue
            with lock:
                seconds.append(took)
                identical += same

    threads = [threading.Thread(target=worker) for _ in range(int(clients))]
    cpu0, began = os.times(), time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ended, cpu1 = time.time(), os.times()
    json.dump({"seconds": seconds, "failures": failures, "identical": identical, "began": began,
               "ended": ended, "cpu": (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
