"""The one door into the cache: a request (handle, pin, force, offline) -> a resolved value.

Every way in (``hub.resolve``, ``hub.load``, ``hub.KerasLayer``, ``hub.Module``,
``tfhub download/resolve``, ``tfhub cache verify --repair``, ``tfhub cache
import``) calls :func:`resolve_request`, once per load. Pins, offline mode,
locking, verification and the swap of a new entry for an old one are decided
here (the mechanics of the swap live in :mod:`tfhub.resolving.cache`).

How a handle is read:

* local paths and ``file://`` -> the path itself, except
* a local archive file (.tar, .tar.gz, .tgz, or gzip/xz/tar by its first
  bytes) -> extracted into the cache, keyed by its absolute path and file
  stamp (size, mtime, ctime, inode), so a rewritten archive is extracted again;
* ``http(s)://`` -> a compressed archive, downloaded once into the cache
  (or, with ``TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED``, the 303 protocol);
* ``gs://.../m.tar.gz`` (any tf.io.gfile scheme) -> streamed into the cache;
* ``gs://bucket/dir`` (any tf.io.gfile scheme) -> used in place;
* a :class:`Source` given with the request (a bundle) -> into the cache.
"""

from __future__ import annotations

import os

from tfhub import config, errors, logs
from tfhub.records import Record
from tfhub.resolving import handles, integrity, leftovers
from tfhub.resolving.cache import Cache, Entry, Fetched
from tfhub.resolving.handles import HandleKind

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs a warm resolve more than its own work: for type checkers only
    from typing import Callable, Dict, Optional, Protocol, Set, Tuple, Union

    Handle = Union[str, "os.PathLike[str]"]

    class Source(Protocol):
        """Where an entry's files come from instead of the handle's server (a bundle)."""

        def fill(self, target: "str | os.PathLike[str]") -> Fetched:
            """Writes the entry's files into the empty directory ``target``."""

_log = logs.log  # logging is imported only when something is logged


class Request(Record):
    """What a caller asks of the door.

    Attributes:
        handle: a URL or path; a downloaded handle may end in ``#sha256=<hex>``.
        sha256: the SHA-256 its archive must have (beats the fragment and
            ``TFHUB_PIN_FILE``).
        force: fetch again even when the cached copy is complete (the old one
            stays until the new one is complete).
        offline: forbid the network; None reads ``TFHUB_OFFLINE``.
        source: fill the entry from here instead of the handle's server. A
            source cannot prove an archive digest, so pins are not applied
            and the entry counts as unverified for later pinned requests.
        cache_dir: the cache to use; None reads ``TFHUB_CACHE_DIR``.
    """

    handle: Handle
    sha256: Optional[str] = None
    force: bool = False
    offline: Optional[bool] = None
    source: Optional[Source] = None
    cache_dir: Optional["os.PathLike[str]"] = None


class Resolved(Record):
    """What the door hands back.

    Attributes:
        path: the model directory (local, or a gfile path read in place).
        handle: the handle without its ``#sha256=`` fragment.
        kind: how it was read: "local", "gfile" (in place), "uncompressed"
            (the 303 protocol) or "cache".
        archive_sha256: for cache entries, the archive digest computed here.
        verified: a pin applied, and the entry's archive had that digest.
        fetched: this request wrote the cache entry.
    """

    path: str
    handle: str
    kind: str
    archive_sha256: Optional[str] = None
    verified: bool = False
    fetched: bool = False


def resolve(handle: Handle, sha256: Optional[str] = None) -> str:
    """Resolves a handle to a local (or gfile) model directory.

    Args:
        handle: a URL (``https://...``, ``gs://...``) or a path. A downloaded
            handle may end in ``#sha256=<hex>`` to pin its archive.
        sha256: the SHA-256 its archive must have (see :mod:`tfhub.resolving.integrity`).

    Returns:
        The path of the model directory.

    Raises:
        HandleError: the handle is empty or not a string.
        HandleNotFoundError: a path handle does not exist.
        OfflineCacheMissError: ``TFHUB_OFFLINE`` is set and the model is not
            cached (or, pinned, not cached verified against the pin).
        DownloadError, ArchiveError, UnsafeArchiveError, CacheError,
        IntegrityError: the archive does not have the pinned SHA-256.
        ProtocolError, ConfigError: see :mod:`tfhub.errors`.
    """
    return resolve_request(Request(handle, sha256=sha256)).path


