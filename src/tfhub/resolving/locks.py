"""The per-entry lock, which only avoids duplicated downloads (correctness rests on renames).

Two kinds behind one :class:`EntryLock` (``TFHUB_CACHE_LOCKS``, see
:func:`tfhub.config.cache_locks`):

* ``flock``: filelock's kernel file lock, released by the kernel when its
  holder dies, however it dies;
* ``lockfile``: for shared file systems where ``flock`` does not work (some NFS
  and Lustre mounts), the lock file itself, created with ``O_CREAT|O_EXCL``
  and holding ``<host>.<pid>.<uid>`` (the form tensorflow_hub's lock files
  have). It is removed on release; one whose holder no longer runs on this
  host is stale and taken over. A holder on another host cannot be checked
  from here: its lock counts as held until it is removed.

``auto`` (the default) probes once per lock directory whether ``flock`` works.
Imported only when an entry is written, so a cache hit does not load filelock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
import uuid
from pathlib import Path
from typing import Dict, Optional

import filelock

from tfhub import config, errors, logs
from tfhub.resolving import holders

_log = logs.logger()
_LOCK_WAIT_LOG_SECONDS = 10.0
_POLL_SECONDS = 0.05
_UNNAMED_STALE_SECONDS = 10.0  # a lock file naming nobody for this long is nobody's
_PROBE_NAME = "flock-probe"
# What flock(2) says on a file system that does not support it.
_NO_FLOCK_ERRNOS = {errno.ENOLCK, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL}
_KIND_BY_DIRECTORY: Dict[str, str] = {}


def entry_lock(lock_path: "str | os.PathLike[str]", root: "str | os.PathLike[str]",
               handle: Optional[str]) -> "EntryLock":
    """The lock of one cache entry (not yet acquired).

    Raises:
        CacheError: the lock directory cannot be created (other than for permissions,
            which acquiring the lock reports).
        ConfigError: ``TFHUB_CACHE_LOCKS`` is not a lock kind.
    """
    lock_path, root = Path(lock_path), Path(root)  # the cache's paths are strings
    lock_dir = lock_path.parent
    try:
        lock_dir.mkdir(exist_ok=True)
        # A cache shared by several users (mode 1777, 0777...) shares its locks too.
        lock_dir.chmod(root.stat().st_mode & 0o7777)
    except PermissionError:
        pass  # someone else's .locks: opening the lock file says whether it can be used
    except OSError as exc:
        raise lock_error(lock_path, root, exc) from exc
    return EntryLock(lock_path, handle=handle, root=root, kind=lock_kind(lock_dir))


def lock_kind(lock_dir: Path) -> str:
    """``flock`` or ``lockfile`` for locks in ``lock_dir``, as set or (``auto``) as probed."""
    kind = config.cache_locks()
    if kind != "auto":
        return kind
    key = os.fspath(lock_dir)
    if key not in _KIND_BY_DIRECTORY:
        _KIND_BY_DIRECTORY[key] = "flock" if _flock_works(lock_dir / _PROBE_NAME) else "lockfile"
    return _KIND_BY_DIRECTORY[key]


def _flock_works(probe: Path) -> bool:
    try:
        import fcntl  # POSIX only
    except ImportError:
        return True  # Windows: filelock locks with msvcrt
    try:
        fd = os.open(probe, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        return True  # acquiring the real lock reports what is wrong
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError as exc:
        if exc.errno in _NO_FLOCK_ERRNOS:
            _log.info("File locks (flock) do not work in %s (%s); using lock files there.",
                      probe.parent, exc.strerror)
            return False
    finally:
        os.close(fd)
    return True


def is_free(lock_path: "str | os.PathLike[str]") -> bool:
    """True when nobody holds the entry lock at ``lock_path``, of either kind (a leftover scan's question)."""
    lock_path = Path(lock_path)
    holder = _holder(lock_path)
    if holder is None:
        return True  # no lock file: nobody holds either kind
    if holder:
        return holders.holder_dead(lock_path)  # a lock file naming its holder
    lock = EntryLock(lock_path, handle=None, root=lock_path.parent.parent, kind="flock")
    try:
        if not lock.try_acquire():
            return False
    except errors.CacheError:
        return False
    lock.release()
    return True


def lock_error(lock_path: Path, root: Path, exc: OSError) -> errors.CacheError:
    """Our error for a lock file that cannot be created or opened."""
    if exc.errno in errors.DISK_FULL_ERRNOS:
        return errors.DiskFullError.in_cache(root, exc)
    return errors.CacheError(
        f"The cache lock {lock_path} cannot be created or opened ({exc.strerror or exc}): the cache "
        f"directory {root} belongs to another user or is not writable for you. Set TFHUB_CACHE_DIR "
        f"to a directory you can write, or give your user write access to {lock_path.parent}."
    )


class EntryLock:
    """One entry's lock: waits (logging every 10 s) and says clearly why it cannot be taken."""

    def __init__(self, path: Path, handle: Optional[str], root: Path, kind: str = "flock"):
        self.path = Path(path)
        self.kind = kind
        self._handle = handle
        self._root = root
        # Other users of a shared cache can take the kernel lock too.
        self._kernel = filelock.FileLock(str(path), mode=0o666) if kind == "flock" else None
        self._token: Optional[str] = None

    def acquire(self) -> None:
        """Waits for the lock.

        Raises:
            CacheError: the lock file cannot be created or opened (permissions).
        """
        while not self._attempt(_LOCK_WAIT_LOG_SECONDS):
            _log.info("Waiting for another process to finish downloading '%s'.", self._handle)

    def try_acquire(self) -> bool:
        """Takes the lock if nobody holds it; False (without waiting) if somebody does.

        Raises:
            CacheError: the lock file cannot be created or opened.
        """
        return self._attempt(0)

    def release(self) -> None:
        if self._kernel is not None:
            self._kernel.release()
        elif self._token is not None:
            if _holder(self.path) == self._token:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
            self._token = None

    def __enter__(self) -> "EntryLock":
        self.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()

    def _attempt(self, timeout: float) -> bool:
        try:
            if self._kernel is not None:
                try:
                    self._kernel.acquire(timeout=timeout)
                except filelock.Timeout:
                    return False
                return True
            return self._create_lock_file(timeout)
        except OSError as exc:
            if isinstance(exc, errors.TfHubError):
                raise
            raise lock_error(self.path, self._root, exc) from exc

    def _create_lock_file(self, timeout: float) -> bool:
        """The ``lockfile`` kind: creates the file exclusively, taking over a stale one."""
        token = holders.new_token()
        deadline = time.monotonic() + timeout
        while True:
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                self._remove_if_stale()
            else:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(token)
                self._token = token
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)

    def _remove_if_stale(self) -> None:
        """Removes the lock file when its holder is gone, renaming it first so that only one waiter does."""
        seen = _holder(self.path)
        if seen is None:
            return
        if not seen:  # names nobody: being written, or left by a kernel lock (filelock keeps its file)
            with contextlib.suppress(OSError):
                if time.time() - self.path.stat().st_mtime < _UNNAMED_STALE_SECONDS:
                    return
        elif not holders.holder_dead(self.path):
            return
        claimed = self.path.with_name(f"{self.path.name}.{uuid.uuid4().hex}.stale")
        try:
            os.rename(self.path, claimed)
        except FileNotFoundError:
            return  # another waiter took it over first
        if _holder(claimed) != seen:  # a new holder's file, renamed in a race: give it back
            with contextlib.suppress(OSError):
                os.link(claimed, self.path)
        _log.info("Took over the lock %s of a process that is gone (%s).", self.path, seen)
        with contextlib.suppress(FileNotFoundError):
            claimed.unlink()


def _holder(path: Path) -> Optional[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
