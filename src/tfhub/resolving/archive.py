"""Streaming tar extraction that never writes outside its target, and packing.

Archives are read once, front to back (``tarfile`` stream mode), so a download
goes straight from the socket into files. gzip is undone by ISA-L on a thread of
its own when ``isal`` is installed, by zlib otherwise; bz2 and xz work too.
Every codec must reach its end-of-stream mark, and a plain tar its end block,
so an archive cut short is always an error.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import os
import shutil
import tarfile
import zlib
from pathlib import Path
from typing import BinaryIO, Dict, Iterable, Optional, Union

from tfhub import errors

_CHUNK = 1 << 20
# What a full disk, a quota or RLIMIT_FSIZE looks like to a write.
_GZIP_MAGIC = b"\x1f\x8b"
_BZ2_MAGIC = b"BZh"
_XZ_MAGIC = b"\xfd7zXZ\x00"

try:  # ISA-L: the fastest gunzip available from PyPI
    from isal import igzip_threaded as _igzip_threaded
    from isal.igzip_lib import IsalError as _IsalError
except ImportError:  # pragma: no cover - isal is optional
    _igzip_threaded = None
    _IsalError = zlib.error

# What a broken or cut-short archive raises on the way through the layers.
_READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, _IsalError)


class _PeekableStream(io.RawIOBase):
    """A stream whose ``read(n)`` returns what is there, as a socket does.

    (``io.BufferedReader.read(n)`` waits for all n bytes, which would hold a
    decompressor asking for megabytes until they all arrived.)
    """

    def __init__(self, stream: BinaryIO):
        super().__init__()
        self._stream = stream
        self._head = b""

    def readable(self) -> bool:
        return True

    def peek(self, count: int) -> bytes:
        while len(self._head) < count:
            more = self._read_some(count - len(self._head))
            if not more:
                break
            self._head += more
        return self._head[:count]

    def _read_some(self, count: int) -> bytes:
        read1 = getattr(self._stream, "read1", None)
        return read1(count) if read1 is not None else self._stream.read(count)

    def readinto(self, buffer) -> int:  # noqa: ANN001 - memoryview
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count], self._head = self._head[:count], self._head[count:]
            return count
        if isinstance(self._stream, io.RawIOBase):
            # A raw stream already returns what is there: read into the caller's buffer.
            return self._stream.readinto(buffer) or 0
        data = self._read_some(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _decompressed(stream: _PeekableStream) -> tuple:
    """(file object to read tar from, tarfile mode).

    bz2 and xz go through their file classes (not tarfile's own stream
    decompression), which raise EOFError when the stream stops before its end.
    """
    head = stream.peek(6)
    if head.startswith(_GZIP_MAGIC):
        if _igzip_threaded is not None:
            return _igzip_threaded.open(stream, "rb", threads=1), "r|"
        return gzip.GzipFile(fileobj=stream, mode="rb"), "r|"
    if head.startswith(_BZ2_MAGIC):
        return bz2.BZ2File(stream, "rb"), "r|"
    if head.startswith(_XZ_MAGIC):
        return lzma.LZMAFile(stream, "rb"), "r|"
    return io.BufferedReader(stream, _CHUNK), "r|"


def _target_path(root: str, name: str) -> str:
    """Where member ``name`` goes under ``root``.

    Raises:
        UnsafeArchiveError: the name is absolute or climbs out of ``root``.
    """
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise errors.UnsafeArchiveError(f"Archive member {name!r} has an absolute path; refusing to extract it.")
    normalized = os.path.normpath(name)
    parts = normalized.replace("\\", "/").split("/")
    if ".." in parts:
        raise errors.UnsafeArchiveError(f"Archive member {name!r} points outside the model directory (..).")
    return root if normalized == "." else os.path.join(root, normalized)


def _check_inside(root_real: str, path: str, what: str) -> None:
    real = os.path.realpath(path)
    if real != root_real and not real.startswith(root_real + os.sep):
        raise errors.UnsafeArchiveError(f"{what} would be written outside the model directory; refusing it.")


def _clear(path: str) -> None:
    """Removes a file or link at ``path`` so that writing there cannot follow a link."""
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)


def _copy_hashing(source: BinaryIO, out: BinaryIO) -> str:
    """Copies ``source`` to ``out``; returns the SHA-256 of what passed."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: source.read(_CHUNK), b""):
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest()


