"""Model archives built once, kept on disk, rebuilt when the model changes.

For each model the store keeps ``<url key>-<fingerprint>.tar.gz`` (written by
:func:`tfhub.resolving.archive.pack`, so the same tree gives the same bytes) and
a ``.json`` beside it with its size and SHA-256, which is the ETag. A new
version is renamed into place; the old one is deleted, which does not disturb
downloads that already opened it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Dict, Optional, Tuple

import anyio.to_thread

from tfhub import errors, files, logs
from tfhub.resolving import archive
from tfhub.server.discovery import ServedModel, fingerprint

_log = logs.logger("tfhub.server")
_BUILD_ATTEMPTS = 3


@dataclasses.dataclass(frozen=True)
class BuiltArchive:
    """An archive ready to be sent."""

    path: Path
    size: int
    sha256: str

    @property
    def etag(self) -> str:
        return f'"{self.sha256[:40]}"'


class _Changed(Exception):
    """The model changed while it was packed (internal: that attempt is thrown away)."""


def _url_key(url_path: str) -> str:
    return hashlib.sha1(url_path.encode("utf-8", "surrogateescape")).hexdigest()[:24]


class ArchiveStore:
    """The on-disk archive cache of a server.

    Args:
        directory: where archives are kept (created when missing).
        max_parallel_builds: how many archives may be packed at once.
    """

    def __init__(self, directory: Path, max_parallel_builds: int = 2):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._max_parallel_builds = max_parallel_builds
        # Made on first use, inside the server's event loop (Python 3.9 binds them at creation).
        self._locks: Dict[str, asyncio.Lock] = {}
        self._build_slots: Optional[asyncio.Semaphore] = None
        # url path -> (fingerprint, error) of a model that cannot be packed as it is:
        # asking again must not pack it again until it changes.
        self._unpackable: Dict[str, Tuple[str, errors.UnsafeArchiveError]] = {}

    async def get(self, model: ServedModel) -> BuiltArchive:
        """The current archive of ``model``, packing it first when needed.

        Raises:
            ModelChangingError: the model kept changing while it was packed.
            UnsafeArchiveError: the model holds a link that leads outside it, or a
                special file (the message names it, not where it points).
        """
        digest, _ = await anyio.to_thread.run_sync(fingerprint, model.directory)
        built = self._lookup(model, digest)
        if built is not None:
            return built
        failed = self._unpackable.get(model.url_path)
        if failed is not None and failed[0] == digest:
            raise failed[1]
        lock = self._locks.setdefault(model.url_path, asyncio.Lock())
        async with lock:
            built = self._lookup(model, digest)
            if built is None:
                if self._build_slots is None:
                    self._build_slots = asyncio.Semaphore(self._max_parallel_builds)
                async with self._build_slots:
                    try:
                        built = await anyio.to_thread.run_sync(self._build, model)
                    except errors.UnsafeArchiveError as exc:
                        _log.error("Cannot pack %s: %s", model.url_path, exc)
                        self._unpackable[model.url_path] = (digest, exc)
                        raise
        return built

    def _paths(self, model: ServedModel, digest: str) -> tuple:
        stem = f"{_url_key(model.url_path)}-{digest[:24]}"
        return self.directory / f"{stem}.tar.gz", self.directory / f"{stem}.json"

    def _lookup(self, model: ServedModel, digest: str) -> Optional[BuiltArchive]:
        archive_path, info_path = self._paths(model, digest)
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            if archive_path.stat().st_size != info["size"]:
                return None
            return BuiltArchive(archive_path, int(info["size"]), str(info["sha256"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _build(self, model: ServedModel) -> BuiltArchive:
        """Packs the model straight into its archive path (one temp sibling, one rename); runs on a worker thread."""
        for _ in range(_BUILD_ATTEMPTS):
            before, _ = fingerprint(model.directory)
            archive_path, info_path = self._paths(model, before)
            try:
                with files.atomic_file(archive_path) as out:
                    for link in archive.pack(model.directory, out):
                        _log.warning("%s: %s is an absolute link inside the model; archived as a "
                                     "relative link.", model.url_path, link)
                    if fingerprint(model.directory)[0] != before:
                        raise _Changed  # the archive may mix versions: the temp file goes
            except _Changed:
                continue
            built = BuiltArchive(archive_path, archive_path.stat().st_size, files.file_sha256(archive_path))
            files.write_text_atomically(info_path, json.dumps({"size": built.size, "sha256": built.sha256,
                                                                "model": model.url_path}))
            self._remove_older(model, keep=archive_path.stem.split(".")[0])
            _log.info("Packed %s (%d bytes)", model.url_path, built.size)
            return built
        raise errors.ModelChangingError(
            f"The model at {model.url_path!r} changed each of the {_BUILD_ATTEMPTS} times its "
            "archive was packed; finish updating it (write elsewhere, then rename) and ask again."
        )

    def _remove_older(self, model: ServedModel, keep: str) -> None:
        prefix = _url_key(model.url_path) + "-"
        for path in self.directory.glob(prefix + "*"):
            if not path.name.startswith(keep):
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass
