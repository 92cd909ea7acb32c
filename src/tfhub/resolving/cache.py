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
import functools
import errno
import json
import logging
import os
import shutil
import signal
import socket
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Iterator, List, Optional, Tuple

from tfhub import errors
from tfhub.resolving import handles, leftovers

if TYPE_CHECKING:
    import filelock

_log = logging.getLogger("tfhub")

DESCRIPTOR_SUFFIX = leftovers.DESCRIPTOR_SUFFIX
TEMP_SUFFIX = leftovers.TFHUB_TEMP_SUFFIX
LOCKS_DIRNAME = leftovers.LOCKS_DIRNAME
_MANIFEST_PREFIX = "Manifest: "
_SHA256_FIELD = "Archive-SHA256"

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
    base = os.fspath(directory)  # plain strings: this runs on every warm resolve
    for relative, size in manifest.items():
        try:
            actual = os.stat(os.path.join(base, relative)).st_size
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


# descriptor path -> ((inode, size, mtime_ns), parsed descriptor). A descriptor is
# only ever replaced by a rename, which gives it a new inode.
_DESCRIPTORS: Dict[str, Tuple[Tuple[int, int, int], "Descriptor"]] = {}


def read_descriptor(path: str) -> Optional[Descriptor]:
    """Parses a descriptor file, reusing the last parse while the file is unchanged."""
    try:
        stat = os.stat(path)
        identity = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        known = _DESCRIPTORS.get(path)
        if known is not None and known[0] == identity:
            return known[1]
        with open(path, encoding="utf-8") as f:
            descriptor = Descriptor.parse(f.read())
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError):
        return Descriptor(None, None, None, {"<unreadable descriptor>": -1})
    _DESCRIPTORS[path] = (identity, descriptor)
    return descriptor


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

    # Built once per entry: they are read on every warm resolve.
    @functools.cached_property
    def directory(self) -> Path:
        return self.root / self.key

    @functools.cached_property
    def descriptor_path(self) -> Path:
        return self.root / (self.key + DESCRIPTOR_SUFFIX)

    @property
    def lock_path(self) -> Path:
        return self.root / LOCKS_DIRNAME / (self.key + ".lock")

    def descriptor(self) -> Optional[Descriptor]:
        """The parsed descriptor file, or None when there is none."""
        return read_descriptor(os.fspath(self.descriptor_path))

    def problem(self, sha256: Optional[str] = None) -> Optional[str]:
        """Why the entry is not a complete model directory, or None if it is.

        An entry written by tensorflow_hub (no manifest) counts as complete
        when its directory is non-empty, as tensorflow_hub itself decides.
        With ``sha256``, the entry must also come from an archive of that digest.
        """
        descriptor = self.descriptor()
        if descriptor is not None and descriptor.manifest:
            # Every file there with its size proves the directory complete.
            mismatch = manifest_mismatch(self.directory, descriptor.manifest)
            if mismatch is not None:
                return mismatch if self.directory.is_dir() else "it is not in the cache"
        else:
            try:
                if not any(os.scandir(self.directory)):
                    return "its directory is empty"
            except FileNotFoundError:
                return "it is not in the cache"
            except NotADirectoryError:
                return "it is not a directory"
        if sha256 is not None and (descriptor is None or descriptor.archive_sha256 != sha256):
            return "it was not verified against the pinned SHA-256"
        return None

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
            CacheError: a file of the entry belongs to another user.
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
            raise disk_full_error(self.root, exc, self.handle, exc.bytes_needed) from exc
        except OSError as exc:
            if isinstance(exc, errors.TfHubError):
                raise
            if exc.errno in errors.DISK_FULL_ERRNOS:
                raise disk_full_error(self.root, exc, self.handle) from exc
            if isinstance(exc, PermissionError):
                raise self._not_writable(exc) from exc
            raise
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

    def _not_writable(self, exc: OSError) -> errors.CacheError:
        return errors.CacheError(
            f"'{self.handle}' cannot be written into the cache directory {self.root}: "
            f"{exc.filename or ''} belongs to another user ({exc.strerror or exc}). Nothing was left "
            "in the cache. Set TFHUB_CACHE_DIR to a directory of your own, or ask the owner "
            f"to remove {self.key}* from the shared cache."
        )

    def _locked(self) -> "filelock.BaseFileLock":
        """The entry's lock, not yet acquired (see :mod:`tfhub.resolving.locks`)."""
        from tfhub.resolving import locks  # noqa: PLC0415 - filelock only when writing

        return locks.entry_lock(self.lock_path, self.root, self.handle)


def disk_full_error(root: Path, exc: OSError, handle: Optional[str] = None,
                    bytes_needed: Optional[int] = None) -> errors.DiskFullError:
    """Our error for a write into the cache that met a full disk (or quota, or size limit)."""
    what = f" for '{handle}'" if handle else ""
    needed = f" At least {bytes_needed} more bytes were needed." if bytes_needed else ""
    return errors.DiskFullError(
        f"The cache directory {root} has no room{what} ({exc.strerror or exc}).{needed} Nothing was "
        "left in the cache. Free space there, or set TFHUB_CACHE_DIR to a directory on a disk with room.",
        bytes_needed=bytes_needed,
    )


def remove_tree(path: Path) -> None:
    """Deletes a directory tree if it exists, ignoring what vanished meanwhile."""
    shutil.rmtree(path, ignore_errors=True)


def ensure_writable_root(root: Path) -> None:
    """Creates the cache directory and checks it can be written.

    Raises:
        DiskFullError: its disk is full.
        CacheError: it cannot be created or written.
    """
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".write-probe-{uuid.uuid4().hex}"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        if exc.errno in errors.DISK_FULL_ERRNOS:
            raise disk_full_error(root, exc) from exc
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
