"""What dead processes leave in a cache directory, and how to tell it is dead.

Ours: ``<key>.<uid>.tfhub-tmp`` directories (a download), ``<key>.<uid>.tfhub-aside``
(an old entry being replaced), ``<key>.descriptor.txt.<uid>.pending`` (its
successor's descriptor) and ``<key>.tfhub-swap`` (a swap under way), dead
whenever nobody holds the entry's lock; the cache puts an interrupted swap
right (:meth:`tfhub.resolving.cache.Entry.tidy`) before removing them. tensorflow_hub's: ``<key>.<uid>.tmp`` directories and
``<key>.lock`` files holding ``<host>.<pid>.<uid>``; dead when that process no
longer runs on this host.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from typing import List, Optional, Tuple

TFHUB_TEMP_SUFFIX = ".tfhub-tmp"
HUB_TEMP_SUFFIX = ".tmp"
HUB_LOCK_SUFFIX = ".lock"
DESCRIPTOR_SUFFIX = ".descriptor.txt"
ATOMIC_TEMP_SUFFIX = ".tmp"  # write_atomically's <file>.<uid>.tmp
LOCKS_DIRNAME = ".locks"
ASIDE_SUFFIX = ".tfhub-aside"
PENDING_SUFFIX = ".pending"
SWAP_MARKER_SUFFIX = ".tfhub-swap"


def process_alive(pid: int) -> bool:
    """True when a process with this pid runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def hub_lock_holder_dead(lock_file: Path) -> bool:
    """True when a tensorflow_hub lock file's holder is known to be gone.

    A holder on another host cannot be checked from here and counts as alive.
    """
    try:
        contents = lock_file.read_text(encoding="utf-8", errors="replace").strip()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    parts = contents.rsplit(".", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host, pid = parts[0], int(parts[1])
    return host == socket.gethostname() and not process_alive(pid)


def _hub_download_dead(root: Path, key: str) -> bool:
    lock_file = root / (key + HUB_LOCK_SUFFIX)
    return not lock_file.exists() or hub_lock_holder_dead(lock_file)


def remove(path: Path) -> None:
    """Deletes a file, link or directory tree if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def clean_entry_leftovers(root: Path, key: str) -> None:
    """Removes one entry's dead temp dirs and descriptor temp files.

    Call while holding the entry's lock (no process of ours is writing them).
    """
    hub_dead: Optional[bool] = None
    for child in root.glob(key + ".*"):
        name = child.name
        if name.endswith((TFHUB_TEMP_SUFFIX, ASIDE_SUFFIX, PENDING_SUFFIX)) or _is_descriptor_temp(name):
            remove(child)
        elif name.endswith(HUB_TEMP_SUFFIX) and child.is_dir():
            if hub_dead is None:
                hub_dead = _hub_download_dead(root, key)
            if hub_dead:
                remove(child)
    hub_lock = root / (key + HUB_LOCK_SUFFIX)
    if hub_lock.exists() and hub_lock_holder_dead(hub_lock):
        remove(hub_lock)  # spares tensorflow_hub its 20-minute stale-lock wait


def swap_leftovers(root: Path, key: str) -> Tuple[List[Path], List[Path]]:
    """(old entries moved aside, pending descriptors) of one entry's interrupted swaps."""
    asides, pending = [], []
    for child in root.glob(key + ".*"):
        if child.name.endswith(ASIDE_SUFFIX):
            asides.append(child)
        elif child.name.endswith(PENDING_SUFFIX):
            pending.append(child)
    return sorted(asides), sorted(pending)


def has_leftovers(root: Path, key: str) -> bool:
    """True when anything of ours besides the entry and its descriptor is there (one directory listing)."""
    return any(child.name.endswith((TFHUB_TEMP_SUFFIX, ASIDE_SUFFIX, PENDING_SUFFIX, ATOMIC_TEMP_SUFFIX,
                                    SWAP_MARKER_SUFFIX))
               for child in root.glob(key + ".*"))


def _is_descriptor_temp(name: str) -> bool:
    """Our half-written descriptor: ``<key>.descriptor.txt.<uid>.tmp``."""
    return DESCRIPTOR_SUFFIX + "." in name and name.endswith(ATOMIC_TEMP_SUFFIX)


def lock_is_free(lock_path: Path) -> bool:
    """True when no process holds the (kernel) lock on ``lock_path``."""
    import filelock  # only when scanning for leftovers

    lock = filelock.FileLock(str(lock_path))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        return False
    lock.release()
    return True


def find_orphans(root: Path) -> List[Tuple[Path, str]]:
    """Leftovers of dead processes in the cache directory, each with a reason."""
    found: List[Tuple[Path, str]] = []
    try:
        children = sorted(root.iterdir())
    except FileNotFoundError:
        return found
    for child in children:
        name = child.name
        key = name.split(".", 1)[0]
        if name.endswith(TFHUB_TEMP_SUFFIX):
            if lock_is_free(root / LOCKS_DIRNAME / (key + ".lock")):
                found.append((child, "unfinished download of a process that is gone"))
        elif name.endswith((ASIDE_SUFFIX, PENDING_SUFFIX, SWAP_MARKER_SUFFIX)):
            if lock_is_free(root / LOCKS_DIRNAME / (key + ".lock")):
                found.append((child, "leftover of an entry replaced by a process that is gone"))
        elif name.endswith(HUB_TEMP_SUFFIX) and child.is_dir():
            if _hub_download_dead(root, key):
                found.append((child, "unfinished tensorflow_hub download of a process that is gone"))
        elif name.endswith(HUB_LOCK_SUFFIX) and child.is_file():
            if hub_lock_holder_dead(child):
                found.append((child, "tensorflow_hub lock of a process that is gone"))
        elif name.endswith(DESCRIPTOR_SUFFIX) and not (root / key).is_dir():
            found.append((child, "descriptor of an entry that is not there"))
        elif _is_descriptor_temp(name) and lock_is_free(root / LOCKS_DIRNAME / (key + ".lock")):
            found.append((child, "half-written descriptor"))
    return found


def remove_orphans(root: Path) -> List[Tuple[Path, str]]:
    """Deletes :func:`find_orphans`'s findings and returns them."""
    found = find_orphans(root)
    for path, _ in found:
        remove(path)
    return found
