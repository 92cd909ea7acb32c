"""A real HTTP server on 127.0.0.1 for tests, with faults to order.

Each route answers a body (bytes, or a file streamed from disk) and may
misbehave: a status code, a truncated body, a stall, no Range support, a
redirect, the 303 protocol, a body that changes between requests, a 206
with the wrong ``Content-Range``, endless bytes after the body. Every request
is recorded. Every misbehaviour is bounded in time, so the server always stops.
"""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import os
import selectors
import socket
import ssl
import threading
import time
import urllib.parse
from typing import Dict, List, Optional, Set, Union


@dataclasses.dataclass
class Route:
    """How the server answers one path."""

    body: Union[bytes, str, None] = b""  # bytes, or a file path streamed from disk
    status: int = 200
    headers: Dict[str, str] = dataclasses.field(default_factory=dict)
    truncate_at: Optional[int] = None  # close the connection after this many bytes
    stall_after: Optional[int] = None  # stop sending (but keep the socket) after N bytes
    faulty_requests: int = 1_000_000  # truncate/stall only the first N requests
    stall_seconds: float = 30.0
    ranges: bool = True  # honour Range requests with 206
    send_length: bool = True  # send Content-Length
    location: Optional[str] = None  # for 3xx answers
    delay: float = 0.0  # seconds before answering
    chunk: int = 64 * 1024
    chunk_delay: float = 0.0  # seconds between chunks (a slow link)
    etag: Optional[str] = "auto"  # "auto": a strong ETag of the body; None: no validator
    later_body: Union[bytes, None] = None  # the body answered after the first request (it changed)
    range_from_zero: bool = False  # answer a Range with 206 and the whole body (Content-Range 0-...)
    endless_after: Optional[float] = None  # after the body, send zeros for this many seconds
    cut_once_at: Optional[int] = None  # the first 206 that would send this byte closes just before it


@dataclasses.dataclass
class Request:
    method: str
    path: str
    query: List[tuple]
    headers: Dict[str, str]

    @property
    def raw_query(self) -> str:
        return urllib.parse.urlencode(self.query)


class TestServer:
    """A threading HTTP server with registered routes."""

    __test__ = False  # a helper, not a test class, despite its name

    def __init__(self, certfile: Optional[str] = None, keyfile: Optional[str] = None) -> None:
        self.routes: Dict[str, Route] = {}
        self.requests: List[Request] = []
        self._lock = threading.Lock()
        self._served: Dict[str, int] = {}
        # Requests being answered now. An answer leaves the count just before writing its last bytes,
        # so a client that has read a whole body can never see its own request still counted.
        self.in_flight = 0
        self.max_in_flight = 0  # the most answered at once so far
        handler = _make_handler(self)
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.scheme = "http"
        if certfile:  # HTTPS with the given certificate
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile, keyfile)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        # stop() wakes the accept loop through this pair at once; serve_forever would
        # only notice a shutdown at its next poll (0.5 s on every test's teardown).
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._stopping = False
        self._connections: Set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def add(self, path: str, route: Optional[Route] = None, **kwargs) -> str:
        """Registers a route and returns its URL."""
        self.routes[path] = route or Route(**kwargs)
        return self.url(path)

    def gets(self, path: Optional[str] = None) -> List[Request]:
        with self._lock:
            return [r for r in self.requests if r.method == "GET" and (path is None or r.path == path)]

    def start(self) -> "TestServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stops accepting, hangs up on open connections (stalled ones too), closes the sockets."""
        self._stopping = True
        self._wake_writer.send(b"x")
        if self._thread.is_alive():
            self._thread.join()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:  # the handler closed it meanwhile
                pass
        self._httpd.server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._httpd.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self._stopping:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_reader or self._stopping:
                        return
                    try:
                        connection, address = self._httpd.get_request()
                    except OSError:  # the client left, or the TLS handshake failed
                        continue
                    self._httpd.process_request(connection, address)  # a thread per connection

    def _opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)

    def _closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def _record(self, request: Request) -> int:
        with self._lock:
            self.requests.append(request)
            self._served[request.path] = self._served.get(request.path, 0) + 1
            return self._served[request.path]


def _body_size(body: Union[bytes, str, None]) -> int:
    if body is None:
        return 0
    return os.path.getsize(body) if isinstance(body, str) else len(body)


