"""Run the server on uvicorn: bind, announce, serve, shut down gracefully.

The socket is bound before uvicorn starts so that ``--port 0`` works: the
first line on stdout names the real address, which scripts and tests read.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import logging
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Optional, TextIO

from tfhub import config, errors
from tfhub.server.app import ServeSettings, create_app
from tfhub.server.connections import ConnectionLimits, protocol_class, raise_descriptor_limit
from tfhub.server.middleware import ACCESS_LOGGER


@dataclasses.dataclass(frozen=True)
class Listen:
    """Where and how to listen."""

    host: str = "127.0.0.1"
    port: int = 8000
    max_connections: int = 4096  # beyond this, idle sockets are shed; 503 when all are busy
    head_timeout: float = 10.0  # seconds a connection gets to send its request head
    shutdown_timeout: float = 30.0  # seconds in-flight downloads get to finish


def default_archive_dir(root: Path) -> Path:
    """``<cache dir>/../tfhub_serve/<hash of root>``: survives restarts, one per root."""
    key = hashlib.sha1(str(Path(root).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(config.cache_dir()).parent / "tfhub_serve" / key


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (IPv6 when the host is an IPv6 address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it a kept-alive connection waits ~40 ms (Nagle + delayed ACK) per answer.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise _bind_error(host, port, exc) from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _bind_error(host: str, port: int, exc: OSError) -> errors.AddressInUseError:
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        why = "another program already listens there. Choose another --port (--port 0 takes any free one)"
    elif exc.errno == errno.EACCES:
        why = "ports below 1024 need privileges. Choose --port 1024 or above"
    elif exc.errno == errno.EADDRNOTAVAIL:
        why = "that address is not one of this machine's. Use --host 127.0.0.1, or 0.0.0.0 for every interface"
    else:
        why = f"{exc.strerror or exc}. Check --host and --port"
    error = errors.AddressInUseError(f"tfhub serve cannot listen on {where}: {why}.")
    error.errno = exc.errno  # one line for people, the number for programs
    return error


def configure_access_log(stream: TextIO) -> None:
    """Sends access log lines (one JSON object each) to ``stream``."""
    logger = logging.getLogger(ACCESS_LOGGER)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def serve(settings: ServeSettings, listen: Listen, announce: Optional[TextIO] = None) -> None:
    """Serves until SIGINT or SIGTERM, then lets in-flight requests finish.

    Raises:
        ServedModelNotFoundError: the root is not a directory.
        OSError: the address cannot be bound.
    """
    import uvicorn  # only the serve command needs it

    app = create_app(settings)
    limits = ConnectionLimits(max_connections=raise_descriptor_limit(listen.max_connections),
                              head_timeout=listen.head_timeout)
    sock = bind(listen.host, listen.port)
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    uv_config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,  # ours is structured (AccessLog)
        http=protocol_class(limits),  # head deadline, idle sockets shed first (connections.py)
        limit_concurrency=None,  # uvicorn's counts idle sockets too; ours does not
        h11_max_incomplete_event_size=limits.max_head_bytes,
        timeout_graceful_shutdown=listen.shutdown_timeout,
        server_header=False,
        lifespan="off",
    )
    server = uvicorn.Server(uv_config)

    def stop(signum: int, frame: object) -> None:  # signal handler signature
        """Before uvicorn takes the signals over, and after it re-raises the one that stopped it."""
        server.should_exit = True  # before its main loop: it starts, then shuts down at once

    # Handlers first, the address line second: a script that signals the moment it reads
    # the address must stop the server, not be lost before uvicorn listens for signals.
    # The same handler makes uvicorn's re-raise, after its graceful shutdown, an exit code 0.
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        announce = announce or sys.stdout
        mirroring = f" mirroring {settings.upstream}" if settings.upstream else ""
        print(f"tfhub serve: http://{shown_host}:{port}/ serving {settings.root}{mirroring} "
              f"(archives in {settings.archive_dir}, pid {os.getpid()})", file=announce, flush=True)
        server.run(sockets=[sock])
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print("tfhub serve: stopped", file=announce, flush=True)

