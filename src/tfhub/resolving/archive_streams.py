"""The byte side of extraction: codecs, and the bounds a hostile body meets.

:func:`decompressed` picks the codec from the first bytes (ISA-L's threaded
gunzip when ``isal`` is installed, zlib otherwise; bz2; xz; plain tar).
:class:`SourceStream` wraps the body so that a server cannot keep extraction
reading: after the end-of-archive block at most :data:`TRAILER_SLACK` more
bytes are read, and :data:`SILENT_SLACK` bytes that decompress to nothing (zero
padding that gzip and xz skip for as long as it comes) count as the end.
:class:`BoundedTarInfo` refuses extended headers past :data:`MAX_HEADER_BYTES`
before tarfile reads them into memory. These checks cost one comparison per
chunk, never per byte.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import tarfile
import zlib
from typing import BinaryIO, Optional

from tfhub import errors, logs

_log = logs.logger()

CHUNK = 1 << 20
# A PAX header holds a path, a link target and a few numbers; a GNU long name a path.
MAX_HEADER_BYTES = 1 << 20
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
READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, _IsalError)


class SourceStream(io.RawIOBase):
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

    def readinto(self, buffer) -> int:  # memoryview
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

    def _readinto(self, buffer) -> int:  # memoryview
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


class TarSource:
    """The decompressed stream as tarfile reads it, and the member bodies we copy ourselves.

    tarfile's stream mode copies every byte three or four times on its way to a
    file (joins and slices of its buffer, then a BufferedReader). Here tarfile
    only parses headers, through ``read``/``tell`` and a ``seek`` that only goes
    forward (it never asks for more in ``r:`` mode over a stream); member bodies
    go from the decompressor into one reused buffer, and from there to the file
    and the hash as memoryviews. Each time data comes out, the source stream is
    told (see :meth:`SourceStream.output_seen`).
    """

    def __init__(self, fileobj: BinaryIO, source: SourceStream):
        self._fileobj = fileobj
        self._source = source
        self._position = 0
        self._buffer = memoryview(bytearray(CHUNK))

    def read(self, size: int = -1) -> bytes:
        data = self._fileobj.read(size)
        if data:
            self._position += len(data)
            self._source.output_seen()
        return data

    def tell(self) -> int:
        return self._position

    def seek(self, position: int, whence: int = io.SEEK_SET) -> int:
        """Skips forward to ``position`` (tar padding, members not extracted)."""
        if whence != io.SEEK_SET or position < self._position:
            raise tarfile.StreamError(f"cannot seek back to byte {position} of a streamed archive")
        left = position - self._position
        while left:
            count = self._readinto(self._buffer[: min(CHUNK, left)])
            if not count:
                break  # tarfile's next() then reads nothing and reports the end
            left -= count
        return self._position

    def _readinto(self, view: memoryview) -> int:
        count = self._fileobj.readinto(view) or 0
        if count:
            self._position += count
            self._source.output_seen()
        return count

    def copy(self, size: int, out: BinaryIO, digest: "Optional[hashlib._Hash]" = None) -> None:
        """Copies the next ``size`` bytes to ``out`` (an unbuffered file), hashing them into ``digest``.

        Raises:
            tarfile.ReadError: the stream ends first (the archive was cut short).
        """
        left = size
        while left:
            count = self._readinto(self._buffer[: min(CHUNK, left)])
            if not count:
                raise tarfile.ReadError("unexpected end of data")
            chunk = self._buffer[:count]
            if digest is not None:
                digest.update(chunk)
            while chunk:  # an unbuffered write may take less than it is given
                chunk = chunk[out.write(chunk):]
            left -= count


class BoundedTarInfo(tarfile.TarInfo):
    """A TarInfo that refuses huge extended headers before reading them into memory."""

    def _proc_member(self, tarfile_):  # tarfile's hook
        if self.type in _EXTENDED_HEADER_TYPES and self.size > MAX_HEADER_BYTES:
            raise errors.UnsafeArchiveError(
                f"The archive has an extended tar header of {self.size} bytes (at most "
                f"{MAX_HEADER_BYTES} are accepted); it is not a model archive."
            )
        return super()._proc_member(tarfile_)

    def _proc_sparse(self, tarfile_):  # tarfile's hook
        raise errors.UnsafeArchiveError(f"Archive member {self.name!r} is a GNU sparse file; model archives hold plain files.")

    def _proc_gnusparse_10(self, next, pax_headers, tarfile_):
        raise errors.UnsafeArchiveError(f"Archive member {next.name!r} is a GNU sparse file; model archives hold plain files.")


def decompressed(stream: SourceStream) -> BinaryIO:
    """The tar bytes of ``stream``, through the codec its first bytes name.

    bz2 and xz go through their file classes, which raise EOFError when the
    stream stops before its end.
    """
    head = stream.peek(6)
    if head.startswith(_GZIP_MAGIC):
        if _igzip_threaded is not None:
            return _igzip_threaded.open(stream, "rb", threads=1)
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if head.startswith(_BZ2_MAGIC):
        return bz2.BZ2File(stream, "rb")
    if head.startswith(_XZ_MAGIC):
        return lzma.LZMAFile(stream, "rb")
    return io.BufferedReader(stream, CHUNK)


def read_trailer(fileobj: TarSource, raw: SourceStream, source: str) -> None:
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
    except READ_ERRORS:
        if not raw.cut:
            raise
        ended = False  # the decompressor met the end we imposed mid-member
    if not ended:
        _log.warning("%s goes on for more than %d bytes after the end of its tar archive; "
                     "the rest is ignored.", source, TRAILER_SLACK)
        raw.end()


def _read_at_most(stream: "BinaryIO | TarSource", limit: int) -> bool:
    """Reads ``stream`` to its end if that comes within ``limit`` bytes (True), else stops (False)."""
    left = limit
    while left >= 0:
        data = stream.read(min(CHUNK, left + 1))
        if not data:
            return True
        left -= len(data)
    return False
