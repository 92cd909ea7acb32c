"""Streaming tar extraction that never writes outside its target, and packing.

Archives are read once, front to back (``tarfile`` stream mode), so a download
goes straight from the socket into files. gzip is undone by ISA-L on a thread of
its own when ``isal`` is installed, by zlib otherwise; bz2 and xz work too.
Every codec must reach its end-of-stream mark, and a plain tar its end block,
so an archive cut short is always an error.

Hostile archives meet bounds before they cost memory or time: extended
headers (PAX, GNU long names) are refused past :data:`MAX_HEADER_BYTES`
before they are read, member names past :data:`MAX_DEPTH` components or
holding NUL, and reading stops :data:`TRAILER_SLACK` bytes after the
end-of-archive block however long the server goes on sending.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import shutil
import tarfile
import logging
import zlib
from pathlib import Path
from typing import BinaryIO, Iterable, Union

from tfhub import errors

_log = logging.getLogger("tfhub")

_CHUNK = 1 << 20
# A PAX header holds a path, a link target and a few numbers; a GNU long name a path.
MAX_HEADER_BYTES = 1 << 20
# Deeper names exhaust Python's recursion (os.makedirs, os.walk, shutil.rmtree).
MAX_DEPTH = 200
# What may follow the end-of-archive block (tar pads to its record size,
# 10 KiB by default, up to 1 MiB with a large blocking factor).
TRAILER_SLACK = 4 << 20
# Body bytes the decompressor may take without giving anything (its output comes
# in blocks of at most 1 MiB, and deflate never grows data by more than 0.1%).
SILENT_SLACK = 16 << 20
_EXTENDED_HEADER_TYPES = frozenset({
    tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE,
    tarfile.GNUTYPE_LONGNAME, tarfile.GNUTYPE_LONGLINK,
})
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
        self._budget: "int | None" = None  # bytes still allowed, once the archive has ended
        self._silent = 0  # bytes read since the decompressor last gave anything
        self.cut = False  # True once a bound ran out: reads then see an end of stream

    def output_seen(self) -> None:
        """The decompressor gave data: what was read so far was not padding."""
        self._silent = 0

    def limit(self, count: int) -> None:
        """From now on, reads see at most ``count`` more bytes, then an end of stream."""
        self._budget = count

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
        # gzip and xz skip zero padding after their end without giving anything,
        # for as long as it comes: SILENT_SLACK bytes of that is the end.
        if self._silent >= SILENT_SLACK or (self._budget is not None and self._budget <= 0):
            self.cut = True
            return 0
        if self._budget is not None:
            buffer = memoryview(buffer)[: self._budget]
        count = self._readinto(buffer)
        self._silent += count
        if self._budget is not None:
            self._budget -= count
        return count

    def _readinto(self, buffer) -> int:  # noqa: ANN001 - memoryview
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


    def abort(self) -> None:
        """Passes an interruption on to the source (see HttpBody.abort)."""
        _call_source(self._stream, "abort")

    def end(self) -> None:
        """Tells the source nothing more will be read (see HttpBody.end)."""
        _call_source(self._stream, "end")


def _call_source(stream: object, method: str) -> None:
    """Calls ``method`` of a stream, or of the stream it wraps, when one has it.

    Only HTTP bodies have ``abort``/``end``; files and gfile streams need neither.
    """
    for _ in range(8):  # a few layers of wrappers at most
        function = getattr(stream, method, None)
        if callable(function):
            function()
            return
        stream = getattr(stream, "_stream", None)
        if stream is None:
            return


class _OutputWatch:
    """The decompressed stream, telling the source stream each time data comes out."""

    def __init__(self, fileobj: BinaryIO, source: _PeekableStream):
        self._fileobj = fileobj
        self._source = source

    def read(self, size: int = -1) -> bytes:
        data = self._fileobj.read(size)
        if data:
            self._source.output_seen()
        return data


class _BoundedTarInfo(tarfile.TarInfo):
    """A TarInfo that refuses huge extended headers before reading them into memory."""

    def _proc_member(self, tarfile_):  # noqa: ANN001,ANN202 - tarfile's hook
        if self.type in _EXTENDED_HEADER_TYPES and self.size > MAX_HEADER_BYTES:
            raise errors.UnsafeArchiveError(
                f"The archive has an extended tar header of {self.size} bytes (at most "
                f"{MAX_HEADER_BYTES} are accepted); it is not a model archive."
            )
        return super()._proc_member(tarfile_)

    def _proc_sparse(self, tarfile_):  # noqa: ANN001,ANN202 - tarfile's hook
        raise errors.UnsafeArchiveError(f"Archive member {self.name!r} is a GNU sparse file; model archives hold plain files.")

    def _proc_gnusparse_10(self, next, pax_headers, tarfile_):  # noqa: A002,ANN001,ANN202
        raise errors.UnsafeArchiveError(f"Archive member {next.name!r} is a GNU sparse file; model archives hold plain files.")


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
    if "\0" in name:
        raise errors.UnsafeArchiveError(f"Archive member {name!r} has a NUL character in its name; refusing it.")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise errors.UnsafeArchiveError(f"Archive member {name!r} has an absolute path; refusing to extract it.")
    normalized = os.path.normpath(name)
    parts = normalized.replace("\\", "/").split("/")
    if ".." in parts:
        raise errors.UnsafeArchiveError(f"Archive member {name!r} points outside the model directory (..).")
    if len(parts) > MAX_DEPTH:
        raise errors.UnsafeArchiveError(
            f"Archive member {name[:80]!r}... is {len(parts)} directories deep (at most {MAX_DEPTH}); refusing it."
        )
    return root if normalized == "." else os.path.join(root, normalized)


def _check_inside(root_real: str, path: str, what: str) -> None:
    real = os.path.realpath(path)
    if real != root_real and not real.startswith(root_real + os.sep):
        raise errors.UnsafeArchiveError(f"{what} would be written outside the model directory; refusing it.")


def _clear(path: str) -> None:
    """Removes a file or link at ``path`` so that writing there cannot follow a link."""
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)


def _extract_member(archive: tarfile.TarFile, member: tarfile.TarInfo, root: str, root_real: str) -> None:
    target = _target_path(root, member.name)
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
            shutil.copyfileobj(source, out, _CHUNK)
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


def extract(stream: BinaryIO, target: Union[str, Path], source: str) -> int:
    """Extracts the tar archive read from ``stream`` into ``target``.

    Args:
        stream: a readable binary stream (an HTTP body, a file).
        target: an existing, empty directory.
        source: the URL or path the stream comes from, for messages.

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
    source_stream = _PeekableStream(stream)
    try:
        fileobj, mode = _decompressed(source_stream)
        # Closed here, always: tarfile leaves a given file object open, and isal's
        # threaded reader must neither outlive extraction (its thread would go on
        # reading the stream) nor be closed by the garbage collector (its close()
        # joins a thread, which deadlocks when the collector runs inside threading).
        with fileobj:
            try:
                watched = _OutputWatch(fileobj, source_stream)
                with tarfile.open(fileobj=watched, mode=mode, bufsize=_CHUNK, tarinfo=_BoundedTarInfo) as archive:
                    for member in archive:
                        try:
                            _extract_member(archive, member, root, root_real)
                        except OSError as exc:
                            if isinstance(exc, errors.TfHubError) or exc.errno is None:
                                raise
                            raise _member_failure(member, root, exc) from exc
                        count += 1
                    _check_end_marker(archive, source)
                    _read_trailer(watched, source_stream, source)
            except BaseException:
                # Before close() joins a decompressor thread blocked on the network
                # (Ctrl-C must act at once, and no resume may follow).
                source_stream.abort()
                raise
        _check_links(root, root_real)
    except _READ_ERRORS as exc:
        raise errors.ArchiveError(
            f"{source} does not appear to be a valid module: the body is not a complete "
            f"tar archive ({type(exc).__name__}: {exc}). Check that the URL serves a "
            "model archive (tar, tar.gz) and that the download was not cut short."
        ) from exc
    except RecursionError as exc:
        raise errors.UnsafeArchiveError(f"{source} holds a tree too deep to extract.") from exc
    except OSError as exc:
        if isinstance(exc, errors.TfHubError) or not _looks_like_codec_error(exc):
            raise
        raise errors.ArchiveError(f"{source} does not appear to be a valid module: {exc}.") from exc
    if count == 0:
        raise errors.ArchiveError(f"{source} does not appear to be a valid module: the archive is empty.")
    return count


