"""The on-disk cache: atomic population, swaps, self-healing, scanning.

The names of an entry's files are :mod:`tfhub.resolving.layout`'s; the
descriptor's format is :mod:`tfhub.resolving.descriptors`'; the lock is
:mod:`tfhub.resolving.locks`'.

Correctness rests on renames of complete directories and files; the lock only
avoids duplicated downloads. A new entry replaces an old one only once it is
complete, so a failed fetch never costs the entry that was there.
"""

from __future__ import annotations

import errno
import os
import stat
from types import MappingProxyType

from tfhub import errors, files, logs
from tfhub.records import Record
from tfhub.resolving import descriptors, handles, layout, leftovers, manifests
from tfhub.resolving.descriptors import Descriptor

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterator, Mapping, Optional, Tuple

    from tfhub.files import PathLike
    from tfhub.resolving.locks import EntryLock

_log = logs.log  # logging is imported only when something is logged


class Fetched(Record):
    """What a fetch put into a temp dir, as the door's sources report it.

    Attributes:
        archive_sha256: the archive's digest computed here while it streamed
            in (the only digest pins trust); None when there was no archive.
        claimed_sha256: a digest the source asserts but this process could not
            check (a bundle's record of the original archive).
        digests: SHA-256 of files computed while writing them (others are
            hashed when the manifest is built).
    """

    archive_sha256: Optional[str] = None
    claimed_sha256: Optional[str] = None
    digests: Mapping[str, str] = MappingProxyType({})


