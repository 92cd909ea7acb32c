"""A plain, fast static model host on 127.0.0.1, run as its own process.

``GET /models/<name>/<anything>?tf-hub-format=compressed`` streams
``<root>/<name>.tar.gz`` from disk with ``sendfile`` (as a static file server
or CDN would); ``<anything>`` lets each run use a fresh handle. Every GET is
counted per path; ``GET /_counts`` answers the counts as JSON.

Usage: ``python benchmarks/server.py <root>``; prints ``PORT <n>`` when ready.
"""

from __future__ import annotations

import http.server
import json
import os
import sys
import threading
import urllib.parse
from collections import Counter

_COUNTS: Counter = Counter()
_LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    root = "."
    protocol_version = "HTTP/1.1"

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
        parts = url.path.strip("/").split("/")
        query = urllib.parse.parse_qs(url.query)
        if len(parts) < 2 or parts[0] != "models" or query.get("tf-hub-format") != ["compressed"]:
            self.send_error(404)
            return
        path = os.path.join(self.root, os.path.basename(parts[1]) + ".tar.gz")
        try:
            data = open(path, "rb")  # closed below
        except FileNotFoundError:
            self.send_error(404)
            return
        with data:
            size = os.fstat(data.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Type", "application/x-tar")
            self.send_header("Content-Length", str(size))
            self.send_header("ETag", f'"{size}-{int(os.fstat(data.fileno()).st_mtime)}"')
            self.end_headers()
            self.wfile.flush()
            self.connection.sendfile(data)


def main() -> None:
    Handler.root = sys.argv[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sys.stdout.write(f"PORT {server.server_address[1]}\n")
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