def _etag(route: Route) -> Optional[str]:
    if route.etag != "auto":
        return route.etag
    if isinstance(route.body, bytes):
        return '"' + hashlib.sha256(route.body).hexdigest()[:32] + '"'
    if isinstance(route.body, str):
        stat = os.stat(route.body)
        return f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
    return None


def _read_range(body: Union[bytes, str], start: int, end: int) -> bytes:
    if isinstance(body, str):
        with open(body, "rb") as f:
            f.seek(start)
            return f.read(end - start)
    return body[start:end]


def _make_handler(server: TestServer):  # a class
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            server._opened(self.request)
            super().setup()

        def finish(self) -> None:
            server._closed(self.request)
            super().finish()

        def log_message(self, *args) -> None:  # silence
            pass

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def _answer(self, send_body: bool) -> None:
            with server._lock:
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            self._counted = True
            try:
                self._answer_counted(send_body)
            finally:
                self._leave_in_flight()

        def _leave_in_flight(self) -> None:
            with server._lock:
                if self._counted:
                    server.in_flight -= 1
                    self._counted = False

        def _answer_counted(self, send_body: bool) -> None:
            parts = urllib.parse.urlsplit(self.path)
            request = Request(self.command, parts.path, urllib.parse.parse_qsl(parts.query), dict(self.headers))
            count = server._record(request)
            route = server.routes.get(parts.path)
            if route is None:
                self._plain(404, b"no such model")
                return
            if route.delay:
                time.sleep(route.delay)
            if route.status != 200:
                self.send_response(route.status)
                if route.location:
                    self.send_header("Location", route.location)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                body = route.body if isinstance(route.body, bytes) else b""
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)
                return
            self._send_body(route, count, send_body)

        def _plain(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _send_body(self, route: Route, count: int, send_body: bool) -> None:
            if route.later_body is not None and count > 1:
                route = dataclasses.replace(route, body=route.later_body, later_body=None)
            size = _body_size(route.body)
            start, end, status = 0, size, 200
            wanted = self.headers.get("Range")
            if_range = self.headers.get("If-Range")
            etag = _etag(route)
            if route.ranges and wanted and wanted.startswith("bytes=") and (if_range is None or if_range == etag):
                first, _, last = wanted[len("bytes="):].partition("-")
                start, end = int(first), min(size, int(last) + 1) if last.strip() else size
                status = 206
                if route.range_from_zero:
                    start = 0
            self.send_response(status)
            if etag:
                self.send_header("ETag", etag)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.ranges:
                self.send_header("Accept-Ranges", "bytes")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
            if route.send_length and route.endless_after is None:
                self.send_header("Content-Length", str(end - start))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            if not send_body:
                return
            limit, stall_at = end, None
            if count <= route.faulty_requests:
                if route.truncate_at is not None:
                    limit = min(end, max(start, route.truncate_at))
                stall_at = route.stall_after
            with server._lock:  # one cut, by whichever answer gets there first
                if status == 206 and route.cut_once_at is not None and start <= route.cut_once_at < limit:
                    limit, route.cut_once_at = route.cut_once_at, None
            self._stream(route, start, limit, stall_at)
            if route.endless_after is not None and limit == size:
                self._endless(route.endless_after)
            if limit < end or not route.send_length or route.endless_after is not None:
                self.close_connection = True

        def _endless(self, seconds: float) -> None:
            """Zeros as fast as the client takes them, for ``seconds`` (then the server stops)."""
            zeros, deadline = bytes(64 * 1024), time.monotonic() + seconds
            try:
                while time.monotonic() < deadline:
                    self.wfile.write(zeros)
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass

        def _stream(self, route: Route, start: int, limit: int, stall_at: Optional[int]) -> None:
            position = start
            try:
                while position < limit:
                    if stall_at is not None and position >= stall_at:
                        self.wfile.flush()
                        time.sleep(route.stall_seconds)
                        return
                    end = min(limit, position + route.chunk)
                    if stall_at is not None:
                        end = min(end, max(stall_at, position + 1))
                    if end == limit:
                        self._leave_in_flight()
                    self.wfile.write(_read_range(route.body, position, end))
                    position = end
                    if route.chunk_delay and position < limit:  # none after the last byte
                        self.wfile.flush()
                        time.sleep(route.chunk_delay)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
