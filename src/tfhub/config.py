"""Settings read from the environment (and tensorflow_hub's absl flags), each time asked for.

Nothing here is read at import time, so a change of environment (or a test's
``monkeypatch.setenv``) takes effect on the next call.
"""

from __future__ import annotations

import enum
import os
import re

from tfhub import absl_flags, errors, files
from tfhub.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

CACHE_DIR_ENV = "TFHUB_CACHE_DIR"
LOAD_FORMAT_ENV = "TFHUB_MODEL_LOAD_FORMAT"
PROGRESS_ENV = "TFHUB_DOWNLOAD_PROGRESS"
DISABLE_PROGRESS_ENV = "TFHUB_DISABLE_PROGRESS_BARS"
DISABLE_CERT_VALIDATION_ENV = "TFHUB_DISABLE_CERT_VALIDATION"
OFFLINE_ENV = "TFHUB_OFFLINE"
CONNECT_TIMEOUT_ENV = "TFHUB_HTTP_CONNECT_TIMEOUT"
READ_TIMEOUT_ENV = "TFHUB_HTTP_READ_TIMEOUT"
RETRIES_ENV = "TFHUB_HTTP_RETRIES"
RETRY_AFTER_MAX_ENV = "TFHUB_HTTP_RETRY_AFTER_MAX"
LOW_SPEED_LIMIT_ENV = "TFHUB_HTTP_LOW_SPEED_LIMIT"
LOW_SPEED_TIME_ENV = "TFHUB_HTTP_LOW_SPEED_TIME"
CONNECTIONS_ENV = "TFHUB_DOWNLOAD_CONNECTIONS"
DEFAULT_CONNECTIONS = 8  # as `aria2c -x8`; servers that cap each connection are the common case
MAX_CONNECTIONS = 64
# Longer than any sane wait, short enough for socket timeouts and time.sleep.
_MAX_SECONDS = 1e6

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class ModelLoadFormat(str, enum.Enum):
    """How http(s) handles are fetched (``TFHUB_MODEL_LOAD_FORMAT``)."""

    AUTO = "AUTO"
    COMPRESSED = "COMPRESSED"
    UNCOMPRESSED = "UNCOMPRESSED"


def _env(name: str) -> Optional[str]:
    value = os.environ.get(name)
    return value if value else None


def _flag_true(name: str) -> bool:
    value = _env(name)
    return value is not None and value.strip().lower() in _TRUE_WORDS


