"""Archive bodies by ``sendfile(2)``: the ASGI ``http.response.zerocopysend`` extension.

Copying a 50 MB archive through Python (read a chunk on a thread, hand it to
h11, write it to the socket) costs a core per few hundred MB/s; ``sendfile``
moves the bytes from the page cache to the socket inside the kernel. uvicorn
does not offer the extension, so our h11 protocol (:mod:`tfhub.server.connections`)
adds it to each request's scope and intercepts its messages here:
``{"type": EXTENSION, "file": <open binary file>, "offset": int, "count": int,
"more_body": bool}``. h11 still frames the body: it is told ``count`` bytes went
out (:meth:`h11.Connection.send_with_data_passthrough`, made for this) while
``loop.sendfile`` sends them.

A socket the client closed makes ``send`` raise :class:`ClientDisconnected`, as
ASGI asks of a send on a closed connection.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, MutableMapping

EXTENSION = "http.response.zerocopysend"

Message = MutableMapping[str, Any]


class ClientDisconnected(ConnectionError):
    """The client went away while a body was being sent by ``sendfile``."""


class _FileSpan:
    """What h11 is handed instead of the bytes: only their number."""

    def __init__(self, count: int):
        self.count = count

    def __len__(self) -> int:
        return self.count


def supported(loop: asyncio.AbstractEventLoop, transport: asyncio.BaseTransport) -> bool:
    """Whether ``loop.sendfile`` can send on ``transport`` without copying in Python.

    asyncio's selector loop does on plain (not TLS) sockets; others may not.
    """
    from asyncio import selector_events  # asyncio's own loop, where sendfile is native

    return (isinstance(loop, selector_events.BaseSelectorEventLoop)
            and transport.get_extra_info("sslcontext") is None
            and transport.get_extra_info("socket") is not None)


def enable(cycle: Any, loop: asyncio.AbstractEventLoop) -> None:
    """Offers the extension to the request of uvicorn's h11 ``cycle`` (before its app runs).

    The app's ``send`` is looked up on the cycle when its task first runs, so
    replacing it here, right after the cycle is made, takes effect.
    """
    cycle.scope.setdefault("extensions", {})[EXTENSION] = {}
    cycle.send = _zerocopy_send(cycle, cycle.send, loop)


def _zerocopy_send(cycle: Any, send: Callable[[Message], Awaitable[None]],
                   loop: asyncio.AbstractEventLoop) -> Callable[[Message], Awaitable[None]]:
    import h11  # uvicorn's HTTP/1.1 library, present wherever this protocol runs

    async def zerocopy_send(message: Message) -> None:
        if message["type"] != EXTENSION:
            await send(message)
            return
        if cycle.disconnected or cycle.transport.is_closing():
            raise ClientDisconnected("the client closed the connection")
        if not cycle.response_started or cycle.response_complete:
            raise RuntimeError(f"ASGI message {EXTENSION!r} sent outside a response body")
        count = int(message["count"])
        if count and cycle.scope["method"] != "HEAD":
            span = _FileSpan(count)
            framed = cycle.conn.send_with_data_passthrough(h11.Data(data=span))  # type: ignore[arg-type]
            for piece in framed or []:
                if piece is span:
                    await _sendfile(cycle, loop, message["file"], int(message["offset"]), count)
                else:  # framing (chunked encoding); none with a Content-Length
                    cycle.transport.write(piece)
        if not message.get("more_body", False):
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    return zerocopy_send


async def _sendfile(cycle: Any, loop: asyncio.AbstractEventLoop, file: Any, offset: int, count: int) -> None:
    try:
        sent = await loop.sendfile(cycle.transport, file, offset, count, fallback=True)
    except (ConnectionError, RuntimeError) as exc:  # RuntimeError: the transport closed meanwhile
        _hang_up(cycle)
        raise ClientDisconnected(f"the client closed the connection: {exc}") from exc
    if sent != count:  # the file is shorter than the Content-Length promised: the body is cut
        _hang_up(cycle)
        raise RuntimeError(f"sendfile sent {sent} of {count} bytes: the file ended early")


def _hang_up(cycle: Any) -> None:
    cycle.disconnected = True
    cycle.transport.abort()
