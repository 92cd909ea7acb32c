"""Cache bundles: carry cached models to a machine without network.

A bundle is a tar file holding, for each exported entry, its files under
``entries/<key>/`` and, last, ``tfhub-bundle.json``: the handle, the descriptor
fields and every file with its size and SHA-256. Importing checks the whole
bundle first (names, member types, manifest against members, keys against
handles), then installs each entry atomically through the cache's own
temp-dir-and-rename (through the one door, :mod:`tfhub.resolving.resolvers`),
checking every file's SHA-256 on the way. Imported entries resolve under their
original handles, also with ``TFHUB_OFFLINE=1``.

A bundle cannot prove which archive its files came from: the archive digest it
records is kept as a claim (``Claimed-Archive-SHA256``), never as the digest
pins trust. A pinned resolve of an imported entry therefore downloads the
archive to check it (and, offline, refuses).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import tarfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from tfhub import config, errors, files
from tfhub.resolving import handles
from tfhub.resolving.archive import owner_free_info
from tfhub.resolving.cache import Cache, Entry, Fetched
from tfhub.resolving.descriptors import Descriptor
from tfhub.resolving.maintenance import find_entry

MANIFEST_NAME = "tfhub-bundle.json"
BUNDLE_FORMAT = "tfhub-cache-bundle"
BUNDLE_VERSION = 1
_ENTRY_MEMBER = re.compile(r"^entries/([0-9a-f]{40})/(.+)$")


@dataclasses.dataclass(frozen=True)
class BundleItem:
    """One entry of a bundle, and what happened to it."""

    handle: str
    key: str
    files: int
    size_bytes: int
    action: str  # "exported", "imported", "already cached"


# --- export --------------------------------------------------------------------------


def _exportable(handle_or_key: str, root: Path) -> Entry:
    """The complete entry of a handle, with its handle known.

    Raises:
        HandleNotFoundError: not in the cache.
        BundleError: the entry is broken or its handle unknown.
    """
    entry = find_entry(handle_or_key, root)
    problem = entry.problem()
    if problem is not None:
        raise errors.BundleError(
            f"'{handle_or_key}' cannot be exported: {problem}. Repair it first "
            "(`tfhub cache verify --repair`) or leave it out."
        )
    handle = entry.handle or (None if entry.key == handle_or_key.lower() else handle_or_key)
    if not handle or handles.cache_key(handle) != entry.key:
        raise errors.BundleError(
            f"'{handle_or_key}' cannot be exported: the cache does not record its handle "
            "(no descriptor); export it by its handle, not its key."
        )
    return Entry(entry.root, entry.key, handle)


def _add_entry(tar: tarfile.TarFile, entry: Entry) -> Dict[str, Any]:
    """Adds an entry's files; returns its manifest record."""
    listed: Dict[str, Dict[str, Any]] = {}
    directories: List[str] = []
    for relative, full in files.walk(entry.directory, directories=True, dir_links=False):
        if os.path.isdir(full) and not os.path.islink(full):
            directories.append(relative)
            continue
        info = owner_free_info(tar, full, f"entries/{entry.key}/{relative}")
        if not info.isreg():
            raise errors.BundleError(f"{full} is not a regular file; bundles hold only files.")
        with open(full, "rb", buffering=0) as stream:
            reader = files.HashingStream(stream)
            tar.addfile(info, reader)
        listed[relative] = {"size": info.size, "sha256": reader.hexdigest()}
    descriptor = entry.descriptor() or Descriptor(entry.handle, None, None, None)
    return {
        "key": entry.key,
        "handle": entry.handle,
        "download_time": descriptor.download_time,
        "host": descriptor.host,
        "archive_sha256": descriptor.archive_sha256 or descriptor.claimed_sha256,
        "directories": directories,
        "files": listed,
    }