def cache_dir() -> str:
    """The cache directory: ``TFHUB_CACHE_DIR``, else ``--tfhub_cache_dir``, else per-user.

    The precedence of the first two is tensorflow_hub's. The per-user default is
    ``$XDG_CACHE_HOME/tfhub_modules`` (``~/.cache`` when unset), never the temp
    dir that OS cleaners empty. An absolute path, as a string (as tensorflow_hub's).

    Raises:
        ConfigError: the setting names a non-local filesystem (e.g. ``gs://``).
    """
    explicit = _env(CACHE_DIR_ENV)
    source = CACHE_DIR_ENV
    if not explicit:
        explicit = absl_flags.value(absl_flags.CACHE_DIR_FLAG)
        source = f"--{absl_flags.CACHE_DIR_FLAG}"
    if explicit:
        return _local_directory(explicit, source)
    base = _env("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return files.absolute_path(os.path.join(base, "tfhub_modules"))


def _local_directory(value: str, source: str) -> str:
    """``value`` as an absolute local path; ``file://`` URLs are local paths too."""
    if value.startswith("file://"):
        value = value[len("file://"):]
    elif "://" in value:
        scheme = value.split("://", 1)[0]
        raise errors.ConfigError(
            f"{source}={value!r}: tfhub keeps its cache on a local filesystem (it locks and "
            f"renames entries atomically), and {scheme}:// is not one. Set it to a local "
            "directory (a path or a file:// URL), e.g. one on a mounted disk.")
    return files.absolute_path(os.path.expanduser(value))


def model_load_format() -> ModelLoadFormat:
    """``TFHUB_MODEL_LOAD_FORMAT``, else ``--tfhub_model_load_format`` (default ``AUTO``).

    Raises:
        ConfigError: the variable holds something other than AUTO, COMPRESSED
            or UNCOMPRESSED.
    """
    raw = _env(LOAD_FORMAT_ENV) or absl_flags.value(absl_flags.LOAD_FORMAT_FLAG)
    if raw is None:
        return ModelLoadFormat.AUTO
    try:
        return ModelLoadFormat(raw.strip().upper())
    except ValueError:
        choices = ", ".join(f.value for f in ModelLoadFormat)
        raise errors.ConfigError(
            f"{LOAD_FORMAT_ENV}={raw!r} is not a model load format; expected one of "
            f"{choices}. Unset it or set it to AUTO."
        ) from None


def download_progress() -> Optional[bool]:
    """Whether download progress bars are asked for (True), refused (False), or left to
    the place the program runs in (None).

    ``TFHUB_DISABLE_PROGRESS_BARS`` set true refuses them. ``TFHUB_DOWNLOAD_PROGRESS``
    asks for them with any non-empty value (as tensorflow_hub) except ``0``, ``false``,
    ``no`` and ``off``, which refuse them.
    """
    if _flag_true(DISABLE_PROGRESS_ENV):
        return False
    value = _env(PROGRESS_ENV)
    if value is None:
        return None
    return value.strip().lower() not in _FALSE_WORDS


def cert_validation_disabled() -> bool:
    """True only for ``TFHUB_DISABLE_CERT_VALIDATION=true`` (as tensorflow_hub)."""
    return os.environ.get(DISABLE_CERT_VALIDATION_ENV) == "true"


def offline() -> bool:
    """True when ``TFHUB_OFFLINE`` is 1/true/yes/on: never touch the network."""
    return _flag_true(OFFLINE_ENV)


def _number(name: str, default: float, what: str, minimum: float = 0.0, exclusive: bool = True) -> float:
    """A finite number from the environment (``nan``, ``inf``, ``1e400`` refused)."""
    import math  # only a download reads these settings

    raw = _env(name)
    if raw is None:
        return default
    try:
        # ASCII only: float() also reads other scripts' digits, which nothing else here does.
        value = float(raw.strip()) if raw.isascii() else math.nan
    except ValueError:
        value = math.nan
    too_small = value <= minimum if exclusive else value < minimum
    if not math.isfinite(value) or too_small or value > _MAX_SECONDS:
        raise errors.ConfigError(f"{name}={raw!r} must be {what} (a finite number up to {_MAX_SECONDS:.0f}).")
    return value


def _positive_float(name: str, default: float) -> float:
    return _number(name, default, "a positive number of seconds")


def http_timeouts() -> tuple:
    """(connect, read) timeouts in seconds for HTTP requests."""
    return (
        _positive_float(CONNECT_TIMEOUT_ENV, 15.0),
        _positive_float(READ_TIMEOUT_ENV, 60.0),
    )


def _whole_number(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    value = raw.strip()
    # isdigit() alone accepts "²" and other digits int() refuses.
    if not (value.isascii() and value.isdigit()) or len(value) > 6:
        raise errors.ConfigError(f"{name}={raw!r} must be a whole number from 0 to 999999.")
    return int(value)


def http_retries() -> int:
    """How many times a failed request or interrupted download is retried."""
    return _whole_number(RETRIES_ENV, 5)


def http_retry_after_max() -> float:
    """The longest a server's ``Retry-After`` makes tfhub wait before a retry (seconds)."""
    return _number(RETRY_AFTER_MAX_ENV, 30.0, "a number of seconds >= 0", exclusive=False)


def http_low_speed() -> tuple:
    """(bytes per second, seconds): a download slower than that over that long is a stall.

    Like curl's ``--speed-limit``/``--speed-time``: a server that drips a byte
    at a time never trips the read timeout, so the average over a window is
    checked too. A limit of 0 turns the check off.
    """
    limit = _number(LOW_SPEED_LIMIT_ENV, 1024.0, "a number of bytes per second >= 0", exclusive=False)
    window = _positive_float(LOW_SPEED_TIME_ENV, 60.0)
    return limit, window


def download_connections() -> int:
    """How many connections one download may use (``TFHUB_DOWNLOAD_CONNECTIONS``, default 8).

    Several only when the server answers ranges of a body with a strong
    validator and a length; 1 always downloads over one connection.

    Raises:
        ConfigError: not a whole number from 1 to 64.
    """
    value = _whole_number(CONNECTIONS_ENV, DEFAULT_CONNECTIONS)
    if not 1 <= value <= MAX_CONNECTIONS:
        raise errors.ConfigError(
            f"{CONNECTIONS_ENV}={value} must be from 1 to {MAX_CONNECTIONS} (1: one connection)."
        )
    return value


class DownloadSettings(Record):
    """The settings of one download, read from the environment once, when it starts.

    Passed down to every request and part of that download, so a setting
    cannot change halfway through, and nothing deep in the call stack reads
    the environment.
    """

    timeouts: tuple  # (connect, read) seconds
    retries: int
    low_speed: float  # bytes per second; 0 turns the check off
    low_speed_window: float  # seconds
    connections: int
    progress: Optional[bool]  # see download_progress()
    mirrors: tuple = ()  # see mirrors()
    headers: tuple = ()  # (name, value) pairs, see http_headers()
    retry_after_max: float = 30.0  # see http_retry_after_max()
    skip_cert_validation: bool = False  # see cert_validation_disabled()

    @classmethod
    def read(cls) -> "DownloadSettings":
        """The current settings.

        Raises:
            ConfigError: one of them is malformed.
        """
        low_speed, window = http_low_speed()
        return cls(timeouts=http_timeouts(), retries=http_retries(), low_speed=low_speed,
                   low_speed_window=window, connections=download_connections(),
                   progress=download_progress(), mirrors=tuple(mirrors()),
                   headers=tuple(http_headers().items()), retry_after_max=http_retry_after_max(),
                   skip_cert_validation=cert_validation_disabled())


MIRROR_ENV = "TFHUB_MIRROR"
HEADERS_ENV = "TFHUB_HTTP_HEADERS"
PIN_FILE_ENV = "TFHUB_PIN_FILE"


def mirrors() -> list:
    """(original prefix, replacement prefix) pairs from ``TFHUB_MIRROR``.

    The form is ``https://tfhub.dev=https://models.internal/tfhub``, several
    separated by commas. The longest matching prefix wins.

    Raises:
        ConfigError: an item has no ``=`` or a side is empty.
    """
    raw = _env(MIRROR_ENV)
    if raw is None:
        return []
    pairs = []
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        original, sep, replacement = item.partition("=")
        if not sep or not original.strip() or not replacement.strip():
            raise errors.ConfigError(
                f"{MIRROR_ENV} item {item!r} is not of the form ORIGINAL_PREFIX=MIRROR_PREFIX "
                "(e.g. https://tfhub.dev=https://models.internal/tfhub)."
            )
        pairs.append((original.strip(), replacement.strip()))
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


def http_headers() -> dict:
    """Extra request headers from ``TFHUB_HTTP_HEADERS`` (e.g. a bearer token).

    Either a JSON object, or ``Name: value`` lines (newline-separated). They
    are sent to the handle's (or mirror's) host only, never on a redirect to
    another host, and never logged.

    Raises:
        ConfigError: the value is neither form.
    """
    raw = _env(HEADERS_ENV)
    if raw is None:
        return {}
    if raw.lstrip().startswith("{"):
        import json

        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            raise errors.ConfigError(f"{HEADERS_ENV} is not a JSON object of strings.")
        return _checked_headers({str(k): v for k, v in parsed.items()})
    headers = {}
    for line in raw.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise errors.ConfigError(
                f"{HEADERS_ENV} must hold 'Name: value' lines or a JSON object; "
                "one line has no 'Name:' part."
            )
        headers[name.strip()] = value.strip()
    return _checked_headers(headers)


_HEADER_NAME = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z"  # compiled (and cached by re) when first used


def _checked_headers(headers: dict) -> dict:
    """Headers HTTP can carry: token names, Latin-1 values on one line.

    Raises:
        ConfigError: a name or value cannot be sent (it names which, never the value).
    """
    for name, value in headers.items():
        if not re.match(_HEADER_NAME, name):
            raise errors.ConfigError(
                f"{HEADERS_ENV}: {name!r} is not a valid header name (letters, digits and -!#$%&'*+.^_`|~ only)."
            )
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise errors.ConfigError(
                f"{HEADERS_ENV}: the value of {name!r} has characters HTTP headers cannot carry "
                "(only Latin-1); percent- or base64-encode it."
            ) from None
        if "\r" in value or "\n" in value or "\0" in value:
            raise errors.ConfigError(f"{HEADERS_ENV}: the value of {name!r} holds a line break or NUL.")
    return headers


def pin_file() -> Optional[str]:
    """``TFHUB_PIN_FILE``: lines of ``<sha256>  <handle>`` pinning archives."""
    raw = _env(PIN_FILE_ENV)
    return files.plain_path(os.path.expanduser(raw)) if raw else None


LOCKS_ENV = "TFHUB_CACHE_LOCKS"
LOCK_KINDS = ("auto", "flock", "lockfile")


def cache_locks() -> str:
    """``TFHUB_CACHE_LOCKS``: how cache entries are locked (default ``auto``).

    ``flock``: kernel file locks; ``lockfile``: a lock file created exclusively,
    for shared file systems without working ``flock`` (some NFS and Lustre
    mounts); ``auto``: ``flock`` where a probe shows it works, else ``lockfile``.

    Raises:
        ConfigError: the variable holds another word.
    """
    raw = _env(LOCKS_ENV)
    if raw is None:
        return "auto"
    value = raw.strip().lower()
    if value not in LOCK_KINDS:
        raise errors.ConfigError(
            f"{LOCKS_ENV}={raw!r} is not a lock kind; expected one of {', '.join(LOCK_KINDS)}. "
            "Unset it (auto) or set it to lockfile on a file system without working flock.")
    return value


SERVER_ENV = "TFHUB_SERVER"


def catalog_server(explicit: Optional[str] = None) -> str:
    """The catalog ``tfhub search`` asks: ``--server``, else ``TFHUB_SERVER``.

    Raises:
        ConfigError: neither is set, or the value is not an http(s) URL.
    """
    value = explicit or _env(SERVER_ENV)
    if not value:
        raise errors.ConfigError(
            f"No catalog server to search: pass --server http://HOST:PORT or set {SERVER_ENV} "
            "(the address `tfhub serve` prints).")
    value = value.strip()
    if not re.match(r"^https?://[^/\s]+", value):
        raise errors.ConfigError(
            f"The catalog server {value!r} is not an http(s) URL; give one such as http://models.internal:8000.")
    return value.rstrip("/") + "/"