def _read_trailer(fileobj: _OutputWatch, raw: _PeekableStream, source: str) -> None:
    """Reads what follows the end-of-archive block, up to TRAILER_SLACK bytes.

    The decompressor is read to its end, where gzip/bz2/xz check their CRC
    (the body's padding counts in the archive's SHA-256). A server that goes
    on sending past the slack (of body, or of decompressed data) is not
    followed: the archive is complete, so extraction ends there, as
    tensorflow_hub's does.
    """
    raw.limit(TRAILER_SLACK)
    try:
        ended = _read_at_most(fileobj, TRAILER_SLACK) and not raw.cut
    except _READ_ERRORS:
        if not raw.cut:
            raise
        ended = False  # the decompressor met the end we imposed mid-member
    if not ended:
        _log.warning("%s goes on for more than %d bytes after the end of its tar archive; "
                     "the rest is ignored.", source, TRAILER_SLACK)
        raw.end()


def _read_at_most(stream: "BinaryIO | _OutputWatch", limit: int) -> bool:
    """Reads ``stream`` to its end if that comes within ``limit`` bytes (True), else stops (False)."""
    left = limit
    while left >= 0:
        data = stream.read(min(_CHUNK, left + 1))
        if not data:
            return True
        left -= len(data)
    return False


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
