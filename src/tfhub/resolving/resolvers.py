"""``resolve(handle)``: the resolver chain from a handle to a local directory.

* local paths and ``file://`` -> the path itself;
* ``http(s)://`` -> a compressed archive, downloaded once into the cache
  (or, with ``TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED``, the 303 protocol);
* ``gs://.../m.tar.gz`` (any tf.io.gfile scheme) -> streamed into the cache;
* ``gs://bucket/dir`` (any tf.io.gfile scheme) -> used in place.
"""

from __future__ import annotations

import io
import logging
import os
from typing import BinaryIO, Callable, Optional, Tuple, Union

from tfhub import config, errors
# archive and download (requests, urllib3: ~0.1-0.5 s to import) are imported
# where a download happens, so a cache hit never pays for them.
from tfhub.resolving import handles, integrity
from tfhub.resolving.cache import Cache
from tfhub.resolving.handles import HandleKind

_log = logging.getLogger("tfhub")


def resolve(handle: Union[str, "os.PathLike[str]"], sha256: Optional[str] = None) -> str:
    """Resolves a handle to a local (or gfile) model directory.

    Args:
        handle: a URL (``https://...``, ``gs://...``) or a path. A downloaded
            handle may end in ``#sha256=<hex>`` to pin its archive.
        sha256: the SHA-256 its archive must have (see :mod:`tfhub.resolving.integrity`).

    Returns:
        The path of the model directory.

    Raises:
        HandleError: the handle is empty or not a string.
        HandleNotFoundError: a path handle does not exist.
        OfflineCacheMissError: ``TFHUB_OFFLINE`` is set and the model is not cached.
        DownloadError, ArchiveError, UnsafeArchiveError, CacheError,
        IntegrityError: the archive does not have the pinned SHA-256.
        ProtocolError, ConfigError: see :mod:`tfhub.errors`.
    """
    if isinstance(handle, os.PathLike):
        handle = os.fspath(handle)
    if not isinstance(handle, str):
        raise errors.HandleError(f"Expected a string, got {handle!r}")
    handle, pin = _pin_of(handle, sha256)
    kind = handles.kind_of(handle)
    if kind is HandleKind.HTTP and config.model_load_format() is config.ModelLoadFormat.UNCOMPRESSED:
        kind = None  # the 303 protocol: nothing is downloaded
    if pin is not None and kind not in (HandleKind.HTTP, HandleKind.GFILE_ARCHIVE):
        raise errors.HandleError(
            f"A SHA-256 pin applies to a downloaded archive, but '{handle}' is read in place; "
            "remove the pin, or use the model's archive URL."
        )
    if kind is HandleKind.LOCAL:
        return _resolve_local(handle)
    if kind is HandleKind.GFILE_DIRECTORY:
        return _resolve_gfile_directory(handle)
    if kind is None:
        return _resolve_uncompressed(handle)
    return str(cached_download(handle, force=False, sha256=pin))


def _pin_of(handle: str, sha256: Optional[str]) -> Tuple[str, Optional[str]]:
    """(handle without a pin fragment, the pin from the argument, fragment or pin file)."""
    handle, fragment_pin = handles.split_pin(handle)
    if sha256 is not None:
        return handle, integrity.normalize(sha256, "the sha256 argument")
    if fragment_pin is not None:
        return handle, integrity.normalize(fragment_pin, "the handle's #sha256= fragment")
    return handle, integrity.pin_from_file(handle)


def _resolve_local(handle: str) -> str:
    path = handles.local_path(handle)
    if not os.path.exists(path):
        raise errors.HandleNotFoundError(f"{handle} does not exist.")
    return path


def _resolve_gfile_directory(handle: str) -> str:
    if not handles.gfile_exists(handle):
        raise errors.HandleNotFoundError(f"{handle} does not exist.")
    return handle


