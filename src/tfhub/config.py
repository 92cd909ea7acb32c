"""Settings read from the environment, each time they are asked for.

Nothing here is read at import time, so a change of environment (or a test's
``monkeypatch.setenv``) takes effect on the next call.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path
from typing import Optional

from tfhub import errors

CACHE_DIR_ENV = "TFHUB_CACHE_DIR"
LOAD_FORMAT_ENV = "TFHUB_MODEL_LOAD_FORMAT"
PROGRESS_ENV = "TFHUB_DOWNLOAD_PROGRESS"
DISABLE_CERT_VALIDATION_ENV = "TFHUB_DISABLE_CERT_VALIDATION"
OFFLINE_ENV = "TFHUB_OFFLINE"
CONNECT_TIMEOUT_ENV = "TFHUB_HTTP_CONNECT_TIMEOUT"
READ_TIMEOUT_ENV = "TFHUB_HTTP_READ_TIMEOUT"
RETRIES_ENV = "TFHUB_HTTP_RETRIES"

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


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


def cache_dir() -> Path:
    """The cache directory: ``TFHUB_CACHE_DIR``, else a persistent per-user one.

    The per-user default is ``$XDG_CACHE_HOME/tfhub_modules`` (``~/.cache`` when
    unset), never the temp dir that OS cleaners empty.
    """
    explicit = _env(CACHE_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser().absolute()
    base = _env("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base).absolute() / "tfhub_modules"


def model_load_format() -> ModelLoadFormat:
    """The value of ``TFHUB_MODEL_LOAD_FORMAT`` (default ``AUTO``).

    Raises:
        ConfigError: the variable holds something other than AUTO, COMPRESSED
            or UNCOMPRESSED.
    """
    raw = _env(LOAD_FORMAT_ENV)
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


def download_progress_forced() -> bool:
    """True when ``TFHUB_DOWNLOAD_PROGRESS`` is set to anything non-empty."""
    return _env(PROGRESS_ENV) is not None


def cert_validation_disabled() -> bool:
    """True only for ``TFHUB_DISABLE_CERT_VALIDATION=true`` (as tensorflow_hub)."""
    return os.environ.get(DISABLE_CERT_VALIDATION_ENV) == "true"


def offline() -> bool:
    """True when ``TFHUB_OFFLINE`` is 1/true/yes/on: never touch the network."""
    return _flag_true(OFFLINE_ENV)


def _positive_float(name: str, default: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise errors.ConfigError(f"{name}={raw!r} must be a positive number of seconds.")
    return value


def http_timeouts() -> tuple:
    """(connect, read) timeouts in seconds for HTTP requests."""
    return (
        _positive_float(CONNECT_TIMEOUT_ENV, 15.0),
        _positive_float(READ_TIMEOUT_ENV, 60.0),
    )


def http_retries() -> int:
    """How many times a failed request or interrupted download is retried."""
    raw = _env(RETRIES_ENV)
    if raw is None:
        return 5
    if not raw.isdigit():
        raise errors.ConfigError(f"{RETRIES_ENV}={raw!r} must be a whole number >= 0.")
    return int(raw)
