"""The on-disk cache: layout, locks, atomic population, self-healing, scanning.

Layout under the cache directory (compatible with tensorflow_hub):

* ``<key>/`` — a complete model directory (``key = sha1(handle)``);
* ``<key>.descriptor.txt`` — the handle, time, host and a manifest of every
  file with its size; tensorflow_hub's three lines come first;
* ``<key>.<uid>.tfhub-tmp/`` — a download in progress (ours);
* ``.locks/<key>.lock`` — the per-entry lock, an OS file lock the kernel
  releases when its holder dies.

Correctness rests on the rename of a complete temp dir; the lock only avoids
duplicated downloads.
"""

from __future__ import annotations

import dataclasses
import datetime
import errno
import json
import logging
import os
import shutil
import signal
import socket
import uuid
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import filelock

from tfhub import errors
from tfhub.resolving import archive, handles, leftovers

_log = logging.getLogger("tfhub")

DESCRIPTOR_SUFFIX = leftovers.DESCRIPTOR_SUFFIX
TEMP_SUFFIX = leftovers.TFHUB_TEMP_SUFFIX
LOCKS_DIRNAME = leftovers.LOCKS_DIRNAME
_MANIFEST_PREFIX = "Manifest: "
_SHA256_FIELD = "Archive-SHA256"
_LOCK_WAIT_LOG_SECONDS = 10.0

Manifest = Dict[str, int]  # relative path (POSIX separators) -> size in bytes


def build_manifest(directory: Path) -> Manifest:
    """Every regular file under ``directory`` with its size."""
    manifest: Manifest = {}
    for dirpath, _, filenames in os.walk(directory):
        for filename in filenames:
            full = os.path.join(dirpath, filename)
            if os.path.isfile(full):
                relative = os.path.relpath(full, directory).replace(os.sep, "/")
                manifest[relative] = os.path.getsize(full)
    return manifest


def manifest_mismatch(directory: Path, manifest: Manifest) -> Optional[str]:
    """Why ``directory`` no longer matches ``manifest``, or None when it does."""
    for relative, size in manifest.items():
        try:
            actual = os.stat(directory / relative).st_size
        except FileNotFoundError:
            return f"'{relative}' is missing"
        except OSError as exc:
            return f"'{relative}' cannot be read ({exc.strerror})"
        if actual != size:
            return f"'{relative}' has {actual} bytes, expected {size}"
    return None


@dataclasses.dataclass(frozen=True)
class Descriptor:
    """What the descriptor file beside an entry says."""

    handle: Optional[str]
    download_time: Optional[str]
    host: Optional[str]
    manifest: Optional[Manifest]  # None for entries written by tensorflow_hub
    archive_sha256: Optional[str] = None  # of the archive as downloaded

    def render(self) -> str:
        lines = [
            f"Module: {self.handle}",
            f"Download Time: {self.download_time}",
            f"Downloader Hostname: {self.host}",
        ]
        if self.archive_sha256:
            lines.append(f"{_SHA256_FIELD}: {self.archive_sha256}")
        if self.manifest is not None:
            lines.append(_MANIFEST_PREFIX + json.dumps(self.manifest, sort_keys=True))
        return "\n".join(lines)

    @classmethod
    def parse(cls, text: str) -> "Descriptor":
        fields: Dict[str, str] = {}
        manifest = None
        for line in text.splitlines():
            if line.startswith(_MANIFEST_PREFIX):
                try:
                    manifest = {str(k): int(v) for k, v in json.loads(line[len(_MANIFEST_PREFIX):]).items()}
                except (ValueError, AttributeError):
                    manifest = {"<unreadable manifest>": -1}
            elif ": " in line:
                key, value = line.split(": ", 1)
                fields[key] = value
        return cls(
            handle=fields.get("Module"),
            download_time=fields.get("Download Time"),
            host=fields.get("Downloader Hostname"),
            manifest=manifest,
            archive_sha256=fields.get(_SHA256_FIELD),
        )


KILL_POINT_ENV = "TFHUB_TEST_KILL_AT"
KILL_POINTS = ("locked", "extracted", "descriptor-temp-written", "descriptor-written", "renamed")


