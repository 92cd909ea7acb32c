"""ASGI middleware of the server: structured access log, bearer-token check.

Both are plain ASGI, so they see every answer (including streamed ones and
those cut short by a client that went away).
"""

from __future__ import annotations

import datetime
import hmac
import json
import logging
import time
from typing import Any, Awaitable, Callable, Dict, MutableMapping, Optional

from tfhub.server.zerocopy import EXTENSION as ZEROCOPY, ClientDisconnected

ACCESS_LOGGER = "tfhub.server.access"
_access_log = logging.getLogger(ACCESS_LOGGER)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def _header(scope: Scope, name: bytes) -> Optional[str]:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


class AccessLog:
    """Logs one JSON line per request: who, what, status, bytes, time, outcome.

    Credentials (the Authorization header) are never logged.
    """

    def __init__(self, app: App):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record: Dict[str, Any] = {"status": None, "bytes": 0, "complete": False}
        started = time.monotonic()

        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                record["status"] = message["status"]
            elif message["type"] == "http.response.body":
                record["bytes"] += len(message.get("body", b""))
                record["complete"] = not message.get("more_body", False)
            await send(message)
            if message["type"] == ZEROCOPY:  # counted once out: a send that fails raises
                record["bytes"] += message["count"]

        outcome = "ok"
        try:
            await self.app(scope, receive, logging_send)
            if not record["complete"]:
                outcome = "client disconnected"
        except ClientDisconnected:  # the zerocopy send's way of saying so; nothing to re-raise
            outcome = "client disconnected"
        except OSError:  # the socket went away under a streamed body
            outcome = "client disconnected"
            raise
        except BaseException as exc:  # logged, then re-raised as is
            outcome = "cancelled" if "Cancel" in type(exc).__name__ else f"error: {type(exc).__name__}"
            raise
        finally:
            _access_log.info(json.dumps(self._line(scope, record, started, outcome)))

    @staticmethod
    def _line(scope: Scope, record: Dict[str, Any], started: float, outcome: str) -> Dict[str, Any]:
        client = scope.get("client")
        return {
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
            "client": f"{client[0]}:{client[1]}" if client else None,
            "method": scope.get("method"),
            "path": scope.get("path"),
            "query": scope.get("query_string", b"").decode("latin-1"),
            "range": _header(scope, b"range"),
            "status": record["status"],
            "bytes": record["bytes"],
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "outcome": outcome,
            "user_agent": _header(scope, b"user-agent"),
        }


class BearerToken:
    """Answers 401 unless the request carries ``Authorization: Bearer <token>``."""

    def __init__(self, app: App, token: str):
        self.app = app
        self._expected = f"Bearer {token}".encode("utf-8")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = (_header(scope, b"authorization") or "").encode("latin-1")
            if not hmac.compare_digest(given, self._expected):
                await _unauthorized(send)
                return
        await self.app(scope, receive, send)


async def _unauthorized(send: Send) -> None:
    body = (b"This server needs a bearer token: send 'Authorization: Bearer <token>' "
            b"(for tfhub clients: TFHUB_HTTP_HEADERS='Authorization: Bearer <token>').\n")
    await send({"type": "http.response.start", "status": 401, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b'Bearer realm="tfhub"'),
    ]})
    await send({"type": "http.response.body", "body": body})
