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

import os

from tfhub import files

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator, Tuple

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


class EntryPaths:
    """Every path of one cache entry, built here and nowhere else.

    A plain class (equal by its fields), not a dataclass: ``dataclasses`` imports
    ``inspect``, which would cost a warm resolve more than all its own work.
    Paths are strings (``os.path``), not ``pathlib.Path``, for the same reason.
    The three paths a warm resolve reads are built once, here.
    """

    __slots__ = ("root", "key", "directory", "descriptor_path", "swap_marker_path")

    def __init__(self, root: str, key: str) -> None:
        self.root = root
        self.key = key
        self.directory = os.path.join(root, key)
        self.descriptor_path = self.directory + DESCRIPTOR_SUFFIX
        self.swap_marker_path = self.directory + SWAP_MARKER_SUFFIX

    def _fields(self) -> Tuple[object, ...]:
        return (self.root, self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EntryPaths) and type(other) is type(self) and other._fields() == self._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self._fields()!r}"

    @property
    def lock_path(self) -> str:
        return os.path.join(self.root, LOCKS_DIRNAME, self.key + LOCK_SUFFIX)

    @property
    def hub_lock_path(self) -> str:
        """tensorflow_hub's lock file of this entry."""
        return self.directory + HUB_LOCK_SUFFIX

    def temp_path(self, uid: str) -> str:
        return f"{self.directory}.{uid}{TEMP_SUFFIX}"

    def aside_path(self, uid: str) -> str:
        return f"{self.directory}.{uid}{ASIDE_SUFFIX}"

    def pending_path(self, uid: str) -> str:
        return f"{self.descriptor_path}.{uid}{PENDING_SUFFIX}"

    def siblings(self) -> Iterator[str]:
        """The path of everything named ``<key>.*`` beside the entry, sorted (one directory listing)."""
        prefix = self.key + "."
        try:
            names = os.listdir(self.root)
        except OSError:  # no cache directory (yet), or one we may not list: nothing to see
            return iter(())
        return iter([os.path.join(self.root, name) for name in sorted(names) if name.startswith(prefix)])
