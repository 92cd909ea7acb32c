"""Connection policy of the server: idle sockets time out and make way for real requests.

uvicorn alone counts every open socket toward its limit and gives an idle
socket all the time it wants to send its request head, so a few hundred
sockets that send nothing (or a header byte now and then) turn every real
request away with 503. This protocol, a small extension of uvicorn's h11 one,
changes three things (and offers archive bodies ``sendfile``, :mod:`tfhub.server.zerocopy`):

* **Head deadline.** A connection must deliver a complete request head within
  ``head_timeout`` seconds of opening, or of its previous answer; otherwise it
  is closed. Bytes trickling in do not extend the deadline.
* **Idle connections make way.** Past ``max_connections`` open sockets, a new
  one closes the socket that has waited longest without a request in progress,
  so idle and slow sockets are shed first. Only when every socket is busy with
  a request does the new one get 503.
* **A hard ceiling.** Beyond twice the limit, new sockets are closed at once,
  so the server never runs out of file descriptors.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
from typing import Any, Optional

from uvicorn.protocols.http.h11_impl import H11Protocol

from tfhub import logs
from tfhub.server import zerocopy

_log = logs.logger("tfhub.server")
# Descriptors beyond the sockets: archives being sent, the listening socket, logs.
_SPARE_DESCRIPTORS = 256


@dataclasses.dataclass(frozen=True)
class ConnectionLimits:
    """How many sockets, and how long a request head may take."""

    max_connections: int = 4096
    head_timeout: float = 10.0  # seconds to send a complete request head
    max_head_bytes: int = 16 * 1024  # request line and headers together


class _Registry:
    """The open connections that have no request in progress, oldest first."""

    def __init__(self, limits: ConnectionLimits):
        self.limits = limits
        self.open = 0
        self.idle: "collections.OrderedDict[GuardedH11Protocol, None]" = collections.OrderedDict()

    def make_idle(self, protocol: "GuardedH11Protocol") -> None:
        self.idle[protocol] = None
        self.idle.move_to_end(protocol)

    def make_busy(self, protocol: "GuardedH11Protocol") -> None:
        self.idle.pop(protocol, None)

    def shed_oldest_idle(self, newcomer: "GuardedH11Protocol") -> bool:
        """Closes the idle connection that waited longest; False when all are busy."""
        for protocol in self.idle:
            if protocol is not newcomer:
                self.idle.pop(protocol)
                protocol.close_idle()
                return True
        return False


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a request-head deadline and idle-first shedding.

    :func:`protocol_class` makes a subclass bound to one server's limits.
    """

    _registry: _Registry

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._head_timer: Optional[asyncio.TimerHandle] = None
        self._counted = False
        self._zerocopy = False

    # -- connection life --------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._zerocopy = zerocopy.supported(self.loop, transport)
        registry = self._registry
        registry.open += 1
        self._counted = True
        limit = registry.limits.max_connections
        if registry.open > 2 * limit:
            transport.abort()  # the ceiling: no descriptor to spare
            return
        if registry.open > limit and not registry.shed_oldest_idle(self):
            self.limit_concurrency = 0  # every socket is busy: uvicorn answers this one 503
        self._wait_for_head()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self._uncount()
        self._cancel_head_timer()
        super().connection_lost(exc)

    # -- request cycle ----------------------------------------------------

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self.cycle is not before and self.cycle is not None:
            if self._zerocopy:
                zerocopy.enable(self.cycle, self.loop)  # before the app's task first runs
            if not self._idle():
                self._registry.make_busy(self)
                self._cancel_head_timer()

    def on_response_complete(self) -> None:
        if not self.transport.is_closing():
            self._wait_for_head()
        super().on_response_complete()  # may start a pipelined request at once

    # -- the deadline -----------------------------------------------------

    def _idle(self) -> bool:
        """No request in progress: waiting for (the rest of) a request head."""
        return self.cycle is None or self.cycle.response_complete

    def _wait_for_head(self) -> None:
        self._registry.make_idle(self)
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self._registry.limits.head_timeout, self._head_deadline)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_deadline(self) -> None:
        self._head_timer = None
        if self._idle():
            self.close_idle()

    def _uncount(self) -> None:
        if self._counted:
            self._registry.open -= 1
            self._counted = False
        self._registry.make_busy(self)  # i.e. no longer a candidate for shedding

    def close_idle(self) -> None:
        """Hangs up on a connection that has no request in progress."""
        self._uncount()  # at once: the socket goes only when the loop next runs
        self._cancel_head_timer()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()  # nothing of ours is buffered: the socket closes at once


def protocol_class(limits: ConnectionLimits) -> type:
    """A :class:`GuardedH11Protocol` subclass sharing one registry of connections."""
    return type("TfHubH11Protocol", (GuardedH11Protocol,), {"_registry": _Registry(limits)})


def raise_descriptor_limit(max_connections: int) -> int:
    """Raises the soft RLIMIT_NOFILE toward what ``max_connections`` needs.

    Returns:
        The connection limit the descriptors allow (``max_connections`` or less).
    """
    try:
        import resource  # POSIX only
    except ImportError:
        return max_connections
    wanted = 2 * max_connections + _SPARE_DESCRIPTORS  # the ceiling is twice the limit
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new_soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
            soft = new_soft
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return max_connections
    allowed = max(1, (soft - _SPARE_DESCRIPTORS) // 2)
    _log.warning("Only %d file descriptors may be open (ulimit -n); serving at most %d connections "
                 "instead of %d.", soft, allowed, max_connections)
    return allowed