class Entry(layout.EntryPaths):
    """One handle's place in the cache (its paths are :class:`~tfhub.resolving.layout.EntryPaths`')."""

    __slots__ = ("handle",)

    def __init__(self, root: str, key: str, handle: Optional[str] = None) -> None:
        super().__init__(root, key)
        self.handle = handle

    def _fields(self) -> Tuple[object, ...]:
        return (self.root, self.key, self.handle)

    def descriptor(self) -> Optional[Descriptor]:
        """The parsed descriptor file, or None when there is none."""
        return descriptors.read(self.descriptor_path)

    def problem(self, sha256: Optional[str] = None) -> Optional[str]:
        """Why the entry cannot be handed out, or None if it can (the warm-resolve check).

        An entry with a manifest must match it by file kinds and sizes (not
        contents: that is :meth:`deep_problem`). An entry without one (written
        by tensorflow_hub, or whose descriptor was lost) must pass
        :func:`manifests.structural_problem`. With ``sha256``, the entry must
        come from an archive of that digest, computed here.
        """
        try:
            if not stat.S_ISDIR(os.lstat(self.directory).st_mode):
                return "it is not a directory"
        except FileNotFoundError:
            return "it is not in the cache"
        except OSError as exc:
            return f"it cannot be read ({exc.strerror})"
        if os.path.lexists(self.swap_marker_path):
            return "a replacement of it was interrupted"
        descriptor = self.descriptor()
        manifest = descriptor.manifest if descriptor is not None else None
        if manifest is not None and (manifest.sizes or manifest.links):
            mismatch = manifests.quick_problem(self.directory, manifest)
        else:
            mismatch = manifests.structural_problem(self.directory)
        if mismatch is not None:
            return mismatch
        if sha256 is not None and (descriptor is None or descriptor.archive_sha256 != sha256):
            return "it was not verified against the pinned SHA-256"
        return None

    def is_complete(self, sha256: Optional[str] = None) -> bool:
        return self.problem(sha256) is None

    def deep_problem(self) -> Optional[str]:
        """Like :meth:`problem`, but also every file's bytes, extra files and links (``cache verify``)."""
        problem = self.problem()
        if problem is not None:
            return problem
        descriptor = self.descriptor()
        if descriptor is not None and descriptor.manifest is not None and descriptor.manifest.sizes:
            return manifests.deep_problem(self.directory, descriptor.manifest)
        return manifests.links_outside(self.directory)

    def trusted_sha256(self) -> Optional[str]:
        """The archive digest this cache computed for the entry (None when it did not)."""
        descriptor = self.descriptor()
        return descriptor.archive_sha256 if descriptor is not None else None

    def populate(self, fetch: Callable[[str], Fetched], force: bool = False,
                 sha256: Optional[str] = None) -> bool:
        """Makes the entry complete, calling ``fetch(temp_dir)`` when needed.

        With ``force``, fetches again even when the entry is complete; with
        ``sha256``, an entry not verified against that digest is fetched again.
        An entry already there is kept until the new one is complete, then
        swapped for it: a fetch that fails leaves the cache as it was.

        At most one process fetches at a time; the others wait for it and then
        use its result.

        Returns:
            True when this call wrote the entry.

        Raises:
            CacheError: the cache directory cannot be created or written.
            DiskFullError: its disk filled up (or a file size limit was hit).
            CacheError: a file of the entry belongs to another user.
            Exception: whatever ``fetch`` raises.
        """
        ensure_writable_root(self.root)
        with self._locked():
            self._tidy_locked()
            problem = None if force else self.problem(sha256)
            if problem is None and not force:
                return False
            if os.path.lexists(self.directory):
                self._log_refetch(force, sha256, problem)
            self._fetch_and_swap(fetch)
            return True

    def _log_refetch(self, force: bool, sha256: Optional[str], problem: Optional[str]) -> None:
        """Says truthfully why an entry that is there is fetched again: forced, a pin to check, or damage."""
        keep = "the cached copy stays until the new one is complete"
        if force:
            _log.info("Downloading '%s' again, as asked (force); %s.", self.handle, keep)
        elif sha256 is not None and self.problem() is None:
            _log.warning("Cache entry %s for '%s' is complete, but was not verified against the pinned "
                         "SHA-256 %s (it came from a bundle, another library, or an archive with another "
                         "digest); downloading it to check the pin (%s).", self.directory, self.handle, sha256, keep)
        else:
            _log.warning("Cache entry %s for '%s' is incomplete (%s); downloading it again (%s).",
                         self.directory, self.handle, problem, keep)

    def tidy(self, wait: bool = False) -> None:
        """Finishes or undoes an interrupted swap and removes dead leftovers.

        Without ``wait``, does nothing while another process holds the lock
        (it tidies itself); with it, waits for that process first.
        """
        try:
            lock = self._locked()
            if wait:
                lock.acquire()
            elif not lock.try_acquire():
                return
        except OSError:
            return  # a cache we cannot write: nothing to tidy from here
        try:
            self._tidy_locked()
        finally:
            lock.release()

    def _tidy_locked(self) -> None:
        """Under the lock: puts an interrupted swap right (see :meth:`_swap_in`), removes dead leftovers."""
        if os.path.lexists(self.swap_marker_path):
            asides, pending = leftovers.swap_leftovers(self.root, self.key)
            if asides and not os.path.lexists(self.directory):
                os.rename(asides[-1], self.directory)  # died with the old entry aside: it comes back
            elif asides and pending:
                os.replace(pending[-1], self.descriptor_path)  # died before the new entry's descriptor
            # (no aside: died before the old entry moved; it stays, with its descriptor)
            os.unlink(self.swap_marker_path)
        leftovers.clean_entry_leftovers(self.root, self.key)

    def _fetch_and_swap(self, fetch: Callable[[str], Fetched]) -> None:
        import uuid  # here and below: what only writing needs is imported when writing

        uid = uuid.uuid4().hex
        temp, aside, pending = self.temp_path(uid), self.aside_path(uid), self.pending_path(uid)
        try:
            os.mkdir(temp)
            fetched = fetch(temp)
            text = self._descriptor_for(temp, fetched).render()
            if os.path.lexists(self.directory):
                self._swap_in(temp, text, aside, pending)
            else:
                files.write_text_atomically(self.descriptor_path, text)
                self._rename_into_place(temp)
        except errors.DiskFullError as exc:
            raise errors.DiskFullError.in_cache(self.root, exc, self.handle, exc.bytes_needed) from exc
        except OSError as exc:
            if isinstance(exc, errors.TfHubError):
                raise
            if exc.errno in errors.DISK_FULL_ERRNOS:
                raise errors.DiskFullError.in_cache(self.root, exc, self.handle) from exc
            if isinstance(exc, PermissionError):
                raise self._not_writable(exc) from exc
            raise
        finally:
            if os.path.lexists(self.swap_marker_path):
                self._tidy_locked()  # a failed swap: undone (or completed) as if this process had died
            files.remove(aside)
            files.remove(pending)
            files.remove(temp)

    def _swap_in(self, temp: str, text: str, aside: str, pending: str) -> None:
        """Replaces the entry there with ``temp`` and its descriptor with ``text``.

        The swap marker says a swap is under way: while it exists, the warm check
        refuses the entry, and :meth:`_tidy_locked` (after this process died)
        knows from what is there how far it got: no aside yet, the old entry is
        intact; an aside and no entry, the old one goes back; an aside and an
        entry, the new one is in and gets its pending descriptor.
        """
        os.close(os.open(self.swap_marker_path, os.O_WRONLY | os.O_CREAT, 0o666))
        files.write_text_atomically(pending, text)
        os.rename(self.directory, aside)
        os.rename(temp, self.directory)
        os.replace(pending, self.descriptor_path)
        os.unlink(self.swap_marker_path)

    def _descriptor_for(self, directory: str, fetched: Fetched) -> Descriptor:
        import datetime
        import socket

        return Descriptor(
            handle=self.handle,
            download_time=str(datetime.datetime.today()),
            host=f"{socket.gethostname()} (PID:{os.getpid()})",
            manifest=manifests.build(directory, fetched.digests),
            archive_sha256=fetched.archive_sha256,
            claimed_sha256=fetched.claimed_sha256,
        )

    def _rename_into_place(self, temp: str) -> None:
        try:
            os.rename(temp, self.directory)
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY) or not self.is_complete():
                raise
            # Another library's process (tensorflow_hub) finished first.
            _log.warning("Module already exists in %s; using it.", self.directory)

    def _not_writable(self, exc: OSError) -> errors.CacheError:
        return errors.CacheError(
            f"'{self.handle}' cannot be written into the cache directory {self.root}: "
            f"{exc.filename or ''} belongs to another user ({exc.strerror or exc}). Nothing was left "
            "in the cache. Set TFHUB_CACHE_DIR to a directory of your own, or ask the owner "
            f"to remove {self.key}* from the shared cache."
        )

    def _locked(self) -> "EntryLock":
        """The entry's lock, not yet acquired (see :mod:`tfhub.resolving.locks`)."""
        from tfhub.resolving import locks  # filelock only when writing

        return locks.entry_lock(self.lock_path, self.root, self.handle)


