"""A static model host on 127.0.0.1, run as its own process: plain and fast, or a realistic link.

``GET /models/<name>/<anything>?tf-hub-format=compressed`` answers
``<root>/<name>.tar.gz`` from disk with ``sendfile`` (as a static file server
or CDN would), ``Range`` requests included (206, ``If-Range`` against its
ETag, ``Accept-Ranges: bytes``, as nginx and cloud storage answer them);
``<anything>`` lets each run use a fresh handle. Every GET is counted per
path; ``GET /_counts`` answers the counts as JSON.

Options make it a realistic link (what tfhub.dev -> Kaggle -> storage is):

* ``--rate MB``: each connection gets at most MB megabytes per second;
* ``--delay-ms MS``: every request waits MS before its answer (a round trip);
* ``--redirects N``: the model URL answers a chain of N 302s, the last one
  to ``/storage/<name>.tar.gz``, which serves the body.

Usage: ``python benchmarks/server.py <root> [--rate 20] [--delay-ms 40] [--redirects 2]``;
prints ``PORT <n>`` when ready.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import re
import threading
import time
import urllib.parse
from collections import Counter
from typing import Optional, Tuple

_COUNTS: Counter = Counter()
_LOCK = threading.Lock()
_RANGE = re.compile(r"bytes=(\d+)-(\d*)\Z")
_PACE_CHUNK = 256 * 1024


class Handler(http.server.BaseHTTPRequestHandler):
    root = "."
    protocol_version = "HTTP/1.1"
    rate: Optional[float] = None  # bytes per second per connection
    delay = 0.0
    redirects = 0

    def log_message(self, format, *args):  # silence per-request logs
        pass

    def _send_json(self, value) -> None:
        body = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # http.server's name
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_counts":
            with _LOCK:
                self._send_json(dict(_COUNTS))
            return
        with _LOCK:
            _COUNTS[url.path] += 1
        if self.delay:
            time.sleep(self.delay)
        parts = url.path.strip("/").split("/")
        query = urllib.parse.parse_qs(url.query)
        if len(parts) == 2 and parts[0] == "storage":
            self._send_file(os.path.join(self.root, os.path.basename(parts[1])))
            return
        if len(parts) < 2 or parts[0] != "models" or query.get("tf-hub-format") != ["compressed"]:
            self.send_error(404)
            return
        hop = int(query.get("hop", ["0"])[0])
        if hop < self.redirects:
            last = hop + 1 == self.redirects
            location = (f"/storage/{os.path.basename(parts[1])}.tar.gz" if last
                        else f"{url.path}?tf-hub-format=compressed&hop={hop + 1}")
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send_file(os.path.join(self.root, os.path.basename(parts[1]) + ".tar.gz"))

    def _wanted(self, size: int, etag: str) -> Optional[Tuple[int, int]]:
        """The byte range asked for (end excluded), or None for the whole body."""
        match = _RANGE.match(self.headers.get("Range", "").strip())
        if_range = self.headers.get("If-Range")
        if not match or (if_range is not None and if_range != etag):
            return None
        start = int(match.group(1))
        end = min(size, int(match.group(2)) + 1) if match.group(2) else size
        return (start, end) if start < end else None

    def _send_file(self, path: str) -> None:
        try:
            data = open(path, "rb")  # closed below
        except FileNotFoundError:
            self.send_error(404)
            return
        with data:
            stat = os.fstat(data.fileno())
            size, etag = stat.st_size, f'"{stat.st_size}-{int(stat.st_mtime)}"'
            span = self._wanted(size, etag)
            start, end = span or (0, size)
            self.send_response(206 if span else 200)
            self.send_header("Content-Type", "application/x-tar")
            self.send_header("Content-Length", str(end - start))
            self.send_header("Accept-Ranges", "bytes")
            if span:
                self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.flush()
            try:
                self._send_bytes(data, start, end)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client took what it wanted

    def _send_bytes(self, data, start: int, end: int) -> None:  # a file
        if self.rate is None:
            self.connection.sendfile(data, start, end - start)
            return
        began, sent = time.monotonic(), 0
        while start + sent < end:
            count = min(_PACE_CHUNK, end - start - sent)
            self.connection.sendfile(data, start + sent, count)
            sent += count
            ahead = began + sent / self.rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root")
    parser.add_argument("--rate", type=float, help="megabytes per second per connection")
    parser.add_argument("--delay-ms", type=float, default=0.0)
    parser.add_argument("--redirects", type=int, default=0)
    args = parser.parse_args()
    Handler.root = args.root
    Handler.rate = args.rate * 1e6 if args.rate else None
    Handler.delay = args.delay_ms / 1000
    Handler.redirects = args.redirects
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 64
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
