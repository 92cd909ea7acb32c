"""`tfhub serve` for tests: its app in-process, or a real subprocess; a TCP proxy that cuts connections.

The protocol (statuses, headers, bodies) is tested in-process through Starlette's
TestClient: the same ASGI app and middleware, no socket and no interpreter to start.
What needs the socket or the process (signals, connection limits, head deadlines,
disconnects, concurrency, clients that speak HTTP for real) uses ServeProcess.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, List, Optional

if TYPE_CHECKING:
    import httpx2 as httpx

STARTUP_SECONDS = 60.0


class _Lines(logging.Handler):
    """Keeps each formatted record: the access log as the server process writes it."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


class InProcessServe:
    """`tfhub serve`'s ASGI app called in-process; ``get``/``head`` answer httpx responses."""

    url = "http://testserver/"

    def __init__(self, root: Path, archive_dir: Path, **settings: Any) -> None:
        from starlette.testclient import TestClient

        from tfhub.server.app import ServeSettings, create_app
        from tfhub.server.middleware import ACCESS_LOGGER

        app = create_app(ServeSettings(root=root, archive_dir=archive_dir, **settings))
        self.client = TestClient(app, base_url=self.url, follow_redirects=False)
        self._log = _Lines()
        self._logger = logging.getLogger(ACCESS_LOGGER)
        self._level = self._logger.level
        self._logger.addHandler(self._log)
        self._logger.setLevel(logging.INFO)

    def get(self, path: str, **kwargs: Any) -> "httpx.Response":
        return self.client.get("/" + path.lstrip("/"), **kwargs)

    def head(self, path: str, **kwargs: Any) -> "httpx.Response":
        return self.client.head("/" + path.lstrip("/"), **kwargs)

    def access_log(self) -> List[dict]:
        """The access log records written so far (the middleware logs before answering ends)."""
        return [json.loads(line) for line in self._log.lines]

    def close(self) -> None:
        self.client.close()
        self._logger.removeHandler(self._log)
        self._logger.setLevel(self._level)


class ServeProcess:
    """``python -m tfhub serve ROOT --port 0 ...``; reads its address from stdout."""

    def __init__(self, root: Path, archive_dir: Path, *extra: str, env: Optional[dict] = None):
        command = [sys.executable, "-m", "tfhub", "serve", str(root), "--port", "0",
                   "--archive-dir", str(archive_dir), *extra]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, env={**os.environ, **(env or {})})
        self.stderr_lines: List[str] = []
        self.stdout_lines: List[str] = []
        self._first_line: "queue.Queue[str]" = queue.Queue()
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        try:
            line = self._first_line.get(timeout=STARTUP_SECONDS)
        except queue.Empty:
            self.stop()
            raise RuntimeError(f"tfhub serve did not start: {self.stderr_lines[-20:]}") from None
        if not line.startswith("tfhub serve: http://"):
            self.stop()
            raise RuntimeError(f"tfhub serve did not start: {line!r} {self.stderr_lines[-20:]}")
        self.url = line.split()[2]  # "http://127.0.0.1:PORT/"
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))

    def _drain_stdout(self) -> None:
        for line in self.process.stdout:
            self.stdout_lines.append(line.rstrip("\n"))
            self._first_line.put(line)
        self._first_line.put("")

    def _drain_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr_lines.append(line.rstrip("\n"))

    def access_log(self) -> List[dict]:
        """The structured access log lines written so far."""
        records = []
        for line in list(self.stderr_lines):
            if line.startswith("{"):
                records.append(json.loads(line))
        return records

    def wait_for_log(self, predicate, timeout: float = 20.0) -> List[dict]:
        """Access log records matching ``predicate``, waiting for the server to write them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.access_log() if predicate(r)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def __enter__(self) -> "ServeProcess":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class CuttingProxy:
    """Forwards TCP to a server; the first connection is cut after ``cut_after`` bytes."""

    def __init__(self, upstream_port: int, cut_after: int):
        self.upstream_port = upstream_port
        self.cut_after = cut_after
        self.connections = 0
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            limit = self.cut_after if self.connections == 1 else None
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pipe, args=(client, upstream, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, limit), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket, limit: Optional[int]) -> None:
        sent = 0
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if limit is not None and sent + len(data) >= limit:
                    target.sendall(data[: limit - sent])
                    break
                target.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self) -> None:
        self._listener.close()


def raw_request(port: int, request_line_path: str, method: str = "GET") -> bytes:
    """Sends a request with the path exactly as given (no client normalisation)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"{method} {request_line_path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)