def _extract_member(archive: tarfile.TarFile, member: tarfile.TarInfo, root: str, root_real: str,
                    digests: Optional[Dict[str, str]] = None) -> None:
    target = _target_path(root, member.name)
    relative = os.path.relpath(target, root).replace(os.sep, "/")
    if digests is not None:
        digests.pop(relative, None)  # whatever replaces a file there, its old digest is void
    if target == root and member.isdir():
        return
    parent = os.path.dirname(target)
    # Checked before creating anything: a link planted earlier must not lead makedirs outside.
    _check_inside(root_real, parent, f"Archive member {member.name!r}")
    os.makedirs(parent, exist_ok=True)
    if member.isdir():
        if os.path.islink(target):
            os.unlink(target)
        os.makedirs(target, exist_ok=True)
    elif member.isfile():
        _clear(target)
        source = archive.extractfile(member)
        with open(target, "wb") as out:
            if digests is None:
                shutil.copyfileobj(source, out, _CHUNK)
            else:
                digests[relative] = _copy_hashing(source, out)
    elif member.issym():
        _extract_symlink(member, target, parent, root_real)
    elif member.islnk():
        source_path = _target_path(root, member.linkname)
        _check_inside(root_real, source_path, f"The hard link {member.name!r} -> {member.linkname!r}")
        if not os.path.isfile(source_path):
            raise errors.UnsafeArchiveError(
                f"Archive member {member.name!r} links to {member.linkname!r}, which the archive did not hold before it."
            )
        _clear(target)
        shutil.copyfile(source_path, target)
    else:
        kind = "FIFO" if member.isfifo() else "device file" if member.isdev() else "special member"
        raise errors.UnsafeArchiveError(f"Archive member {member.name!r} is a {kind}; model archives hold only files, directories and links.")


def _extract_symlink(member: tarfile.TarInfo, target: str, parent: str, root_real: str) -> None:
    if os.path.isabs(member.linkname):
        raise errors.UnsafeArchiveError(f"Archive member {member.name!r} is a link to an absolute path; refusing it.")
    _check_inside(root_real, os.path.join(parent, member.linkname), f"The link {member.name!r} -> {member.linkname!r}")
    _clear(target)
    os.symlink(member.linkname, target)


def _check_links(root: str, root_real: str) -> None:
    """Every link must still lead inside once all are in place (links through links).

    Raises:
        UnsafeArchiveError: one leads outside ``root``.
    """
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                relative = os.path.relpath(path, root)
                _check_inside(root_real, path, f"The link {relative!r} -> {os.readlink(path)!r}")


def _member_failure(member: tarfile.TarInfo, root: str, exc: OSError) -> errors.TfHubError:
    """Our error for an OSError met while writing ``member``."""
    if exc.errno in errors.DISK_FULL_ERRNOS:
        return errors.DiskFullError(
            f"The disk holding {root} is full (or a file size limit was reached) while writing "
            f"{member.name!r} ({member.size} bytes): {exc.strerror or exc}.",
            bytes_needed=member.size if member.isfile() else None,
        )
    return errors.UnsafeArchiveError(
        f"Archive member {member.name!r} cannot be extracted ({exc.strerror or exc}); "
        "the archive holds names that clash or cannot exist on this filesystem."
    )


