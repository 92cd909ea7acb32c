"""Looking after a cache directory: list, remove, verify, prune."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path
from typing import List, Optional, Tuple

from tfhub import config, errors, files
from tfhub.resolving import handles, integrity, layout, leftovers
from tfhub.resolving.cache import Cache, Entry, entry_size


@dataclasses.dataclass
class EntryReport:
    """One cache entry as ``tfhub cache ls/verify`` show it."""

    key: str
    handle: Optional[str]
    path: str
    size_bytes: int
    download_time: Optional[str]
    problem: Optional[str]  # None when complete
    verified: bool  # False for entries without a manifest (written by tensorflow_hub)
    last_used: float = 0.0  # Unix time a file of the entry was last read or written


@dataclasses.dataclass
class PruneItem:
    """One thing ``tfhub cache prune`` removes: a path, why, and the bytes it frees."""

    path: Path
    reason: str
    size_bytes: int


def _cache(root: Optional[Path]) -> Cache:
    return Cache(root if root else config.cache_dir())


def report(entry: Entry, deep: bool = False) -> EntryReport:
    """The entry's state; ``deep`` checks every file's bytes, extra files and links too."""
    descriptor = entry.descriptor()
    last_used = last_use(entry.directory)  # before a deep check reads every file
    return EntryReport(
        key=entry.key,
        handle=entry.handle,
        path=str(entry.directory),
        size_bytes=entry_size(entry),
        download_time=descriptor.download_time if descriptor else None,
        problem=entry.deep_problem() if deep else entry.problem(),
        verified=bool(descriptor and descriptor.manifest is not None),
        last_used=last_used,
    )


def list_entries(root: Optional[Path] = None) -> List[EntryReport]:
    """Every entry of the cache, with its state."""
    return [report(entry) for entry in _cache(root).entries()]


def find_entry(handle_or_key: str, root: Optional[Path] = None) -> Entry:
    """The entry of a handle (or of a 40-hex-digit key).

    Raises:
        HandleNotFoundError: nothing in the cache matches.
    """
    cache = _cache(root)
    candidates = [cache.entry(handle_or_key)]
    if len(handle_or_key) == 40:
        candidates.append(cache.entry_for_key(handle_or_key.lower()))
    for entry in candidates:
        if os.path.lexists(entry.directory) or os.path.exists(entry.descriptor_path):
            return entry
    raise errors.HandleNotFoundError(
        f"'{handle_or_key}' is not in the cache at {cache.root}; `tfhub cache ls` lists what is."
    )


def matches(report: EntryReport, pattern: str) -> bool:
    """Whether ``tfhub cache ls PATTERN`` shows the entry: a substring of its handle or a key prefix."""
    return pattern in (report.handle or "") or report.key.startswith(pattern.lower())


def match_entries(pattern: str, root: Optional[Path] = None) -> Tuple[List[Entry], bool]:
    """The entries ``tfhub cache rm PATTERN`` removes, and whether the match was exact.

    An exact handle or 40-hex-digit key names one entry; otherwise every entry
    whose handle starts with ``pattern`` (``https://tfhub.dev/google/``), or
    whose key does, matches.

    Raises:
        HandleNotFoundError: nothing in the cache matches.
    """
    if not pattern:
        raise errors.HandleError("an empty handle or prefix would match every cached model; "
                                 "name one, or a prefix such as https://tfhub.dev/google/")
    try:
        return [find_entry(pattern, root)], True
    except (errors.HandleNotFoundError, errors.HandleError):
        cache = _cache(root)
    found = [entry for entry in cache.entries()
             if (entry.handle or "").startswith(pattern) or entry.key.startswith(pattern.lower())]
    if not found:
        raise errors.HandleNotFoundError(
            f"'{pattern}' is not in the cache at {cache.root} (no handle or key starts with it); "
            "`tfhub cache ls` lists what is.")
    return found, False


def remove(handle_or_key: str, root: Optional[Path] = None) -> Entry:
    """Deletes the entry of a handle or key (directory and descriptor) under its lock."""
    entry = find_entry(handle_or_key, root)
    remove_entry(entry)
    return entry


def remove_entry(entry: Entry) -> None:
    """Deletes an entry's directory and descriptor under its lock."""
    with entry._locked():  # the entry's own lock
        files.remove(entry.directory)
        try:
            os.unlink(entry.descriptor_path)
        except FileNotFoundError:
            pass


def verify(root: Optional[Path] = None, repair: bool = False) -> List[Tuple[EntryReport, str]]:
    """Checks every entry's files against its manifest: kinds, sizes, SHA-256, nothing added.

    Entries without a manifest (written by tensorflow_hub) are checked by
    their structure and for links leading outside them. With ``repair``, a
    broken entry is fetched again through the door, pinned to ``TFHUB_PIN_FILE``
    or else to the archive digest it was verified with, and swapped in only
    once complete; an entry whose handle is unknown is removed.

    Returns:
        (report, action) for each broken entry; action is "kept", "repaired" or
        "removed" (or "repair failed: ...").
    """
    from tfhub.resolving import resolvers  # the door pulls in more than a scan needs

    broken = []
    cache = _cache(root)
    for entry in cache.entries():
        entry_report = report(entry, deep=True)
        if entry_report.problem is None:
            continue
        action = "kept"
        if repair and entry.handle and handles.kind_of(entry.handle) is not handles.HandleKind.LOCAL:
            try:
                pin = integrity.pin_from_file(entry.handle) or entry.trusted_sha256()
                resolvers.resolve_request(resolvers.Request(
                    entry.handle, sha256=pin, force=True, cache_dir=cache.root))
                action = "repaired"
            except errors.TfHubError as exc:
                action = f"repair failed: {exc}"
        elif repair:
            files.remove(entry.directory)
            action = "removed"
        broken.append((entry_report, action))
    return broken


def prune(root: Optional[Path] = None, older_than_days: Optional[float] = None,
          dry_run: bool = False) -> List[PruneItem]:
    """Removes leftovers of dead processes and, optionally, entries not used lately.

    Same as :func:`prune_plan` then (unless ``dry_run``) :func:`remove_items`.
    """
    items = prune_plan(root, older_than_days, tidy=not dry_run)
    if not dry_run:
        remove_items(items)
    return items


def prune_plan(root: Optional[Path] = None, older_than_days: Optional[float] = None,
               tidy: bool = True) -> List[PruneItem]:
    """What ``tfhub cache prune`` removes, with the bytes each frees; nothing is removed.

    Args:
        root: the cache directory (default: the configured one).
        older_than_days: also entries whose files were last read or written
            more than this many days ago.
        tidy: first put interrupted swaps right (they are finished, not
            thrown away), so that only true leftovers are listed.
    """
    cache = _cache(root)
    if tidy:
        for key in _keys_with_swap_leftovers(cache.root):
            cache.entry_for_key(key).tidy()
    found = leftovers.find_orphans(cache.root)
    if older_than_days is not None:
        limit = time.time() - older_than_days * 86400
        for entry in cache.entries():
            if last_use(entry.directory) < limit:
                found.append((entry.directory, f"not used for {older_than_days:g} days"))
                found.append((entry.descriptor_path, "descriptor of a pruned entry"))
    return [PruneItem(Path(path), reason, _path_size(path)) for path, reason in found]


def remove_items(items: List[PruneItem]) -> None:
    """Removes what :func:`prune_plan` listed (what is already gone is skipped)."""
    for item in items:
        files.remove(item.path)


def _path_size(path: str) -> int:
    """Bytes of a file, or of every file under a directory (links not followed)."""
    if not os.path.isdir(path) or os.path.islink(path):
        return os.lstat(path).st_size if os.path.lexists(path) else 0
    return files.tree_size(path)


def _keys_with_swap_leftovers(root: str) -> List[str]:
    try:
        names = os.listdir(root)
    except OSError:
        return []
    return sorted({layout.key_of(name) for name in names
                   if name.endswith(layout.SWAP_SUFFIXES)})


def last_use(directory: str) -> float:
    """Unix time a file under ``directory`` was last read or written (its own mtime if empty)."""
    latest = 0.0
    for _, full in files.walk(directory, dir_links=False):
        stat = os.lstat(full)
        latest = max(latest, stat.st_atime, stat.st_mtime)
    if latest:
        return latest
    return os.lstat(directory).st_mtime if os.path.lexists(directory) else 0.0