def fault_point(name: str) -> None:
    """Test-only fault injection: SIGKILL this process at point ``name``.

    The reliability suite (tests/reliability) sets ``TFHUB_TEST_KILL_AT`` to one
    of :data:`KILL_POINTS` in a subprocess, to die in windows too narrow to hit
    from outside (between the descriptor write and the rename...). When the
    variable is unset, as it always is outside those tests, this does nothing.
    """
    if os.environ.get(KILL_POINT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def write_atomically(path: Path, text: str) -> None:
    """Writes ``text`` to ``path`` through a temp file and ``os.replace``."""
    temp = path.with_name(f"{path.name}.{uuid.uuid4().hex}{leftovers.ATOMIC_TEMP_SUFFIX}")
    try:
        temp.write_text(text, encoding="utf-8")
        fault_point("descriptor-temp-written")
        os.replace(temp, path)
    finally:
        if temp.exists():
            temp.unlink()


@dataclasses.dataclass(frozen=True)
class Entry:
    """One handle's place in the cache."""

    root: Path
    key: str
    handle: Optional[str] = None

    @property
    def directory(self) -> Path:
        return self.root / self.key

    @property
    def descriptor_path(self) -> Path:
        return self.root / (self.key + DESCRIPTOR_SUFFIX)

    @property
    def lock_path(self) -> Path:
        return self.root / LOCKS_DIRNAME / (self.key + ".lock")

    def descriptor(self) -> Optional[Descriptor]:
        try:
            return Descriptor.parse(self.descriptor_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, UnicodeDecodeError):
            return Descriptor(None, None, None, {"<unreadable descriptor>": -1})

    def problem(self, sha256: Optional[str] = None) -> Optional[str]:
        """Why the entry is not a complete model directory, or None if it is.

        An entry written by tensorflow_hub (no manifest) counts as complete
        when its directory is non-empty, as tensorflow_hub itself decides.
        With ``sha256``, the entry must also come from an archive of that digest.
        """
        try:
            if not any(os.scandir(self.directory)):
                return "its directory is empty"
        except FileNotFoundError:
            return "it is not in the cache"
        except NotADirectoryError:
            return "it is not a directory"
        descriptor = self.descriptor()
        if sha256 is not None and (descriptor is None or descriptor.archive_sha256 != sha256):
            return "it was not verified against the pinned SHA-256"
        if descriptor is None or descriptor.manifest is None:
            return None
        return manifest_mismatch(self.directory, descriptor.manifest)

    def is_complete(self, sha256: Optional[str] = None) -> bool:
        return self.problem(sha256) is None

    def populate(self, fetch: Callable[[Path], Optional[str]], force: bool = False,
                 sha256: Optional[str] = None) -> Path:
        """Makes the entry complete, calling ``fetch(temp_dir)`` when needed.

        ``fetch`` fills the temp dir and returns the archive's SHA-256 (or None).
        With ``force``, fetches again even when the entry is complete; with
        ``sha256``, an entry not verified against that digest is fetched again.

        At most one process fetches at a time; the others wait for it and then
        use its result. A fetch that fails leaves nothing behind.

        Raises:
            CacheError: the cache directory cannot be created or written.
            DiskFullError: its disk filled up (or a file size limit was hit).
            Exception: whatever ``fetch`` raises.
        """
        if not force and self.is_complete(sha256):
            return self.directory
        ensure_writable_root(self.root)
        with self._locked():
            fault_point("locked")
            problem = "a new download was asked for" if force else self.problem(sha256)
            if problem is None:
                return self.directory
            leftovers.clean_entry_leftovers(self.root, self.key)
            if self.directory.exists():
                _log.warning(
                    "Cache entry %s for '%s' is incomplete (%s); downloading it again.",
                    self.directory, self.handle, problem,
                )
                remove_tree(self.directory)
            return self._fetch_into_place(fetch)

    def _fetch_into_place(self, fetch: Callable[[Path], Optional[str]]) -> Path:
        temp = self.root / f"{self.key}.{uuid.uuid4().hex}{TEMP_SUFFIX}"
        try:
            temp.mkdir()
            archive_sha256 = fetch(temp)
            fault_point("extracted")
            self._write_descriptor(build_manifest(temp), archive_sha256)
            fault_point("descriptor-written")
            self._rename_into_place(temp)
            fault_point("renamed")
            return self.directory
        except errors.DiskFullError as exc:
            raise self._disk_full(exc, exc.bytes_needed) from exc
        except OSError as exc:
            if isinstance(exc, errors.TfHubError) or exc.errno not in archive.DISK_FULL_ERRNOS:
                raise
            raise self._disk_full(exc, None) from exc
        finally:
            remove_tree(temp)

    def _write_descriptor(self, manifest: Manifest, archive_sha256: Optional[str]) -> None:
        descriptor = Descriptor(
            handle=self.handle,
            download_time=str(datetime.datetime.today()),
            host=f"{socket.gethostname()} (PID:{os.getpid()})",
            manifest=manifest,
            archive_sha256=archive_sha256,
        )
        write_atomically(self.descriptor_path, descriptor.render())

    def _rename_into_place(self, temp: Path) -> None:
        try:
            os.rename(temp, self.directory)
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY) or not self.is_complete():
                raise
            # Another library's process (tensorflow_hub) finished first.
            _log.warning("Module already exists in %s; using it.", self.directory)

    def _disk_full(self, exc: OSError, bytes_needed: Optional[int]) -> errors.DiskFullError:
        needed = f" At least {bytes_needed} more bytes were needed." if bytes_needed else ""
        return errors.DiskFullError(
            f"The cache directory {self.root} has no room for '{self.handle}' "
            f"({exc.strerror or exc}).{needed} Nothing was left in the cache. Free space "
            "there, or set TFHUB_CACHE_DIR to a directory on a disk with room.",
            bytes_needed=bytes_needed,
        )

    def _locked(self) -> filelock.BaseFileLock:
        self.lock_path.parent.mkdir(exist_ok=True)
        return _PatientLock(str(self.lock_path), handle=self.handle)


