"""Debian's nginx as a reference static server for the benchmarks (``make bench`` installs it).

It runs in the foreground with its own configuration, pid, logs and temp
directories in a scratch directory, as the current user, on a free loopback
port, serving given files at given URL paths (the query string is ignored) with
``sendfile`` and ``tcp_nopush``: what a hand-tuned static host would do.
"""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, Optional

from benchmarks.proc import children

_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx")


def find() -> Optional[str]:
    """The nginx executable, or None when it is not installed."""
    found = shutil.which("nginx")
    return found or next((c for c in _CANDIDATES if os.access(c, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(work: Path, port: int, files: Dict[str, Path], workers: int) -> str:
    # A master running as root would hand the workers to "nobody"; keep our own user.
    user = f"user {getpass.getuser()};\n" if os.geteuid() == 0 else ""
    locations = "".join(f"    location = {url} {{ alias {path}; }}\n" for url, path in files.items())
    temps = "".join(f"  {kind}_temp_path {work / kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"{user}daemon off;\nworker_processes {workers};\npid {work / 'nginx.pid'};\n"
            f"error_log {work / 'error.log'} warn;\n"
            "events { worker_connections 4096; }\n"
            "http {\n"
            f"  access_log {work / 'access.log'};\n"  # tfhub serve logs every request too
            "  sendfile on;\n  tcp_nopush on;\n  keepalive_timeout 65;\n"
            "  default_type application/gzip;\n"
            f"{temps}"
            f"  server {{\n    listen 127.0.0.1:{port};\n{locations}  }}\n"
            "}\n")


class Nginx:
    """A running nginx; use as a context manager. ``url`` is its base URL."""

    def __init__(self, executable: str, work: Path, files: Dict[str, Path], workers: int = 2):
        self.work = Path(work)
        self.work.mkdir(parents=True, exist_ok=True)
        self.port = _free_port()
        config = self.work / "nginx.conf"
        config.write_text(_config(self.work, self.port, files, workers))
        self.process = subprocess.Popen([executable, "-p", str(self.work), "-c", str(config),
                                         "-e", str(self.work / "error.log")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_until_listening()
        self.url = f"http://127.0.0.1:{self.port}/"

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}: {self.error_log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.close()
        raise RuntimeError(f"nginx did not listen on port {self.port} within 20 s: {self.error_log()}")

    def error_log(self) -> str:
        try:
            return (self.work / "error.log").read_text(errors="replace")[-500:]
        except OSError:
            return ""

    def pids(self) -> list:
        """The master and its workers (for their CPU time)."""
        return [self.process.pid, *children(self.process.pid)]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "Nginx":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
