"""Streaming HTTP downloads: timeouts, retries with backoff, resume, progress.

:class:`HttpBody` is a readable stream of a URL's body. When the connection
breaks or stalls it asks again with ``Range`` from where it stopped (or, if the
server ignores ``Range``, skips what it already had), so the archive reader on
top never sees the interruption. Nothing is buffered beyond one chunk.
"""

from __future__ import annotations

import io
import logging
import time
import urllib.parse
from typing import Dict, Optional

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tfhub import config, errors
from tfhub.resolving import progress
from tfhub.version import __version__

_log = logging.getLogger("tfhub")

_RETRY_STATUSES = (500, 502, 503, 504)
_READ_FAILURES = (
    requests.exceptions.RequestException,
    urllib3.exceptions.HTTPError,
    ConnectionError,
    TimeoutError,
)
_BACKOFF_SECONDS = 0.5
_BACKOFF_MAX_SECONDS = 8.0


class _Session(requests.Session):
    """A session whose extra headers never follow a redirect to another host."""

    extra_header_names: frozenset = frozenset()
    check_certificates: bool = True

    def merge_environment_settings(self, url, proxies, stream, verify, cert):  # noqa: ANN001,ANN201
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if not self.check_certificates:
            # A CA bundle from the environment (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE)
            # would otherwise turn verification back on.
            settings["verify"] = False
        return settings

    def rebuild_auth(self, prepared_request, response) -> None:  # noqa: ANN001 - requests' hook
        super().rebuild_auth(prepared_request, response)
        if self.extra_header_names and self.should_strip_auth(response.request.url, prepared_request.url):
            for name in self.extra_header_names:
                prepared_request.headers.pop(name, None)


def new_session(retries: Optional[int] = None) -> requests.Session:
    """A session with retries on connection errors and 5xx, certs per config.

    Proxies, CA bundles and ``~/.netrc`` credentials come from the environment
    (``HTTPS_PROXY``, ``REQUESTS_CA_BUNDLE``, ``NETRC``...), as ``requests``
    reads them; ``TFHUB_HTTP_HEADERS`` adds headers (e.g. a bearer token).
    """
    retries = config.http_retries() if retries is None else retries
    session = _Session()
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        status_forcelist=_RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        backoff_factor=_BACKOFF_SECONDS,
        backoff_max=_BACKOFF_MAX_SECONDS,
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = f"tfhub/{__version__} {requests.utils.default_user_agent()}"
    # A .tar.gz must arrive as stored: no transfer decompression, so Range works.
    session.headers["Accept-Encoding"] = "identity"
    extra_headers = config.http_headers()
    session.headers.update(extra_headers)
    session.extra_header_names = frozenset(extra_headers)
    if config.cert_validation_disabled():
        _log.warning("TFHUB_DISABLE_CERT_VALIDATION=true: TLS certificates are NOT checked.")
        session.verify = False
        session.check_certificates = False
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    return session


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
    """The body of a GET, readable as a stream, resumed when interrupted."""

    def __init__(self, url: str, handle: str, session: Optional[requests.Session] = None,
                 extra_headers: Optional[Dict[str, str]] = None, label: Optional[str] = None):
        super().__init__()
        self.url = url
        self.handle = handle
        self._session = session or new_session()
        self._headers = dict(extra_headers or {})
        self._timeouts = config.http_timeouts()
        self._resumes_left = config.http_retries()
        self._received = 0
        self._total: Optional[int] = None
        self._validator: Optional[str] = None
        self._response = self._request(start=0)
        _refuse_html(handle, self._response)
        self._total = _content_length(self._response)
        self._validator = self._response.headers.get("ETag") or self._response.headers.get("Last-Modified")
        self.final_url = self._response.url
        self._progress = progress.ProgressBar(label or f"Downloading {handle}", self._total)

    # -- requests -------------------------------------------------------------
    def _request(self, start: int) -> requests.Response:
        headers = dict(self._headers)
        if start:
            headers["Range"] = f"bytes={start}-"
            if self._validator:
                headers["If-Range"] = self._validator
        try:
            response = self._session.get(self.url, headers=headers, stream=True, timeout=self._timeouts)
        except requests.exceptions.RequestException as exc:
            raise errors.DownloadError(
                f"Downloading '{self.handle}' failed: could not get {self.url} ({_describe(exc)})."
            ) from exc
        if response.status_code >= 400:
            response.close()
            raise status_error(self.handle, self.url, response)
        return response

    def _resume(self, cause: BaseException) -> None:
        if self._resumes_left <= 0:
            raise errors.DownloadError(
                f"Downloading '{self.handle}' failed after {self._received} bytes: {_describe(cause)}. "
                "The connection kept breaking or stalling; try again, or raise TFHUB_HTTP_READ_TIMEOUT."
            ) from cause
        self._resumes_left -= 1
        attempt = config.http_retries() - self._resumes_left
        time.sleep(min(_BACKOFF_MAX_SECONDS, _BACKOFF_SECONDS * (2 ** (attempt - 1))))
        _log.warning("Download of '%s' interrupted at %d bytes (%s); resuming.",
                     self.handle, self._received, _describe(cause))
        self._response.close()
        response = self._request(start=self._received)
        if response.status_code == 206:
            self._response = response
            return
        # The server sent the whole body again: skip what we already have,
        # unless it is another body now.
        validator = response.headers.get("ETag") or response.headers.get("Last-Modified")
        if self._validator and validator and validator != self._validator:
            response.close()
            raise errors.DownloadError(
                f"Downloading '{self.handle}' failed: the model changed on the server during the "
                "download (its ETag changed). Try again."
            )
        self._response = response
        self._skip(self._received)

    def _skip(self, count: int) -> None:
        while count:
            chunk = self._response.raw.read(min(count, 1 << 20))
            if not chunk:
                raise errors.DownloadError(f"Downloading '{self.handle}' failed: the body got shorter on retry.")
            count -= len(chunk)

    # -- RawIOBase ------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - memoryview/bytearray
        while True:
            try:
                # read1: whatever one socket read brings, so a stall loses nothing.
                data = self._response.raw.read1(len(buffer))
            except _READ_FAILURES as exc:
                self._resume(exc)
                continue
            count = len(data)
            buffer[:count] = data
            if count:
                self._received += count
                self._progress.update(count)
                return count
            if self._total is not None and self._received < self._total:
                self._resume(ConnectionError(f"body ended at {self._received} of {self._total} bytes"))
                continue
            return 0

    def close(self) -> None:
        if not self.closed:
            self._progress.close()
            self._response.close()
        super().close()

    @property
    def received(self) -> int:
        """Bytes of the body received so far."""
        return self._received


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
    value = response.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if "timed out" in text.lower() or isinstance(exc, (requests.exceptions.Timeout, TimeoutError)):
        return f"no data within the read timeout ({text})"
    return text
