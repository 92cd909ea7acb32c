"""Streaming HTTP downloads: timeouts, retries with backoff, resume, progress.

:class:`HttpBody` is a readable stream of a URL's body. When the connection
breaks or stalls it asks again with ``Range`` from where it stopped (or, if the
server ignores ``Range``, skips what it already had), so the archive reader on
top never sees the interruption. Nothing is buffered beyond one chunk.

A resume never splices two versions of a body: ``Range`` is asked only with a
validator (a strong ETag or Last-Modified, sent as ``If-Range``) and a 206 is
used only when its ``Content-Range`` starts where the body stopped. Otherwise
the body is asked again from its start and the bytes already delivered are
compared (by CRC-32, computed only for bodies without a validator).

An ``HttpBody`` may also be one part (a byte range) of a body that
:mod:`tfhub.resolving.parts` downloads over several connections; a part is
only ever continued with its own range of the same body.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
import urllib.parse
import zlib
from typing import Optional, Tuple

import requests
import urllib3

from tfhub import config, errors, logs
from tfhub.resolving import http_session, progress

_log = logs.logger()

_READ_FAILURES = (
    requests.exceptions.RequestException,
    urllib3.exceptions.HTTPError,
    ConnectionError,
    TimeoutError,
)
_BACKOFF_SECONDS = http_session.BACKOFF_SECONDS
_BACKOFF_MAX_SECONDS = http_session.BACKOFF_MAX_SECONDS
new_session = http_session.new_session  # the session downloads use (also for the 303 protocol)


class _TooSlowError(ConnectionError):
    """The body arrives slower than TFHUB_HTTP_LOW_SPEED_LIMIT: treated as a stall."""


def _is_tfhub_dev(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    return host == "tfhub.dev" or host.endswith(".tfhub.dev")


def status_error(handle: str, url: str, response: requests.Response) -> errors.DownloadError:
    """A clear error for an HTTP status that is not a success."""
    status = response.status_code
    reason = response.reason or ""
    message = f"Downloading '{handle}' failed: {url} answered HTTP {status} {reason}."
    if status == 404:
        message += " No model is published at this handle; check the URL (and its version number)."
    elif status in (401, 403):
        if _is_tfhub_dev(handle):
            message += (
                " tfhub.dev models moved to Kaggle Models in 2023, and some were removed; find the "
                "model at https://www.kaggle.com/models and use its URL as the handle, or "
                "point TFHUB_CACHE_DIR at a cache that holds it."
            )
        else:
            message += " The server refused access; check the URL and any credentials it needs."
    elif status >= 500:
        message += " The server failed; it was retried, and you may try again later."
    return errors.DownloadError(message, status=status)


class HttpBody(io.RawIOBase):
    """The body of a GET (or one byte range of it), readable as a stream, resumed when interrupted.

    :meth:`abort` may be called from another thread (the one that got Ctrl-C
    while a decompressor thread reads this body): it wakes a blocked read and
    makes every later read fail at once instead of resuming.

    Args:
        url: what to GET.
        handle: the handle, for messages.
        settings: the download's settings, read once when it started.
        session: the session to ask with (a new one by default).
        span: ``(start, end)``: only these bytes (end excluded), asked with
            ``Range`` and ``If-Range: validator``; anything but a 206 starting
            at ``start`` means the body changed, and is refused.
        validator: the body's strong validator, required with ``span``.
        bar: a progress bar shared with other parts (otherwise one of its own).
        aborted: an Event shared with other parts: set, every one stops.
    """

    def __init__(self, url: str, handle: str, settings: config.DownloadSettings,
                 session: Optional[requests.Session] = None, span: Optional[Tuple[int, int]] = None,
                 validator: Optional[str] = None, bar: Optional[progress.ProgressBar] = None,
                 aborted: Optional[threading.Event] = None):
        super().__init__()
        self.url = url
        self.handle = handle
        self._settings = settings
        self._session = session or new_session(settings=settings)
        self._span = span
        self._resumes_left = settings.retries
        self._aborted = aborted or threading.Event()
        self._ended = False
        self._received = 0
        self._validator = validator
        self._crc: Optional[int] = None  # of the bytes delivered, when there is no validator
        self._response = self._request(received=0)
        if span is not None:
            self._check_part(self._response)
            self._total: Optional[int] = span[1] - span[0]
        else:
            _refuse_html(handle, self._response)
            self._total = _content_length(self._response)
            self._validator = _validator(self._response)
            if self._validator is None:
                self._crc = 0
        self._own_bar = bar is None
        self._bar = bar or progress.ProgressBar(f"Downloading {handle}", self._total, settings.progress)
        self._window_start, self._window_bytes = time.monotonic(), 0

    # -- what the first answer said --------------------------------------------
    @property
    def total(self) -> Optional[int]:
        """The body's length in bytes (of the span, for a part), when the server said it."""
        return self._total

    @property
    def validator(self) -> Optional[str]:
        """The body's strong ETag or Last-Modified, when it has one."""
        return self._validator

    @property
    def final_url(self) -> str:
        """The URL the body came from, after redirects."""
        return self._response.url

    @property
    def offers_ranges(self) -> bool:
        """Whether the server said it answers byte ranges of this body."""
        return self._response.headers.get("Accept-Ranges", "").strip().lower() == "bytes"

    def hand_over_bar(self) -> progress.ProgressBar:
        """The progress bar, which this body will no longer close (its new owner will)."""
        self._own_bar = False
        return self._bar

    # -- requests -------------------------------------------------------------
    def _request(self, received: int) -> requests.Response:
        self._check_aborted()
        headers = {}
        if self._span is not None:
            headers["Range"] = f"bytes={self._span[0] + received}-{self._span[1] - 1}"
            headers["If-Range"] = self._validator
        elif received and self._validator:
            headers["Range"] = f"bytes={received}-"
            headers["If-Range"] = self._validator
        try:
            response = self._session.get(self.url, headers=headers, stream=True, timeout=self._settings.timeouts)
        except requests.exceptions.RequestException as exc:
            self._check_aborted()
            raise errors.DownloadError(
                f"Downloading '{self.handle}' failed: {describe_request_failure(exc, self.url)}."
            ) from exc
        if response.status_code >= 400:
            response.close()
            raise status_error(self.handle, self.url, response)
        return response

    def _check_part(self, response: requests.Response) -> None:
        """A part's answer must be its own bytes of the same body: else the body changed."""
        if response.status_code != 206 or _range_start(response) != self._span[0] + self._received:
            response.close()  # If-Range did not match: the server sent the new body whole
            raise self._changed("a range of it came back as another body")
        if _validator(response) not in (None, self._validator):
            response.close()
            raise self._changed("its ETag or Last-Modified changed")

    def _resume(self, cause: BaseException) -> None:
        self._check_aborted()
        if self._resumes_left <= 0:
            raise errors.DownloadError(
                f"Downloading '{self.handle}' failed after {self._received} bytes: {_describe(cause)}. "
                "The connection kept breaking or stalling; try again, or raise TFHUB_HTTP_READ_TIMEOUT."
            ) from cause
        self._resumes_left -= 1
        attempt = self._settings.retries - self._resumes_left
        # An Event, not time.sleep: abort() from another thread cuts the wait short.
        self._aborted.wait(min(_BACKOFF_MAX_SECONDS, _BACKOFF_SECONDS * (2 ** (attempt - 1))))
        self._check_aborted()
        _log.warning("Download of '%s' interrupted at %d bytes (%s); resuming.",
                     self.handle, self._received, _describe(cause))
        self._response.close()
        response = self._request(received=self._received)
        if self._aborted.is_set():  # interrupted while that request was on its way
            response.close()
            self._check_aborted()
        self._window_start, self._window_bytes = time.monotonic(), 0
        if self._span is not None:
            self._check_part(response)
            self._response = response
            return
        if response.status_code == 206 and _range_start(response) == self._received:
            self._response = response
            return
        if response.status_code == 206:
            # A Content-Range that does not start where we stopped: ask for the whole body.
            response.close()
            response = self._request(received=0)
        self._restart_from_start(response)

    def _restart_from_start(self, response: requests.Response) -> None:
        """Uses a full body again: skips what was delivered, if it is the same body."""
        validator = _validator(response)
        if validator != self._validator:
            response.close()
            raise self._changed("its ETag or Last-Modified changed")
        self._response = response
        if self._validator is not None:
            self._skip(self._received, None)
        else:
            self._skip(self._received, self._crc)

    def _changed(self, why: str) -> errors.DownloadError:
        return errors.DownloadError(
            f"Downloading '{self.handle}' failed: the model changed on the server during the "
            f"download ({why}), so the part already received cannot be continued. Try again."
        )

    def _skip(self, count: int, expected_crc: Optional[int]) -> None:
        crc = 0
        while count:
            chunk = self._response.raw.read(min(count, 1 << 20))
            if not chunk:
                raise errors.DownloadError(f"Downloading '{self.handle}' failed: the body got shorter on retry.")
            if expected_crc is not None:
                crc = zlib.crc32(chunk, crc)
            count -= len(chunk)
        if expected_crc is not None and crc != expected_crc:
            raise self._changed("the bytes sent again differ from the first ones, and the server "
                                "gives no ETag or Last-Modified")

    def _check_aborted(self) -> None:
        if self._aborted.is_set():
            raise errors.DownloadError(f"Downloading '{self.handle}' was interrupted.")

    def _check_speed(self, now: float) -> None:
        """A body slower than TFHUB_HTTP_LOW_SPEED_LIMIT over the window counts as a stall."""
        elapsed = now - self._window_start
        if elapsed < self._settings.low_speed_window:
            return
        if self._window_bytes < self._settings.low_speed * elapsed:
            speed = self._window_bytes / elapsed
            self._window_start, self._window_bytes = now, 0
            raise _TooSlowError(
                f"the server sent {speed:.0f} bytes/s over {elapsed:.0f} s, below "
                f"TFHUB_HTTP_LOW_SPEED_LIMIT={self._settings.low_speed:.0f} over TFHUB_HTTP_LOW_SPEED_TIME"
            )
        self._window_start, self._window_bytes = now, 0

    # -- RawIOBase ------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # memoryview/bytearray
        while not self._ended:
            try:
                # read1: whatever one socket read brings, so a stall loses nothing.
                data = self._response.raw.read1(len(buffer))
                if self._settings.low_speed:
                    self._window_bytes += len(data)
                    self._check_speed(time.monotonic())
            except _READ_FAILURES as exc:
                if self._ended:
                    break
                self._resume(exc)
                continue
            except ValueError as exc:  # reading a response that abort() or end() closed
                if self._ended:
                    break
                self._check_aborted()
                raise errors.DownloadError(f"Downloading '{self.handle}' failed: {exc}.") from exc
            count = len(data)
            buffer[:count] = data
            if count:
                if self._crc is not None:
                    self._crc = zlib.crc32(data, self._crc)
                self._received += count
                self._bar.update(count)
                return count
            self._check_aborted()
            if self._ended:
                break
            if self._total is not None and self._received < self._total:
                self._resume(ConnectionError(f"body ended at {self._received} of {self._total} bytes"))
                continue
            return 0
        return 0

    def abort(self) -> None:
        """Stops the download from any thread: a blocked read returns, no resume follows."""
        self._aborted.set()
        self._shut_down()

    def end(self) -> None:
        """Reads nothing more: from now on the body reads as ended (the rest is not wanted)."""
        self._ended = True
        self._shut_down()

    def _shut_down(self) -> None:
        sock = _socket_of(self._response)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        if not self.closed:
            if self._own_bar:
                self._bar.close()
            self._response.close()
        super().close()