def extract(stream: BinaryIO, target: Union[str, Path], source: str,
            digests: Optional[Dict[str, str]] = None) -> int:
    """Extracts the tar archive read from ``stream`` into ``target``.

    Args:
        stream: a readable binary stream (an HTTP body, a file).
        target: an existing, empty directory.
        source: the URL or path the stream comes from, for messages.
        digests: when given, filled with the SHA-256 of each regular file written
            (POSIX relative path -> hex), computed as it is written.

    Returns:
        The number of members extracted.

    Raises:
        ArchiveError: the stream is not a (complete) tar archive.
        UnsafeArchiveError: a member would land outside ``target``, is a
            device, FIFO or link pointing outside, or cannot be created.
        DiskFullError: the disk (or a quota, or a file size limit) is full.
    """
    root = os.fspath(target)
    root_real = os.path.realpath(root)
    count = 0
    try:
        fileobj, mode = _decompressed(_PeekableStream(stream))
        # Closed here, always: tarfile leaves a given file object open, and isal's
        # threaded reader must neither outlive extraction (its thread would go on
        # reading the stream) nor be closed by the garbage collector (its close()
        # joins a thread, which deadlocks when the collector runs inside threading).
        with fileobj, tarfile.open(fileobj=fileobj, mode=mode, bufsize=_CHUNK) as archive:
            for member in archive:
                try:
                    _extract_member(archive, member, root, root_real, digests)
                except OSError as exc:
                    if isinstance(exc, errors.TfHubError) or exc.errno is None:
                        raise
                    raise _member_failure(member, root, exc) from exc
                count += 1
            _check_end_marker(archive, source)
            _read_to_end(fileobj)
        _check_links(root, root_real)
    except _READ_ERRORS as exc:
        raise errors.ArchiveError(
            f"{source} does not appear to be a valid module: the body is not a complete "
            f"tar archive ({type(exc).__name__}: {exc}). Check that the URL serves a "
            "model archive (tar, tar.gz) and that the download was not cut short."
        ) from exc
    except OSError as exc:
        if isinstance(exc, errors.TfHubError) or not _looks_like_codec_error(exc):
            raise
        raise errors.ArchiveError(f"{source} does not appear to be a valid module: {exc}.") from exc
    if count == 0:
        raise errors.ArchiveError(f"{source} does not appear to be a valid module: the archive is empty.")
    return count


def _read_to_end(fileobj: BinaryIO) -> None:
    """Reads the decompressor to its end, where gzip/bz2/xz check their CRC."""
    while fileobj.read(_CHUNK):
        pass


def _check_end_marker(archive: tarfile.TarFile, source: str) -> None:
    """A tar cut at a member boundary reads as a shorter archive; its end block tells.

    (Compressed archives are also caught by their codec's end check.)

    Raises:
        ArchiveError: the archive stopped without its end-of-archive block.
    """
    if archive.fileobj.tell() - archive.offset < tarfile.BLOCKSIZE:
        raise errors.ArchiveError(
            f"{source} does not appear to be a valid module: the tar archive ends without its "
            "end-of-archive block, so it was cut short. Download it again."
        )


def _looks_like_codec_error(exc: OSError) -> bool:
    """isal and bz2 raise plain OSErrors for corrupt data."""
    text = str(exc).lower()
    return exc.errno is None and any(word in text for word in ("gzip", "deflate", "compressed", "header", "crc", "invalid data"))


def _sorted_tree(directory: str) -> Iterable[str]:
    """Relative paths below ``directory``, parents before children, sorted."""
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames.sort()
        relative_dir = os.path.relpath(dirpath, directory)
        if relative_dir != ".":
            yield relative_dir
        for filename in sorted(filenames):
            yield os.path.normpath(os.path.join(relative_dir, filename))


def _normalized_info(archive: tarfile.TarFile, full: str, relative: str) -> tarfile.TarInfo:
    info = archive.gettarinfo(full, arcname=relative.replace(os.sep, "/"))
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = 0
    if info.isdir():
        info.mode = 0o755
    elif info.isreg():
        info.mode = 0o755 if os.access(full, os.X_OK) else 0o644
    return info


def pack(directory: Union[str, Path], out: BinaryIO, compresslevel: int = 6) -> None:
    """Writes ``directory`` as a deterministic tar.gz to ``out``.

    The same tree gives the same bytes: members sorted, owners, times and
    the gzip header zeroed.
    """
    directory = os.fspath(directory)
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="", compresslevel=compresslevel) as gz:
        with tarfile.open(fileobj=gz, mode="w|", format=tarfile.PAX_FORMAT) as archive:
            for relative in _sorted_tree(directory):
                full = os.path.join(directory, relative)
                info = _normalized_info(archive, full, relative)
                if info.isreg():
                    with open(full, "rb") as data:
                        archive.addfile(info, data)
                else:
                    archive.addfile(info)


def pack_to_file(directory: Union[str, Path], archive_path: Union[str, Path]) -> None:
    """:func:`pack` into a file, written atomically."""
    archive_path = Path(archive_path)
    temp = archive_path.with_name(archive_path.name + ".partial")
    try:
        with open(temp, "wb") as out:
            pack(directory, out)
        os.replace(temp, archive_path)
    finally:
        if temp.exists():
            temp.unlink()