class _PatientLock(filelock.FileLock):
    """A file lock that logs while it waits for another process."""

    def __init__(self, path: str, handle: Optional[str]):
        super().__init__(path)
        self._handle = handle

    def acquire(self, *args, **kwargs):  # noqa: ANN002,ANN003 - filelock's signature
        if args or kwargs:
            return super().acquire(*args, **kwargs)
        while True:
            try:
                return super().acquire(timeout=_LOCK_WAIT_LOG_SECONDS)
            except filelock.Timeout:
                _log.info("Waiting for another process to finish downloading '%s'.", self._handle)


def remove_tree(path: Path) -> None:
    """Deletes a directory tree if it exists, ignoring what vanished meanwhile."""
    shutil.rmtree(path, ignore_errors=True)


def ensure_writable_root(root: Path) -> None:
    """Creates the cache directory and checks it can be written.

    Raises:
        CacheError: it cannot be created or written.
    """
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".write-probe-{uuid.uuid4().hex}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise errors.CacheError(
            f"The cache directory {root} cannot be written ({exc.strerror or exc}). "
            "Set TFHUB_CACHE_DIR to a directory you can write, or fix its permissions."
        ) from exc


class Cache:
    """A cache directory and the entries in it."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def entry(self, handle: str) -> Entry:
        return Entry(self.root, handles.cache_key(handle), handle)

    def entry_for_key(self, key: str) -> Entry:
        descriptor = Entry(self.root, key).descriptor()
        return Entry(self.root, key, descriptor.handle if descriptor else None)

    def entries(self) -> Iterator[Entry]:
        """Every model directory in the cache (complete or not)."""
        try:
            names = sorted(os.listdir(self.root))
        except FileNotFoundError:
            return
        for name in names:
            if _is_entry_name(name) and (self.root / name).is_dir():
                yield self.entry_for_key(name)

    def orphans(self) -> List[Tuple[Path, str]]:
        """Files and directories that belong to no complete entry, with why."""
        return leftovers.find_orphans(self.root)


def _is_entry_name(name: str) -> bool:
    return len(name) == 40 and all(c in "0123456789abcdef" for c in name)


def entry_size(entry: Entry) -> int:
    """Total bytes of an entry's files."""
    descriptor = entry.descriptor()
    if descriptor and descriptor.manifest:
        return sum(size for size in descriptor.manifest.values() if size > 0)
    return sum(build_manifest(entry.directory).values())
