"""The file primitives every part of tfhub shares: atomic writes, tree walks, SHA-256.

One rule holds the house together: whatever others may read is written to a
temporary sibling and renamed into place, so a reader sees the old thing or
the new one, never half of one. Correctness rests on that rename alone.

``hashlib``, ``uuid``, ``tempfile`` and ``shutil`` are imported by the functions
that write or hash: a warm ``hub.resolve`` uses none of them, and together they
(OpenSSL, ``platform``) cost it more than the rest of its work. Paths are
strings (``os.path``): ``pathlib`` alone costs a warm resolve about as much.
"""

from __future__ import annotations

import contextlib
import io
import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import queue
    from hashlib import _Hash
    from typing import BinaryIO, Iterator, Optional, Tuple, Union

    PathLike = Union[str, "os.PathLike[str]"]

CHUNK = 1 << 20
TEMP_SUFFIX = ".tmp"


def plain_path(path: str) -> str:
    """``path`` spelled as ``str(pathlib.PurePosixPath(path))`` spells it, without importing pathlib.

    Repeated and trailing slashes and ``.`` parts go; ``..`` stays (it is not
    resolved); exactly two leading slashes stay two, as POSIX allows. Paths
    the cache builds from it match what pathlib-based code (and older tfhub) built.
    """
    if path.startswith("//") and not path.startswith("///"):
        root = "//"
    elif path.startswith("/"):
        root = "/"
    else:
        root = ""
    parts = [part for part in path.split("/") if part and part != "."]
    return root + "/".join(parts) if root or parts else "."


def absolute_path(path: str) -> str:
    """``path`` spelled as ``str(pathlib.Path(path).absolute())``: joined to the working directory, not resolved."""
    if not os.path.isabs(path):
        path = os.path.join(os.getcwd(), path)
    return plain_path(path)


def temp_sibling(path: PathLike, suffix: str = TEMP_SUFFIX, prefix: str = "") -> str:
    """A fresh name beside ``path``: ``<prefix><name>.<uid><suffix>`` (unique across processes)."""
    import uuid

    parent, name = os.path.split(plain_path(os.fspath(path)))
    return os.path.join(parent, f"{prefix}{name}.{uuid.uuid4().hex}{suffix}")


@contextlib.contextmanager
def atomic_file(path: PathLike, temp: Union[PathLike, None] = None) -> Iterator[BinaryIO]:
    """Yields a binary file that becomes ``path`` (``os.replace``) when the block ends well.

    ``temp`` names the temporary file (default: :func:`temp_sibling`). On any
    exception it is removed and ``path`` is left as it was.
    """
    temp = os.fspath(temp) if temp is not None else temp_sibling(path)
    try:
        with open(temp, "wb") as out:
            yield out
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def write_text_atomically(path: PathLike, text: str) -> None:
    """Writes ``text`` (UTF-8) to ``path`` through a temporary sibling and ``os.replace``."""
    with atomic_file(path) as out:
        out.write(text.encode("utf-8"))


@contextlib.contextmanager
def atomic_directory(dst: PathLike, prefix: str = "tfhub") -> Iterator[str]:
    """Yields a temporary directory beside ``dst`` that becomes ``dst`` when the block ends well.

    An existing ``dst`` is replaced only once the new one is complete; on any
    exception the temporary directory is removed and ``dst`` is left as it was.
    """
    import shutil
    import tempfile

    dst = os.fspath(dst)
    parent, name = os.path.split(dst)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{name}.{prefix}-", dir=parent)
    try:
        yield tmp
        if os.path.lexists(dst):
            old = tempfile.mkdtemp(prefix=f".{name}.tfhub-old-", dir=parent)
            os.replace(dst, os.path.join(old, "model"))
            os.replace(tmp, dst)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, dst)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def remove(path: PathLike) -> None:
    """Deletes a file, link or directory tree if it is there (links are not followed)."""
    if os.path.isdir(path) and not os.path.islink(path):
        import shutil

        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def walk(directory: PathLike, directories: bool = False, dir_links: bool = True) -> Iterator[Tuple[str, str]]:
    """(relative POSIX path, full path) of what lies below ``directory``, sorted, parents first.

    Lists files and links; directories themselves only with ``directories``. A
    link to a directory is listed as the link and never entered (left out
    without ``dir_links``).
    """
    base = os.fspath(directory)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        relative_dir = os.path.relpath(dirpath, base)
        if directories and relative_dir != ".":
            yield relative_dir.replace(os.sep, "/"), dirpath
        names = filenames + [d for d in dirnames if dir_links and os.path.islink(os.path.join(dirpath, d))]
        for name in sorted(names):
            relative = os.path.normpath(os.path.join(relative_dir, name))
            yield relative.replace(os.sep, "/"), os.path.join(dirpath, name)


