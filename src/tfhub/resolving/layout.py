"""The names in a cache directory: the one place that builds and recognises them.

Layout under the cache directory (compatible with tensorflow_hub):

* ``<key>/`` — a complete model directory (``key = sha1(handle)``, 40 hex digits);
* ``<key>.descriptor.txt`` — the handle, time, host, archive digest and a
  manifest of every file (format: :mod:`tfhub.resolving.descriptors`);
* ``<key>.<uid>.tfhub-tmp/`` — a download in progress (ours);
* ``<key>.tfhub-swap``, ``<key>.<uid>.tfhub-aside/`` and
  ``<key>.descriptor.txt.<uid>.pending`` — a swap under way, the old entry and
  the new descriptor, while a new entry replaces an old one;
* ``<key>.descriptor.txt.<uid>.tmp`` — a descriptor being written;
* ``.locks/<key>.lock`` — the per-entry lock (:mod:`tfhub.resolving.locks`).

tensorflow_hub's own: ``<key>.<uid>.tmp/`` (its download) and ``<key>.lock``
(its lock file, holding ``<host>.<pid>.<uid>``).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Iterator

from tfhub import files

DESCRIPTOR_SUFFIX = ".descriptor.txt"
TEMP_SUFFIX = ".tfhub-tmp"
ASIDE_SUFFIX = ".tfhub-aside"
PENDING_SUFFIX = ".pending"
SWAP_MARKER_SUFFIX = ".tfhub-swap"
ATOMIC_TEMP_SUFFIX = files.TEMP_SUFFIX  # files.atomic_file's <file>.<uid>.tmp
LOCKS_DIRNAME = ".locks"
LOCK_SUFFIX = ".lock"
HUB_TEMP_SUFFIX = ".tmp"
HUB_LOCK_SUFFIX = ".lock"
# Ours, and dead whenever nobody holds the entry's lock.
OWN_LEFTOVER_SUFFIXES = (TEMP_SUFFIX, ASIDE_SUFFIX, PENDING_SUFFIX)
SWAP_SUFFIXES = (ASIDE_SUFFIX, PENDING_SUFFIX, SWAP_MARKER_SUFFIX)

_HEX = frozenset("0123456789abcdef")


def is_entry_name(name: str) -> bool:
    """True for ``<key>``: 40 lowercase hex digits."""
    return len(name) == 40 and set(name) <= _HEX


def key_of(name: str) -> str:
    """The entry key a name in the cache directory belongs to (its part before the first dot)."""
    return name.split(".", 1)[0]


def is_descriptor_temp(name: str) -> bool:
    """Our half-written descriptor: ``<key>.descriptor.txt.<uid>.tmp``."""
    return DESCRIPTOR_SUFFIX + "." in name and name.endswith(ATOMIC_TEMP_SUFFIX)


def is_own_leftover(name: str) -> bool:
    """A temp dir, aside, pending or half-written descriptor of ours (dead when the lock is free)."""
    return name.endswith(OWN_LEFTOVER_SUFFIXES) or is_descriptor_temp(name)


@dataclasses.dataclass(frozen=True)
class EntryPaths:
    """Every path of one cache entry, built here and nowhere else."""

    root: Path
    key: str

    # Built once per entry: they are read on every warm resolve.
    @functools.cached_property
    def directory(self) -> Path:
        return self.root / self.key

    @functools.cached_property
    def descriptor_path(self) -> Path:
        return self.root / (self.key + DESCRIPTOR_SUFFIX)

    @functools.cached_property
    def swap_marker_path(self) -> Path:
        return self.root / (self.key + SWAP_MARKER_SUFFIX)

    @property
    def lock_path(self) -> Path:
        return self.root / LOCKS_DIRNAME / (self.key + LOCK_SUFFIX)

    @property
    def hub_lock_path(self) -> Path:
        """tensorflow_hub's lock file of this entry."""
        return self.root / (self.key + HUB_LOCK_SUFFIX)

    def temp_path(self, uid: str) -> Path:
        return self.root / f"{self.key}.{uid}{TEMP_SUFFIX}"

    def aside_path(self, uid: str) -> Path:
        return self.root / f"{self.key}.{uid}{ASIDE_SUFFIX}"

    def pending_path(self, uid: str) -> Path:
        return self.root / f"{self.key}{DESCRIPTOR_SUFFIX}.{uid}{PENDING_SUFFIX}"

    def siblings(self) -> Iterator[Path]:
        """Everything named ``<key>.*`` beside the entry (one directory listing)."""
        return self.root.glob(self.key + ".*")