def export_bundle(handle_list: Sequence[str], out: Path, root: Optional[Path] = None) -> List[BundleItem]:
    """Writes the cache entries of ``handle_list`` to the bundle ``out`` (atomically).

    Raises:
        HandleNotFoundError: a handle is not in the cache.
        BundleError: an entry is broken or has no known handle.
    """
    root = Path(root if root else config.cache_dir())
    entries = {e.key: e for e in (_exportable(h, root) for h in handle_list)}
    out = Path(out)
    with files.atomic_file(out, files.temp_sibling(out, ".partial", prefix=".")) as stream:
        with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as tar:
            records = [_add_entry(tar, entry) for entry in entries.values()]
            manifest = json.dumps({"format": BUNDLE_FORMAT, "version": BUNDLE_VERSION,
                                   "entries": records}, indent=1, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size = len(manifest)
            tar.addfile(info, io.BytesIO(manifest))
    return [_item(r, "exported") for r in records]


def _item(record: Dict[str, Any], action: str) -> BundleItem:
    return BundleItem(handle=record["handle"], key=record["key"], files=len(record["files"]),
                      size_bytes=sum(f["size"] for f in record["files"].values()), action=action)


# --- import --------------------------------------------------------------------------


def _bad(bundle: Path, why: str) -> errors.BundleError:
    return errors.BundleError(
        f"{bundle} is not a valid tfhub cache bundle: {errors.one_line(why)}. Nothing was imported; "
        "make the bundle again with `tfhub cache export`."
    )


def _safe_relative(name: str) -> bool:
    parts = name.split("/")
    return not name.startswith("/") and "\\" not in name and "\x00" not in name and all(
        part not in ("", ".", "..") for part in parts)


def _check_members(bundle: Path, members: List[tarfile.TarInfo]) -> Dict[str, tarfile.TarInfo]:
    """The bundle's members by name, after refusing anything unsafe or unexpected."""
    by_name: Dict[str, tarfile.TarInfo] = {}
    for member in members:
        name = member.name
        if name in by_name:
            raise _bad(bundle, f"member {name!r} appears twice")
        if not (member.isreg() or member.isdir()):
            raise _bad(bundle, f"member {name!r} is a link or special file")
        match = _ENTRY_MEMBER.match(name.rstrip("/")) if member.isdir() else _ENTRY_MEMBER.match(name)
        if name != MANIFEST_NAME and (match is None or not _safe_relative(match.group(2))):
            raise _bad(bundle, f"member {name!r} is outside entries/<key>/ or climbs out of it")
        by_name[name] = member
    return by_name


def _read_manifest(bundle: Path, tar: tarfile.TarFile, by_name: Dict[str, tarfile.TarInfo]) -> List[Dict[str, Any]]:
    member = by_name.get(MANIFEST_NAME)
    if member is None or not member.isreg():
        raise _bad(bundle, f"it has no {MANIFEST_NAME}")
    try:
        manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
        if manifest["format"] != BUNDLE_FORMAT or manifest["version"] != BUNDLE_VERSION:
            raise ValueError(f"format {manifest['format']!r} version {manifest['version']!r}")
        records = list(manifest["entries"])
        for record in records:
            _check_record(bundle, record, by_name)
    except errors.BundleError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _bad(bundle, f"{MANIFEST_NAME} cannot be read ({type(exc).__name__}: {exc})") from exc
    return records


def _check_record(bundle: Path, record: Dict[str, Any], by_name: Dict[str, tarfile.TarInfo]) -> None:
    key, handle = record["key"], record["handle"]
    if not isinstance(handle, str) or handles.cache_key(handle) != key:
        raise _bad(bundle, f"entry {key!r} does not belong to handle {handle!r}")
    listed = set(record["files"])
    present = {n[len(f"entries/{key}/"):] for n, m in by_name.items()
               if n.startswith(f"entries/{key}/") and m.isreg()}
    if listed != present:
        odd = sorted(listed.symmetric_difference(present))[:3]
        raise _bad(bundle, f"the files of '{handle}' do not match its manifest (e.g. {odd})")
    for relative, info in record["files"].items():
        digest = info.get("sha256")
        if not isinstance(digest, str) or len(digest) != 64:
            raise _bad(bundle, f"'{relative}' of '{handle}' has no SHA-256 in the manifest")
        if not _safe_relative(relative) or by_name[f"entries/{key}/{relative}"].size != int(info["size"]):
            raise _bad(bundle, f"'{relative}' of '{handle}' does not match its manifest")
    directories = list(record.get("directories", []))
    for relative in directories:
        if not isinstance(relative, str) or not _safe_relative(relative):
            raise _bad(bundle, f"directory {relative!r} of '{handle}' climbs out of its entry")
    parents = {"/".join(path.split("/")[:i]) for path in list(listed) + directories
               for i in range(1, path.count("/") + 1)}
    clash = sorted(listed & (parents | set(directories)))
    if clash:
        raise _bad(bundle, f"'{clash[0]}' of '{handle}' is both a file and a directory")


def _extract_entry(tar: tarfile.TarFile, by_name: Dict[str, tarfile.TarInfo],
                   record: Dict[str, Any], target: Path, bundle: Path) -> Fetched:
    """Writes one entry's files into ``target``, checking each SHA-256."""
    digests: Dict[str, str] = {}
    for relative in record.get("directories", []):
        (target / relative).mkdir(parents=True, exist_ok=True)
    for relative, info in sorted(record["files"].items()):
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        source = tar.extractfile(by_name[f"entries/{record['key']}/{relative}"])
        with open(path, "wb") as out:
            digest = files.copy_hashing(source, out)
        if digest != info["sha256"]:
            raise errors.BundleError(
                f"'{relative}' of '{record['handle']}' in {bundle} is damaged (SHA-256 mismatch); "
                "that entry was not imported. Export it again."
            )
        digests[relative] = digest
    claimed = record.get("archive_sha256")
    return Fetched(claimed_sha256=claimed if isinstance(claimed, str) else None, digests=digests)


@dataclasses.dataclass(frozen=True)
class _BundleSource:
    """One bundle record as the door's :class:`~tfhub.resolving.resolvers.Source`."""

    tar: tarfile.TarFile
    by_name: Dict[str, tarfile.TarInfo]
    record: Dict[str, Any]
    bundle: Path

    def fill(self, target: "str | os.PathLike[str]") -> Fetched:
        try:
            return _extract_entry(self.tar, self.by_name, self.record, Path(target), self.bundle)
        except (tarfile.TarError, EOFError) as exc:
            raise _bad(self.bundle, f"it is truncated or corrupt ({exc})") from exc


def _install(cache: Cache, tar: tarfile.TarFile, by_name: Dict[str, tarfile.TarInfo],
             record: Dict[str, Any], bundle: Path, force: bool) -> BundleItem:
    from tfhub.resolving import resolvers  # the door, only when importing

    entry = cache.entry(record["handle"])
    source = _BundleSource(tar, by_name, record, bundle)
    resolved = resolvers.resolve_request(
        resolvers.Request(record["handle"], force=force, source=source, cache_dir=cache.root))
    if not resolved.fetched:
        return _item(record, "already cached")
    written = entry.descriptor()
    if written is not None:  # keep where and when the model was first downloaded
        files.write_text_atomically(entry.descriptor_path, written._replace(
            download_time=record.get("download_time") or written.download_time,
            host=record.get("host") or written.host).render())
    return _item(record, "imported")


def import_bundle(bundle: Path, root: Optional[Path] = None, force: bool = False) -> List[BundleItem]:
    """Installs a bundle's entries into the cache under their original handles.

    The whole bundle is checked before anything is written; then each entry
    is installed atomically (a damaged entry leaves nothing of itself behind).
    Entries already complete in the cache are kept unless ``force``.

    Raises:
        BundleError: the bundle is not a tfhub bundle, is unsafe, or damaged.
        CacheError: the cache cannot be written.
    """
    bundle = Path(bundle)
    cache = Cache(root if root else config.cache_dir())
    if not bundle.is_file():
        what = "is a directory, not a bundle file" if bundle.is_dir() else "does not exist"
        raise errors.BundleNotFoundError(
            f"{bundle} {what}. Nothing was imported; give the path of a file written by "
            "`tfhub cache export`.")
    try:
        tar = tarfile.open(bundle, "r:*")
    except (tarfile.TarError, OSError) as exc:
        raise _bad(bundle, f"it cannot be opened as a tar file ({exc})") from exc
    with tar:
        try:
            by_name = _check_members(bundle, tar.getmembers())
        except tarfile.TarError as exc:
            raise _bad(bundle, f"it is truncated or corrupt ({exc})") from exc
        records = _read_manifest(bundle, tar, by_name)
        return [_install(cache, tar, by_name, record, bundle, force) for record in records]