def tree_size(directory: PathLike) -> int:
    """Bytes of every file and link under ``directory`` (links not followed; one removed meanwhile counts 0)."""
    total = 0
    for _, full in walk(directory, dir_links=False):
        with contextlib.suppress(FileNotFoundError):
            total += os.lstat(full).st_size
    return total


def file_sha256(path: PathLike) -> str:
    """The SHA-256 (hex) of a file's contents."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def copy_hashing(source: BinaryIO, out: BinaryIO) -> str:
    """Copies ``source`` to ``out``; returns the SHA-256 (hex) of what passed."""
    import hashlib

    digest = hashlib.sha256()
    for chunk in iter(lambda: source.read(CHUNK), b""):
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest()


class _DigestThread:
    """A SHA-256 computed on a thread of its own, fed copies of the chunks through a short queue.

    hashlib releases the GIL, so the hashing runs beside the thread that reads
    (a download's reader thread also inflates: the slowest stage of a resolve).
    At most :data:`_QUEUED_CHUNKS` chunks wait, so memory stays bounded.
    """

    def __init__(self) -> None:
        import hashlib
        import queue
        import threading

        self._digest = hashlib.sha256()
        self._queue: "queue.Queue[Optional[bytes]]" = queue.Queue(_QUEUED_CHUNKS)
        self._thread = threading.Thread(target=self._run, name="tfhub-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            chunk = self._queue.get()
            if chunk is None:
                return
            self._digest.update(chunk)

    def update(self, data) -> None:  # bytes-like
        self._queue.put(bytes(data))

    def finish(self) -> "_Hash":
        """Waits for the queued chunks; the digest of all of them."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        return self._digest


_QUEUED_CHUNKS = 2
_BACKGROUND_CHUNK = 2 << 20  # reads are cut to this, bounding what waits for the digest thread


class HashingStream(io.RawIOBase):
    """Passes a binary stream through while computing the SHA-256 of what was read.

    With ``background=True`` the digest is computed on a thread of its own
    (see :class:`_DigestThread`); :meth:`close` or :meth:`hexdigest` ends it.
    """

    def __init__(self, stream: BinaryIO, background: bool = False):
        import hashlib

        super().__init__()
        self._stream = stream
        self._background = _DigestThread() if background else None
        self._digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # memoryview
        view = memoryview(buffer).cast("B")
        if self._background is not None:
            view = view[:_BACKGROUND_CHUNK]
        if isinstance(self._stream, io.RawIOBase):
            # Straight into the caller's buffer: no allocation, no copy (the download's hot path).
            count = self._stream.readinto(view) or 0
            self._update(view[:count])
            return count
        read1 = getattr(self._stream, "read1", None)
        data = read1(len(view)) if read1 is not None else self._stream.read(len(view))
        self._update(data)
        view[: len(data)] = data
        return len(data)

    def _update(self, data) -> None:  # bytes-like
        if not data:
            return
        if self._background is not None:
            self._background.update(data)
        else:
            self._digest.update(data)

    def drain(self) -> None:
        """Reads to the end (an archive's trailing padding counts in the digest)."""
        while self.read(CHUNK):
            pass

    def hexdigest(self) -> str:
        if self._background is not None:
            self._digest = self._background.finish()
        return self._digest.hexdigest()

    def close(self) -> None:
        if self._background is not None:
            self._background.finish()
        super().close()