def ensure_writable_root(root: str) -> None:
    """Creates the cache directory and checks it can be written.

    Raises:
        DiskFullError: its disk is full.
        CacheError: it cannot be created or written.
    """
    import uuid

    try:
        os.makedirs(root, exist_ok=True)
        probe = os.path.join(root, f".write-probe-{uuid.uuid4().hex}")
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(probe)
    except OSError as exc:
        if exc.errno in errors.DISK_FULL_ERRNOS:
            raise errors.DiskFullError.in_cache(root, exc) from exc
        raise errors.CacheError(
            f"The cache directory {root} cannot be written ({exc.strerror or exc}). "
            "Set TFHUB_CACHE_DIR to a directory you can write, or fix its permissions."
        ) from exc


class Cache:
    """A cache directory and the entries in it (paths are strings, as :class:`~tfhub.resolving.layout.EntryPaths`')."""

    def __init__(self, root: PathLike):
        self.root = files.plain_path(os.fspath(root))

    def entry(self, handle: str) -> Entry:
        return Entry(self.root, handles.cache_key(handle), handle)

    def entry_for_key(self, key: str) -> Entry:
        descriptor = Entry(self.root, key).descriptor()
        return Entry(self.root, key, descriptor.handle if descriptor else None)

    def entries(self) -> Iterator[Entry]:
        """Every entry of the cache (complete or not, a directory or not)."""
        try:
            names = sorted(os.listdir(self.root))
        except FileNotFoundError:
            return
        for name in names:
            if layout.is_entry_name(name) and os.path.lexists(os.path.join(self.root, name)):
                yield self.entry_for_key(name)


def entry_size(entry: Entry) -> int:
    """Total bytes of an entry's files."""
    descriptor = entry.descriptor()
    if descriptor and descriptor.manifest and descriptor.manifest.sizes:
        return sum(size for size in descriptor.manifest.sizes.values() if size > 0)
    return manifests.total_size(entry.directory)
