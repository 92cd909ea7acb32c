"""The HTTP session every download uses: retries, certificates, credentials.

Retries cover connection errors and 5xx with exponential backoff; a server's
``Retry-After`` is honoured up to ``TFHUB_HTTP_RETRY_AFTER_MAX``. A refused
connection or a host name that does not resolve is retried once, at once: the
answer is not going to change within the backoff, and 15 s of silence before
the error helps no one. Proxies, CA
bundles and ``~/.netrc`` come from the environment as ``requests`` reads them;
``TFHUB_HTTP_HEADERS`` adds headers. Credentials go only to the origin asked for.
"""

from __future__ import annotations

import errno
import socket
import urllib.parse
from typing import Optional

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.util.retry import Retry

from tfhub import config, errors, logs
from tfhub.version import __version__

_log = logs.logger()

RETRY_STATUSES = (500, 502, 503, 504)
BACKOFF_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 8.0
FAST_FAIL_RETRIES = 1  # for a refused connection or an unknown host


def _fast_fail_cause(error: Optional[BaseException]) -> Optional[str]:
    """"refused" or "unresolved" when a connection attempt failed for a reason a retry will not fix."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, urllib3.exceptions.NameResolutionError) or isinstance(error, socket.gaierror):
            return "unresolved"
        if isinstance(error, ConnectionRefusedError) or getattr(error, "errno", None) == errno.ECONNREFUSED:
            return "refused"
        reason = getattr(error, "reason", None)  # urllib3's cause; a plain string for some (SSLError)
        error = reason if isinstance(reason, BaseException) else (error.__cause__ or error.__context__)
    return None


def describe_failure(exc: BaseException, url: str) -> str:
    """A one-line cause of a failed request, naming host and port for a refused or unresolved connection.

    requests' own text nests urllib3's (pool, retries, the errno); a user needs
    the host and what to check.
    """
    cause = _fast_fail_cause(exc)
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if cause == "refused":
        try:
            port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
        except ValueError:
            port = None
        return (f"cannot connect to {host}:{port} (connection refused): is the server running "
                "and the host and port right? A proxy in HTTP(S)_PROXY must be running too")
    if cause == "unresolved":
        return f"cannot resolve host '{host}': check the host name, your network and DNS (or a proxy setting)"
    return errors.one_line(exc) or type(exc).__name__


class _CappedRetry(Retry):
    """urllib3's Retry with the server's ``Retry-After`` capped (``TFHUB_HTTP_RETRY_AFTER_MAX``).

    A malformed or absurd value (a date far ahead, 5,000 digits) waits the cap,
    rather than raising or sleeping for hours.
    """

    cap: float = 30.0  # set per session from the setting

    def parse_retry_after(self, retry_after: str) -> float:
        cap = self.cap
        value = retry_after.strip()
        if value.isascii() and value.isdigit():
            return float(min(cap, int(value[:12])))
        try:
            seconds = super().parse_retry_after(retry_after)
        except (urllib3.exceptions.HTTPError, ValueError, OverflowError):
            return cap
        return max(0.0, min(cap, seconds))

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):  # urllib3's signature
        """urllib3's step to the next attempt, stopping after one retry of a refused or unresolved connection."""
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        if _fast_fail_cause(error):
            failed = sum(1 for entry in retry.history if _fast_fail_cause(entry.error))
            if failed > FAST_FAIL_RETRIES:
                raise urllib3.exceptions.MaxRetryError(_pool, url, error) from error
        return retry


def _origin(url: str) -> tuple:
    """(scheme, host, port) of a URL, the default port filled in."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def _same_origin_or_upgrade(old: tuple, new: tuple) -> bool:
    upgrade = old[0] == "http" and new[0] == "https" and old[1] == new[1] and old[2] == 80 and new[2] == 443
    return old == new or upgrade


def same_credentials_origin(asked_url: str, url: str) -> bool:
    """Whether credentials meant for ``asked_url`` may go to ``url``: its origin, or its https upgrade."""
    return _same_origin_or_upgrade(_origin(asked_url), _origin(url))


class _NoCredentials(AuthBase):
    """An auth that adds nothing: set on a session, requests looks up no ``~/.netrc``."""

    def __call__(self, request):  # requests' hook
        return request


def drop_credentials(session: requests.Session) -> None:
    """Makes ``session`` send no credentials at all (for a URL of another origin than the one asked)."""
    for name in getattr(session, "extra_header_names", ()):
        session.headers.pop(name, None)
    session.auth = _NoCredentials()
    session.sends_credentials = False


class _Session(requests.Session):
    """A session whose credentials never follow a redirect to another origin.

    requests strips ``Authorization`` on such a redirect, then puts ``~/.netrc``
    credentials back by host name alone, so they would reach another port of
    the host, or the same host over plain HTTP after an https URL. Here
    credentials (netrc and ``TFHUB_HTTP_HEADERS``) go only to the origin of the
    URL asked for (scheme, host and port), or to its https upgrade.
    """

    extra_header_names: frozenset = frozenset()
    check_certificates: bool = True
    sends_credentials: bool = True  # False: none at all, on any redirect (see drop_credentials)
    _asked_origin: tuple = ()

    def resolve_redirects(self, resp, req, *args, **kwargs):
        self._asked_origin = _origin(req.url)
        yield from super().resolve_redirects(resp, req, *args, **kwargs)

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
        if not self.check_certificates:
            # A CA bundle from the environment (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE)
            # would otherwise turn verification back on.
            settings["verify"] = False
        return settings

    def rebuild_auth(self, prepared_request, response) -> None:  # requests' hook
        old, new = self._asked_origin or _origin(response.request.url), _origin(prepared_request.url)
        if self.sends_credentials and _same_origin_or_upgrade(old, new):
            super().rebuild_auth(prepared_request, response)
            return
        # Another origin: no Authorization, no extra headers, and no netrc lookup.
        prepared_request.headers.pop("Authorization", None)
        for name in self.extra_header_names:
            prepared_request.headers.pop(name, None)


def new_session(retries: Optional[int] = None,
                settings: Optional[config.DownloadSettings] = None) -> requests.Session:
    """A session with retries on connection errors and 5xx, certs per config.

    Proxies, CA bundles and ``~/.netrc`` credentials come from the environment
    (``HTTPS_PROXY``, ``REQUESTS_CA_BUNDLE``, ``NETRC``...), as ``requests``
    reads them; ``TFHUB_HTTP_HEADERS`` adds headers (e.g. a bearer token).
    """
    settings = config.DownloadSettings.read() if settings is None else settings
    retries = settings.retries if retries is None else retries
    session = _Session()
    # A subclass carrying the cap: urllib3 copies a Retry by its class, not its attributes.
    retry_class = type("_CappedRetry", (_CappedRetry,), {"cap": settings.retry_after_max})
    retry = retry_class(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        backoff_factor=BACKOFF_SECONDS,
        backoff_max=BACKOFF_MAX_SECONDS,
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = f"tfhub/{__version__} {requests.utils.default_user_agent()}"
    # A .tar.gz must arrive as stored: no transfer decompression, so Range works.
    session.headers["Accept-Encoding"] = "identity"
    extra_headers = dict(settings.headers)
    session.headers.update(extra_headers)
    session.extra_header_names = frozenset(extra_headers)
    if settings.skip_cert_validation:
        _log.warning("TFHUB_DISABLE_CERT_VALIDATION=true: TLS certificates are NOT checked.")
        session.verify = False
        session.check_certificates = False
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    return session
