"""The per-entry lock: an OS file lock the kernel releases when its holder dies.

Imported only when an entry is written, so a cache hit does not load filelock.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import filelock

from tfhub import errors
from tfhub.resolving.cache import disk_full_error

_log = logging.getLogger("tfhub")
_LOCK_WAIT_LOG_SECONDS = 10.0


def entry_lock(lock_path: Path, root: Path, handle: Optional[str]) -> filelock.BaseFileLock:
    """The lock of one cache entry (not yet acquired).

    Raises:
        CacheError: the lock directory cannot be created (other than for permissions,
            which acquiring the lock reports).
    """
    lock_dir = lock_path.parent
    try:
        lock_dir.mkdir(exist_ok=True)
        # A cache shared by several users (mode 1777, 0777...) shares its locks too.
        lock_dir.chmod(root.stat().st_mode & 0o7777)
    except PermissionError:
        pass  # someone else's .locks: opening the lock file says whether it can be used
    except OSError as exc:
        raise lock_error(lock_path, root, exc) from exc
    return EntryLock(str(lock_path), handle=handle, root=root)


def try_acquire(lock: filelock.BaseFileLock) -> bool:
    """Takes ``lock`` if nobody holds it; False (without waiting) if somebody does.

    Raises:
        CacheError: the lock file cannot be created or opened.
    """
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        return False
    return True


def lock_error(lock_path: Path, root: Path, exc: OSError) -> errors.CacheError:
    """Our error for a lock file that cannot be created or opened."""
    if exc.errno in errors.DISK_FULL_ERRNOS:
        return disk_full_error(root, exc)
    return errors.CacheError(
        f"The cache lock {lock_path} cannot be created or opened ({exc.strerror or exc}): the cache "
        f"directory {root} belongs to another user or is not writable for you. Set TFHUB_CACHE_DIR "
        f"to a directory you can write, or give your user write access to {lock_path.parent}."
    )


class EntryLock(filelock.FileLock):
    """A file lock that logs while it waits for another process."""

    def __init__(self, path: str, handle: Optional[str], root: Path):
        super().__init__(path, mode=0o666)  # other users of a shared cache can take it too
        self._handle = handle
        self._root = root

    def acquire(self, *args, **kwargs):  # filelock's signature
        """Waits for the lock (logging every 10 s).

        Raises:
            CacheError: the lock file cannot be created or opened (permissions).
        """
        try:
            if args or kwargs:
                return super().acquire(*args, **kwargs)
            while True:
                try:
                    return super().acquire(timeout=_LOCK_WAIT_LOG_SECONDS)
                except filelock.Timeout:
                    _log.info("Waiting for another process to finish downloading '%s'.", self._handle)
        except OSError as exc:
            if isinstance(exc, errors.TfHubError):
                raise
            raise lock_error(Path(self.lock_file), self._root, exc) from exc