def _socket_of(response: requests.Response) -> Optional[socket.socket]:
    """The socket a streamed response reads from, if it is still open."""
    connection = getattr(response.raw, "_connection", None)
    return getattr(connection, "sock", None)


def _validator(response: requests.Response) -> Optional[str]:
    """A strong validator of the body, for If-Range (a weak ETag does not qualify)."""
    etag = response.headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return etag
    return response.headers.get("Last-Modified")


_CONTENT_RANGE = re.compile(r"\s*bytes\s+([0-9]{1,19})-[0-9]{1,19}/(?:[0-9]{1,19}|\*)\s*\Z")


def _range_start(response: requests.Response) -> Optional[int]:
    """Where a 206's ``Content-Range`` says its bytes start (None if absent or malformed)."""
    match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
    return int(match.group(1)) if match else None


def _refuse_html(handle: str, response: requests.Response) -> None:
    """A web page is never a model archive: say what happened instead."""
    if not response.headers.get("Content-Type", "").lower().startswith("text/html"):
        return
    response.close()
    message = f"Downloading '{handle}' failed: {response.url} answered a web page, not a model archive."
    if "kaggle.com/models" in response.url and _is_tfhub_dev(handle):
        message += (
            " tfhub.dev sends models that were not moved to Kaggle Models to the Kaggle catalog; "
            "this one is no longer published. Look for it at https://www.kaggle.com/models."
        )
    else:
        message += " Check that the handle is a model URL (not its web page)."
    raise errors.DownloadError(message, status=response.status_code)


def _content_length(response: requests.Response) -> Optional[int]:
    value = (response.headers.get("Content-Length") or "").strip()
    # isascii: "1²" passes isdigit() but not int().
    return int(value) if value.isascii() and value.isdigit() and len(value) < 20 else None


def describe_request_failure(exc: BaseException, url: str) -> str:
    """Why a request for ``url`` got no answer, in one line: a refused or unknown host said plainly."""
    cause = http_session.describe_failure(exc, url)
    if cause.startswith("cannot "):
        return cause
    return f"could not get {url} ({_describe(exc)})"


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if "timed out" in text.lower() or isinstance(exc, (requests.exceptions.Timeout, TimeoutError)):
        return f"no data within the read timeout ({text})"
    return text