def cached_download(handle: str, force: bool = False, sha256: Optional[str] = None) -> "os.PathLike[str]":
    """The cache entry of a downloadable handle, fetched when missing or broken.

    Args:
        handle: an http(s) handle or a gfile archive.
        force: fetch again even when the cached copy is complete.
        sha256: the digest the archive must have (normalized).

    Raises:
        OfflineCacheMissError: offline mode and the model is not cached.
    """
    cache = Cache(config.cache_dir())
    entry = cache.entry(handle)
    if not force and entry.is_complete(sha256):
        return entry.directory
    if config.offline():
        raise errors.OfflineCacheMissError(
            f"'{handle}' is not in the cache at {cache.root} and TFHUB_OFFLINE is set, so it "
            f"cannot be downloaded. Unset TFHUB_OFFLINE, or copy the model into the cache "
            f"(tfhub cache import), or point TFHUB_CACHE_DIR at a cache that holds it."
        )
    _log.info("Downloading TF-Hub Module '%s'.", handle)
    directory = entry.populate(_fetcher(handle, sha256), force=force, sha256=sha256)
    _log.info("Downloaded TF-Hub Module '%s'.", handle)
    return directory


def _fetcher(handle: str, pin: Optional[str]) -> Callable[[os.PathLike], str]:
    """fetch(target): extracts the handle's archive into target, returns its SHA-256."""
    from tfhub.resolving import archive  # noqa: PLC0415 - only when downloading

    if handles.kind_of(handle) is HandleKind.HTTP:
        def open_stream() -> BinaryIO:
            from tfhub.resolving import download  # noqa: PLC0415 - only when downloading

            url = handles.archive_url(handles.mirrored(handle, config.mirrors()))
            return download.HttpBody(url, handle)
    else:
        open_stream = lambda: _open_gfile_archive(handle)  # noqa: E731

    def fetch(target: os.PathLike) -> str:
        with open_stream() as stream:
            hashing = integrity.HashingStream(stream)
            archive.extract(hashing, target, source=getattr(stream, "url", handle))
            hashing.drain()
        integrity.check(hashing.hexdigest(), pin, handle)
        return hashing.hexdigest()

    return fetch


def _open_gfile_archive(handle: str) -> BinaryIO:
    from tfhub._tf import tensorflow  # noqa: PLC0415 - gfile only for such handles

    gfile = tensorflow().io.gfile
    if not handles.gfile_exists(handle):
        raise errors.HandleNotFoundError(f"{handle} does not exist.")
    return _GFileRaw(gfile.GFile(handle, "rb"))


class _GFileRaw(io.RawIOBase):
    """A tf.io.gfile.GFile as a raw stream (extraction buffers it)."""

    def __init__(self, gfile_stream) -> None:  # noqa: ANN001 - tf.io.gfile.GFile
        super().__init__()
        self._stream = gfile_stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - memoryview
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


def _resolve_uncompressed(handle: str) -> str:
    """The 303 protocol: the server answers where the uncompressed model lives."""
    if config.offline():
        raise errors.OfflineCacheMissError(
            f"TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED reads '{handle}' from its server's storage, "
            "which TFHUB_OFFLINE forbids. Unset one of them."
        )
    from tfhub.resolving import download  # noqa: PLC0415 - only when asking the server

    url = handles.uncompressed_url(handles.mirrored(handle, config.mirrors()))
    session = download.new_session()
    try:
        response = session.get(url, allow_redirects=False, timeout=config.http_timeouts())
    except download.requests.exceptions.RequestException as exc:
        raise errors.DownloadError(f"Resolving '{handle}' failed: could not get {url} ({exc}).") from exc
    if response.status_code != 303:
        if response.status_code >= 400:
            raise download.status_error(handle, url, response)
        raise errors.ProtocolError(
            f"Expected 303 See other HTTP response but received code {response.status_code} "
            f"from {url}. The server does not offer uncompressed models; unset "
            "TFHUB_MODEL_LOAD_FORMAT (or set it to COMPRESSED)."
        )
    location = response.text.strip() or response.headers.get("Location", "")
    if not location.startswith("gs://"):
        raise errors.ProtocolError(
            f"Expected server to return a GCS location but received {location!r} from {url}."
        )
    return _resolve_gfile_directory(location)
