"""Hostile socket crowds for server tests: idle sockets and slow-header (slowloris) ones.

One thread keeps ``count`` sockets open to 127.0.0.1:port. An idle socket
sends nothing; a slow one sends its request head one byte a second and never
finishes it. A socket the server hangs up on is opened again at once, as a
determined attacker would. Everything stops by itself after ``max_seconds``.
"""

from __future__ import annotations

import errno
import selectors
import socket
import threading
import time
from typing import Dict, List

_SLOW_HEAD = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100_000


class Attackers:
    """``count`` idle (``slow=False``) or slow-header sockets against a port."""

    def __init__(self, port: int, count: int, slow: bool, max_seconds: float = 60.0):
        self.port = port
        self.count = count
        self.slow = slow
        self.max_seconds = max_seconds
        self.opened = 0
        self.hung_up = 0  # sockets the server closed
        self.connect_errors = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Attackers":
        self._thread.start()
        deadline = time.monotonic() + 30
        while self.opened < self.count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _open(self, selector: selectors.BaseSelector, sent: Dict[socket.socket, int]) -> None:
        sock = socket.socket()
        sock.setblocking(False)
        err = sock.connect_ex(("127.0.0.1", self.port))
        if err not in (0, errno.EINPROGRESS):
            self.connect_errors += 1
            sock.close()
            return
        selector.register(sock, selectors.EVENT_READ)
        sent[sock] = 0
        self.opened += 1

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        sent: Dict[socket.socket, int] = {}
        started = time.monotonic()
        next_byte = started
        try:
            while not self._stop.is_set() and time.monotonic() - started < self.max_seconds:
                while len(sent) < self.count and not self._stop.is_set():
                    self._open(selector, sent)
                    if self.connect_errors > 100 * self.count:
                        return
                for key, _ in selector.select(timeout=0.1):
                    self._drop(selector, sent, key.fileobj)  # readable: closed or answered
                if self.slow and time.monotonic() >= next_byte:
                    next_byte += 1.0
                    for sock in list(sent):
                        try:
                            sock.send(_SLOW_HEAD[sent[sock]:sent[sock] + 1])
                            sent[sock] += 1
                        except OSError:
                            self._drop(selector, sent, sock)
        finally:
            for sock in list(sent):
                selector.unregister(sock)
                sock.close()
            selector.close()

    def _drop(self, selector: selectors.BaseSelector, sent: Dict[socket.socket, int], sock: object) -> None:
        assert isinstance(sock, socket.socket)
        if sock not in sent:
            return
        selector.unregister(sock)
        del sent[sock]
        sock.close()
        self.hung_up += 1


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
