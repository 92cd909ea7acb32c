"""Every exception tfhub raises.

Each class derives from :class:`TfHubError` and from the built-in exception a
caller of tensorflow_hub would already catch for the same failure.
"""

from __future__ import annotations

from typing import Optional


class TfHubError(Exception):
    """Root of tfhub's exceptions."""


class ConfigError(TfHubError, ValueError):
    """An environment setting holds a value tfhub cannot use."""


class HandleError(TfHubError, ValueError):
    """A handle is not of a form tfhub can resolve."""


class ResolveError(TfHubError, OSError):
    """A handle could not be turned into a local model directory."""


class HandleNotFoundError(ResolveError, FileNotFoundError):
    """A local (or gfile) handle names a path that does not exist."""


class OfflineCacheMissError(ResolveError, FileNotFoundError):
    """``TFHUB_OFFLINE`` is set and the handle is not in the cache."""


class DownloadError(ResolveError):
    """An HTTP download failed (status, connection, truncation, stall)."""

    def __init__(self, message: str, status: Optional[int] = None):
        super().__init__(message)
        self.status = status


class ArchiveError(ResolveError):
    """A downloaded body is not a readable tar archive (or was cut short)."""


class UnsafeArchiveError(TfHubError, ValueError):
    """An archive member would escape the target directory or is not allowed."""


class IntegrityError(ResolveError):
    """Downloaded bytes do not match what was expected of them."""


class CacheError(TfHubError, OSError):
    """The cache directory cannot be used (permissions, disk)."""


class ProtocolError(TfHubError, ValueError):
    """A server answered outside the TF Hub protocol (e.g. the 303 protocol)."""


class ModelFormatError(TfHubError, ValueError):
    """A directory does not hold a model of a known format."""


class TensorFlowMissingError(TfHubError, ImportError):
    """TensorFlow is needed for this call and is not installed."""
