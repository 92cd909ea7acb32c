"""What dead processes leave in a cache directory, and how to tell it is dead.

The names are :mod:`tfhub.resolving.layout`'s. Ours (temp dirs, asides, pending
descriptors, swap markers) are dead whenever nobody holds the entry's lock; the
cache puts an interrupted swap right (:meth:`tfhub.resolving.cache.Entry.tidy`)
before removing them. tensorflow_hub's (``<key>.<uid>.tmp`` directories and
``<key>.lock`` files holding ``<host>.<pid>.<uid>``) are dead when that process
no longer runs on this host.

Deletion is scan, then plan, then act: :func:`find_orphans` only lists;
``tfhub cache prune`` shows the plan and removes what it lists.
"""

from __future__ import annotations

import os

from tfhub.files import remove
from tfhub.resolving import layout
from tfhub.resolving.holders import holder_dead as hub_lock_holder_dead
from tfhub.resolving.layout import EntryPaths

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Tuple


def _hub_download_dead(root: str, key: str) -> bool:
    lock_file = EntryPaths(root, key).hub_lock_path
    return not os.path.exists(lock_file) or hub_lock_holder_dead(lock_file)


def clean_entry_leftovers(root: str, key: str) -> None:
    """Removes one entry's dead temp dirs and descriptor temp files.

    Call while holding the entry's lock (no process of ours is writing them).
    """
    paths = EntryPaths(root, key)
    hub_dead: Optional[bool] = None
    for child in paths.siblings():
        name = os.path.basename(child)
        if layout.is_own_leftover(name):
            remove(child)
        elif name.endswith(layout.HUB_TEMP_SUFFIX) and os.path.isdir(child):
            if hub_dead is None:
                hub_dead = _hub_download_dead(root, key)
            if hub_dead:
                remove(child)
    hub_lock = paths.hub_lock_path
    if os.path.exists(hub_lock) and hub_lock_holder_dead(hub_lock):
        remove(hub_lock)  # spares tensorflow_hub its 20-minute stale-lock wait


def swap_leftovers(root: str, key: str) -> Tuple[List[str], List[str]]:
    """(old entries moved aside, pending descriptors) of one entry's interrupted swaps."""
    asides, pending = [], []
    for child in EntryPaths(root, key).siblings():
        if child.endswith(layout.ASIDE_SUFFIX):
            asides.append(child)
        elif child.endswith(layout.PENDING_SUFFIX):
            pending.append(child)
    return sorted(asides), sorted(pending)


def has_leftovers(root: str, key: str) -> bool:
    """True when anything of ours besides the entry and its descriptor is there (one directory listing)."""
    return any(child.endswith(layout.OWN_LEFTOVER_SUFFIXES + (layout.ATOMIC_TEMP_SUFFIX, layout.SWAP_MARKER_SUFFIX))
               for child in EntryPaths(root, key).siblings())


def _lock_is_free(root: str, key: str) -> bool:
    from tfhub.resolving import locks  # filelock only when scanning for leftovers

    return locks.is_free(EntryPaths(root, key).lock_path)


def find_orphans(root: str) -> List[Tuple[str, str]]:
    """Leftovers of dead processes in the cache directory, each with a reason (nothing is removed)."""
    found: List[Tuple[str, str]] = []
    try:
        names = sorted(os.listdir(root))
    except FileNotFoundError:
        return found
    for name in names:
        child = os.path.join(root, name)
        key = layout.key_of(name)
        if name.endswith(layout.TEMP_SUFFIX):
            if _lock_is_free(root, key):
                found.append((child, "unfinished download of a process that is gone"))
        elif name.endswith(layout.SWAP_SUFFIXES):
            if _lock_is_free(root, key):
                found.append((child, "leftover of an entry replaced by a process that is gone"))
        elif name.endswith(layout.HUB_TEMP_SUFFIX) and os.path.isdir(child):
            if _hub_download_dead(root, key):
                found.append((child, "unfinished tensorflow_hub download of a process that is gone"))
        elif name.endswith(layout.HUB_LOCK_SUFFIX) and os.path.isfile(child):
            if hub_lock_holder_dead(child):
                found.append((child, "tensorflow_hub lock of a process that is gone"))
        elif name.endswith(layout.DESCRIPTOR_SUFFIX) and not os.path.isdir(os.path.join(root, key)):
            found.append((child, "descriptor of an entry that is not there"))
        elif layout.is_descriptor_temp(name) and _lock_is_free(root, key):
            found.append((child, "half-written descriptor"))
    return found
