"""What an entry holds, and the checks that it still holds it.

A manifest lists every regular file of an entry with its size and SHA-256,
and every symbolic link with its target. Two checks use it:

* :func:`quick_problem`, on every warm resolve: one ``lstat`` per file (kind and
  size) and one ``readlink`` per link. Cheap, so it cannot see a changed byte.
* :func:`deep_problem`, for ``tfhub cache verify``: every file's SHA-256, and a
  walk of the tree for files and links the manifest does not list.

Entries another library wrote (tensorflow_hub) have no manifest; for those,
:func:`structural_problem` checks what the file names alone promise (every
shard of a TensorFlow checkpoint, the graph beside its variables).
"""

from __future__ import annotations

import os
import re
import stat
from types import MappingProxyType

from tfhub import files
from tfhub.files import file_sha256
from tfhub.records import Record

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Iterator, Mapping, Optional, Tuple

_SHARD = re.compile(r"^(?P<prefix>.+)\.data-(?P<index>\d{5})-of-(?P<count>\d{5})$")


class Manifest(Record):
    """Every file (size, SHA-256) and link (target) of an entry, by POSIX relative path.

    ``digests`` is None for manifests written by tfhub before it recorded them
    (sizes only, and links counted as the files they point to).
    """

    sizes: Mapping[str, int]
    digests: Optional[Mapping[str, str]] = None
    links: Mapping[str, str] = MappingProxyType({})


def _walk(directory: str) -> Iterator[Tuple[str, str, os.stat_result]]:
    """(relative POSIX path, full path, lstat) of everything below ``directory`` but directories."""
    for relative, full in files.walk(directory):
        yield relative, full, os.lstat(full)


def build(directory: "os.PathLike[str] | str", digests: Optional[Mapping[str, str]] = None) -> Manifest:
    """The manifest of ``directory``; ``digests`` are reused where known (computed while extracting).

    Raises:
        OSError: a file cannot be read.
    """
    base = os.fspath(directory)
    sizes: Dict[str, int] = {}
    hashes: Dict[str, str] = {}
    links: Dict[str, str] = {}
    known = digests or {}
    for relative, full, info in _walk(base):
        if stat.S_ISLNK(info.st_mode):
            links[relative] = os.readlink(full)
        elif stat.S_ISREG(info.st_mode):
            sizes[relative] = info.st_size
            hashes[relative] = known.get(relative) or file_sha256(full)
    return Manifest(sizes, hashes, links)


def quick_problem(directory: "os.PathLike[str] | str", manifest: Manifest) -> Optional[str]:
    """Why ``directory`` no longer matches ``manifest`` by kinds and sizes, or None."""
    base = os.fspath(directory)  # plain strings: this runs on every warm resolve
    # One join for all files; a manifest path (POSIX, relative) is appended, so even a
    # tampered one beginning with "/" names a path inside the entry.
    prefix = os.path.join(base, "")
    follow = manifest.digests is None  # old manifests counted links as their files
    for relative, size in manifest.sizes.items():
        path = prefix + relative
        try:
            info = os.stat(path) if follow else os.lstat(path)
        except FileNotFoundError:
            return f"'{relative}' is missing"
        except OSError as exc:
            return f"'{relative}' cannot be read ({exc.strerror})"
        if not stat.S_ISREG(info.st_mode):
            return f"'{relative}' is no longer a regular file"
        if info.st_size != size:
            return f"'{relative}' has {info.st_size} bytes, expected {size}"
    for relative, target in manifest.links.items():
        try:
            if os.readlink(os.path.join(base, relative)) != target:
                return f"the link '{relative}' was changed"
        except OSError:
            return f"the link '{relative}' is missing"
    return None


def deep_problem(directory: "os.PathLike[str] | str", manifest: Manifest) -> Optional[str]:
    """Why ``directory``'s contents differ from ``manifest``: bytes, extra files, links; or None."""
    problem = quick_problem(directory, manifest)
    if problem is not None:
        return problem
    base = os.fspath(directory)
    for relative, _, info in _walk(base):
        if stat.S_ISLNK(info.st_mode):
            if relative not in manifest.links and not (relative in manifest.sizes and manifest.digests is None):
                return f"'{relative}' is a link the download did not hold"
        elif relative not in manifest.sizes:
            return f"'{relative}' was added after the download"
    for relative, expected in (manifest.digests or {}).items():
        try:
            actual = file_sha256(os.path.join(base, relative))
        except OSError as exc:
            return f"'{relative}' cannot be read ({exc.strerror})"
        if actual != expected:
            return f"'{relative}' has changed since the download (SHA-256 mismatch)"
    return None


def structural_problem(directory: "os.PathLike[str] | str") -> Optional[str]:
    """For an entry without a manifest: what its file names show to be missing, or None.

    Only naming conventions, no parsing: every shard ``<p>.data-<i>-of-<n>`` of a
    checkpoint and its ``<p>.index``; the SavedModel graph beside a ``variables/``
    directory; at least one data shard beside ``variables/variables.index``.
    """
    base = os.fspath(directory)
    try:
        names = {relative for relative, _, info in _walk(base) if not stat.S_ISDIR(info.st_mode)}
    except OSError as exc:
        return f"it cannot be read ({exc.strerror})"
    if not names:
        return "its directory is empty"
    for name in sorted(names):
        match = _SHARD.match(name)
        if match is None:
            continue
        prefix, count = match["prefix"], int(match["count"])
        if f"{prefix}.index" not in names:
            return f"'{prefix}.index' is missing"
        for index in range(count):
            shard = f"{prefix}.data-{index:05d}-of-{count:05d}"
            if shard not in names:
                return f"'{shard}' is missing"
    if "variables/variables.index" in names and not any(n.startswith("variables/variables.data-") for n in names):
        return "the variables' data shards are missing"
    if os.path.isdir(os.path.join(base, "variables")) and not names & {"saved_model.pb", "saved_model.pbtxt"}:
        return "'saved_model.pb' is missing"
    return None


def links_outside(directory: "os.PathLike[str] | str") -> Optional[str]:
    """The first link under ``directory`` that leads outside it, or None."""
    base = os.path.realpath(os.fspath(directory))
    for relative, full, info in _walk(os.fspath(directory)):
        if stat.S_ISLNK(info.st_mode):
            real = os.path.realpath(full)
            if real != base and not real.startswith(base + os.sep):
                return f"'{relative}' is a link to outside the entry"
    return None


def total_size(directory: "os.PathLike[str] | str") -> int:
    """Bytes of the regular files below ``directory``."""
    try:
        return sum(info.st_size for _, _, info in _walk(os.fspath(directory)) if stat.S_ISREG(info.st_mode))
    except OSError:
        return 0