def resolve_request(request: Request) -> Resolved:
    """The one door: resolves ``request`` (see :class:`Request`); raises as :func:`resolve`."""
    handle = request.handle
    if isinstance(handle, os.PathLike):
        handle = os.fspath(handle)
    if not isinstance(handle, str):
        raise errors.HandleError(f"Expected a string, got {handle!r}")
    if request.source is not None:
        return _from_source(handles.split_pin(handle)[0], request)
    handle, pin = _pin_of(handle, request.sha256)
    kind: Optional[HandleKind] = handles.kind_of(handle)
    if kind is HandleKind.LOCAL:
        archive_path = handles.local_archive(handles.local_path(handle))
        if archive_path is not None:
            return _local_archive(_cache(request), archive_path, pin, request.force)
    if kind is HandleKind.HTTP and config.model_load_format() is config.ModelLoadFormat.UNCOMPRESSED:
        kind = None  # the 303 protocol: nothing is downloaded
    if pin is not None and kind not in (HandleKind.HTTP, HandleKind.GFILE_ARCHIVE):
        raise errors.HandleError(
            f"A SHA-256 pin applies to a downloaded archive, but '{handle}' is read in place; "
            "remove the pin, or use the model's archive URL."
        )
    offline = config.offline() if request.offline is None else request.offline
    if request.force and kind not in (HandleKind.HTTP, HandleKind.GFILE_ARCHIVE):
        raise errors.HandleError(f"'{handle}' is read in place; there is nothing to download again.")
    if kind is HandleKind.LOCAL:
        return Resolved(_resolve_local(handle), handle, "local")
    if kind is HandleKind.GFILE_DIRECTORY:
        return Resolved(_resolve_gfile_directory(handle), handle, "gfile")
    if kind is None:
        return Resolved(_resolve_uncompressed(handle, offline), handle, "uncompressed")
    return _cached(_cache(request), handle, pin, request.force, offline)


def _cache(request: Request) -> Cache:
    return Cache(config.cache_dir() if request.cache_dir is None else request.cache_dir)


def _pin_of(handle: str, sha256: Optional[str]) -> Tuple[str, Optional[str]]:
    """(handle without a pin fragment, the pin from the argument, fragment or pin file)."""
    handle, fragment_pin = handles.split_pin(handle)
    if sha256 is not None:
        return handle, integrity.normalize(sha256, "the sha256 argument")
    if fragment_pin is not None:
        return handle, integrity.normalize(fragment_pin, "the handle's #sha256= fragment")
    return handle, integrity.pin_from_file(handle)


def _resolve_local(handle: str) -> str:
    path = handles.local_path(handle)
    if not os.path.exists(path):
        raise errors.HandleNotFoundError(f"{handle} does not exist.")
    return path


def _resolve_gfile_directory(handle: str) -> str:
    if not handles.gfile_exists(handle):
        raise errors.HandleNotFoundError(f"{handle} does not exist.")
    return handle


# Keys whose entry this process already checked for leftovers of dead processes.
_SWEPT: Set[Tuple[str, str]] = set()


# (cache root, handle) -> Entry: an Entry's paths are built once, not on every warm resolve.
_ENTRIES: Dict[Tuple[str, str], Entry] = {}


def _entry(cache: Cache, handle: str) -> Entry:
    where = (cache.root, handle)
    entry = _ENTRIES.get(where)
    if entry is None:
        entry = _ENTRIES[where] = cache.entry(handle)
    return entry


def _local_archive(cache: Cache, path: str, pin: Optional[str], force: bool) -> Resolved:
    """A local archive file, extracted into the cache like a download (offline too: it is local).

    The entry is keyed by the absolute path and the file's stamp, so a
    rewritten archive gets a new entry instead of the old extraction.
    """
    try:
        stamp = handles.file_stamp(os.stat(path))
    except FileNotFoundError:
        raise errors.HandleNotFoundError(f"{path} does not exist.") from None
    from tfhub.resolving import sources  # as in _cached

    entry = Entry(cache.root, handles.local_archive_key(path, stamp), path)
    fetcher = sources.local_archive_fetcher(path, stamp, pin)
    return _cached(cache, path, pin, force, offline=False, entry=entry, fetcher=fetcher)


