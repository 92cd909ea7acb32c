"""Where a downloaded entry's bytes come from: the handle's archive, over HTTP, tf.io.gfile or a local file.

A fetcher fills a temp dir and reports what it computed on the way (the
archive's SHA-256, each file's SHA-256); :mod:`tfhub.resolving.cache` builds
the entry from that. Imported only when something is fetched: requests and
urllib3 take ~0.1-0.5 s to import, which a cache hit must not pay.
"""

from __future__ import annotations

import io
import os
from typing import BinaryIO, Callable, Dict, Optional

from tfhub import config, errors, files
from tfhub.resolving import archive, handles, integrity
from tfhub.resolving.cache import Fetched
from tfhub.resolving.handles import HandleKind


def archive_fetcher(handle: str, pin: Optional[str],
                    settings: Optional[config.DownloadSettings] = None) -> Callable[["str | os.PathLike[str]"], Fetched]:
    """fetch(target): extracts the handle's archive into target, checking ``pin``.

    ``settings`` (read now when not given) hold for the whole download. Pieces
    of a parallel download spill beside ``target``, in the cache's temp area.

    Raises (from fetch):
        IntegrityError: the archive's SHA-256 is not ``pin``.
        DownloadError, ArchiveError, UnsafeArchiveError, DiskFullError.
    """
    if handles.kind_of(handle) is HandleKind.HTTP:
        settings = config.DownloadSettings.read() if settings is None else settings
        url = handles.archive_url(handles.mirrored(handle, list(settings.mirrors)))

        def open_stream(target: "str | os.PathLike[str]") -> BinaryIO:
            from tfhub.resolving import parts  # only for HTTP handles

            return parts.open_body(url, handle, settings, os.path.dirname(os.fspath(target)))
    else:
        def open_stream(target: "str | os.PathLike[str]") -> BinaryIO:
            return _open_gfile_archive(handle)

    def fetch(target: "str | os.PathLike[str]") -> Fetched:
        with open_stream(target) as stream:
            return _extract_checked(stream, target, handle, pin)

    return fetch


def local_archive_fetcher(path: str, stamp: str, pin: Optional[str]) -> Callable[["str | os.PathLike[str]"], Fetched]:
    """fetch(target): extracts the local archive file ``path`` into target, checking ``pin``.

    The file must still have ``stamp`` (:func:`handles.file_stamp`) when
    opened and when read to the end: an entry is keyed by it, so a file
    rewritten meanwhile must not be stored under the old one's key.

    Raises (from fetch):
        ArchiveError: the file changed while it was read (or is not an archive).
        IntegrityError, UnsafeArchiveError, DiskFullError.
    """
    def check_unchanged(stream: BinaryIO) -> None:
        if handles.file_stamp(os.fstat(stream.fileno())) != stamp:
            raise errors.ArchiveError(f"{path} changed while it was being read; try again once it is written.")

    def fetch(target: "str | os.PathLike[str]") -> Fetched:
        with open(path, "rb") as stream:
            check_unchanged(stream)
            fetched = _extract_checked(stream, target, path, pin)
            check_unchanged(stream)
        return fetched

    return fetch


def _extract_checked(stream: BinaryIO, target: "str | os.PathLike[str]", handle: str, pin: Optional[str]) -> Fetched:
    """Extracts ``stream`` into target, hashing it on the way, and checks the digest against ``pin``."""
    digests: Dict[str, str] = {}
    # The archive's digest on a thread of its own: the thread reading the body also inflates it.
    with files.HashingStream(stream, background=True) as hashing:
        archive.extract(hashing, target, source=getattr(stream, "url", handle), digests=digests)
        hashing.drain()
        digest = hashing.hexdigest()
    integrity.check(digest, pin, handle)
    return Fetched(archive_sha256=digest, digests=digests)


def _open_gfile_archive(handle: str) -> BinaryIO:
    from tfhub._tf import tensorflow  # gfile only for such handles

    if not handles.gfile_exists(handle):  # a scheme nothing reads is a HandleError there
        raise errors.HandleNotFoundError(f"{handle} does not exist.")
    return _GFileRaw(tensorflow().io.gfile.GFile(handle, "rb"))


class _GFileRaw(io.RawIOBase):
    """A tf.io.gfile.GFile as a raw stream (extraction buffers it)."""

    def __init__(self, gfile_stream) -> None:  # tf.io.gfile.GFile
        super().__init__()
        self._stream = gfile_stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # memoryview
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()
