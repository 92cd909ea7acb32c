"""The HTTP answer to ``?tf-hub-format=compressed``: an archive, whole or in part.

The file is opened before the answer starts, so a rebuild that replaces it
meanwhile cannot cut a download short: the open file stays readable. Under
``tfhub serve`` the body goes by ``sendfile`` (:mod:`tfhub.server.zerocopy`);
under another ASGI server, in chunks read on a worker thread.
"""

from __future__ import annotations

import os
from typing import AsyncIterator, BinaryIO, Dict, Optional

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from tfhub import errors
from tfhub.server.archives import BuiltArchive
from tfhub.server.ranges import ByteRange, parse_range
from tfhub.server.zerocopy import EXTENSION as ZEROCOPY

_CHUNK = 256 * 1024
# One sendfile message per 8 MiB: the access log counts what went out to within a piece
# when a client leaves. 1 MiB pieces cost 1.6x the server CPU per GB of 8 MiB ones.
SENDFILE_PIECE = 8 << 20
ARCHIVE_MEDIA_TYPE = "application/gzip"


def _etag_matches(header: Optional[str], etag: str) -> bool:
    if not header:
        return False
    candidates = [c.strip() for c in header.split(",")]
    return "*" in candidates or etag in candidates or f"W/{etag}" in candidates


def _base_headers(built: BuiltArchive, filename: str) -> Dict[str, str]:
    return {
        "ETag": built.etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": "no-cache",  # revalidate with If-None-Match: models can change
        "Content-Disposition": f'attachment; filename="{filename}.tar.gz"',
    }


async def _chunks(stream: BinaryIO, start: int, length: int) -> AsyncIterator[bytes]:
    try:
        left = length
        position = start
        while left > 0:
            data = await anyio.to_thread.run_sync(os.pread, stream.fileno(), min(_CHUNK, left), position)
            if not data:
                break
            position += len(data)
            left -= len(data)
            yield data
    finally:
        stream.close()


class _SentByKernel(Response):
    """A body sent by the server's ``sendfile`` (the zerocopysend extension)."""

    def __init__(self, stream: BinaryIO, start: int, length: int, status: int, headers: Dict[str, str]):
        super().__init__(status_code=status, headers=headers, media_type=ARCHIVE_MEDIA_TYPE)
        self._stream, self._start, self._length = stream, start, length

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            end = self._start + self._length
            for offset in range(self._start, end, SENDFILE_PIECE):
                await send({"type": ZEROCOPY, "file": self._stream, "offset": offset,
                            "count": min(SENDFILE_PIECE, end - offset), "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self._stream.close()


def archive_response(request: Request, built: BuiltArchive, stream: BinaryIO, filename: str) -> Response:
    """200, 206, 304 or 416 for an open archive file, as the request's headers ask.

    Takes ownership of ``stream`` (closes it).
    """
    headers = _base_headers(built, filename)
    if _etag_matches(request.headers.get("if-none-match"), built.etag):
        stream.close()
        return Response(status_code=304, headers=headers)
    try:
        byte_range = _requested_range(request, built)
    except errors.RangeNotSatisfiableError as exc:
        stream.close()
        headers["Content-Range"] = f"bytes */{built.size}"
        return PlainTextResponse(str(exc) + "\n", status_code=416, headers=headers)
    status = 200
    start, length = 0, built.size
    if byte_range is not None:
        status, start, length = 206, byte_range.start, byte_range.length
        headers["Content-Range"] = byte_range.content_range()
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        stream.close()
        return Response(status_code=status, headers=headers, media_type=ARCHIVE_MEDIA_TYPE)
    if ZEROCOPY in request.scope.get("extensions", {}):
        return _SentByKernel(stream, start, length, status, headers)
    return StreamingResponse(_chunks(stream, start, length), status_code=status,
                             headers=headers, media_type=ARCHIVE_MEDIA_TYPE)


def _requested_range(request: Request, built: BuiltArchive) -> Optional[ByteRange]:
    """The range to send; If-Range with another validator means the whole body.

    Raises:
        RangeNotSatisfiableError: the range starts beyond the end.
    """
    if_range = request.headers.get("if-range")
    if if_range and if_range.strip() != built.etag:
        return None
    return parse_range(request.headers.get("range"), built.size)