def _cached(cache: Cache, handle: str, pin: Optional[str], force: bool, offline: bool,
            entry: Optional[Entry] = None, fetcher: Optional[Callable[[str], Fetched]] = None) -> Resolved:
    """A downloadable handle's cache entry, fetched when missing, broken, unverified for the pin, or forced.

    ``entry`` and ``fetcher`` default to the handle's entry and its archive's fetcher.
    """
    entry = _entry(cache, handle) if entry is None else entry
    if not force and entry.is_complete(pin):
        _sweep_once(entry)
        return _hit(entry, handle, pin)
    if offline:
        entry.tidy(wait=True)  # a swap under way, or one a dead process left half done
        if not force and entry.is_complete(pin):
            return _hit(entry, handle, pin)
        raise _offline_miss(entry, handle, pin, force)
    from tfhub.resolving import sources  # requests, urllib3 only when downloading

    verb = "Download" if fetcher is None else "Extract"  # a local archive is not downloaded
    _log.info("%sing TF-Hub Module '%s'.", verb, handle)
    fetcher = sources.archive_fetcher(handle, pin) if fetcher is None else fetcher
    fetched = entry.populate(fetcher, force=force, sha256=pin)
    _log.info("%sed TF-Hub Module '%s'.", verb, handle)
    return _hit(entry, handle, pin)._replace(fetched=fetched)


def _hit(entry: Entry, handle: str, pin: Optional[str]) -> Resolved:
    return Resolved(entry.directory, handle, "cache", entry.trusted_sha256(), verified=pin is not None)


def _sweep_once(entry: Entry) -> None:
    """Removes dead processes' leftovers beside a complete entry, on its first hit in this process.

    (A killed download whose entry another process, say tensorflow_hub's, then
    completed leaves its temp dir; one directory listing per handle and process finds it.)
    """
    if (entry.root, entry.key) in _SWEPT:
        return
    _SWEPT.add((entry.root, entry.key))
    if leftovers.has_leftovers(entry.root, entry.key):
        entry.tidy()


def _offline_miss(entry: Entry, handle: str, pin: Optional[str], force: bool) -> errors.OfflineCacheMissError:
    if force:
        why = "a new download was asked for"
    elif pin is not None and entry.is_complete():
        why = (f"it is cached at {entry.directory}, but that copy was not verified against the pinned "
               f"SHA-256 {pin} (it came from a bundle, another library, or an archive with another digest)")
        return errors.OfflineCacheMissError(
            f"'{handle}': {why}, and TFHUB_OFFLINE forbids downloading it to check. Resolve it once "
            "with network access, or remove the pin.")
    else:
        why = "it is not in the cache"
    return errors.OfflineCacheMissError(
        f"'{handle}': {why} at {entry.root}, and TFHUB_OFFLINE is set, so it cannot be downloaded. "
        "Unset TFHUB_OFFLINE, or copy the model into the cache (tfhub cache import), or point "
        "TFHUB_CACHE_DIR at a cache that holds it."
    )


def _from_source(handle: str, request: Request) -> Resolved:
    """An entry filled from ``request.source`` (a bundle), not from the network."""
    if handles.kind_of(handle) not in (HandleKind.HTTP, HandleKind.GFILE_ARCHIVE):
        raise errors.HandleError(f"'{handle}' is read in place; it has no cache entry to fill.")
    source = request.source
    assert source is not None  # only requests with a source come here
    entry = _cache(request).entry(handle)
    fetched = entry.populate(source.fill, force=request.force)
    return Resolved(entry.directory, handle, "cache", entry.trusted_sha256(), fetched=fetched)


def _resolve_uncompressed(handle: str, offline: bool) -> str:
    """The 303 protocol: the server answers where the uncompressed model lives."""
    if offline:
        raise errors.OfflineCacheMissError(
            f"TFHUB_MODEL_LOAD_FORMAT=UNCOMPRESSED reads '{handle}' from its server's storage, "
            "which TFHUB_OFFLINE forbids. Unset one of them."
        )
    from tfhub.resolving import download  # only when asking the server

    settings = config.DownloadSettings.read()
    url = handles.uncompressed_url(handles.mirrored(handle, list(settings.mirrors)))
    session = download.new_session(settings=settings)
    try:
        response = session.get(url, allow_redirects=False, timeout=settings.timeouts)
    except download.requests.exceptions.RequestException as exc:
        raise errors.DownloadError(
            f"Resolving '{handle}' failed: {download.describe_request_failure(exc, url)}.") from exc
    if response.status_code != 303:
        if response.status_code >= 400:
            raise download.status_error(handle, url, response)
        raise errors.ProtocolError(
            f"Expected 303 See other HTTP response but received code {response.status_code} "
            f"from {url}. The server does not offer uncompressed models; unset "
            "TFHUB_MODEL_LOAD_FORMAT (or set it to COMPRESSED)."
        )
    location = response.text.strip() or response.headers.get("Location", "")
    if not location.startswith("gs://"):
        raise errors.ProtocolError(
            f"Expected server to return a GCS location but received {location!r} from {url}."
        )
    return _resolve_gfile_directory(location)
