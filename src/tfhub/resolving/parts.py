"""One archive over several connections, delivered in order as its prefix grows.

Servers that cap each connection (tfhub.dev's redirects end at cloud storage)
give a single stream a fraction of the link; ``aria2c -x8`` and hf_transfer
win by asking for several byte ranges at once. :func:`open_body` does the same
when the first answer allows it: ``Accept-Ranges: bytes``, a length, and a
strong validator (every range is asked with ``If-Range``, so two versions of
the body are never spliced: a changed body fails the whole download), and
when its first MiB came slower than :data:`FAST_ENOUGH` (a faster connection
already outruns extraction).

The body is cut into pieces taken in order by ``connections`` workers, each
with its own session. A worker writes its piece into a slot of an anonymous
temp file in the cache's temp area; the reader (extraction) reads the pieces
in order from there as they fill, so extraction runs while the download does.
The file holds at most :data:`SLOTS_PER_CONNECTION` pieces per connection: a
worker waits for the reader before it overwrites a slot, so disk use and
memory stay bounded whatever the size of the archive. Each piece is an
:class:`~tfhub.resolving.download.HttpBody` of its range: resumed on a cut or
a stall, with the download's timeouts, retries and low-speed limit.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
import time
from typing import List, Optional, Tuple

from tfhub import config, errors, logs
from tfhub.resolving import download, http_session

_log = logs.logger()

PIECE_MAX = 16 << 20  # per request; large enough that the round trip of each costs little
PIECE_MIN = 1 << 20
MIN_PARALLEL_BYTES = 4 << 20  # a smaller body is one stream: more connections would not pay
# The first bytes are timed on the first connection: one this fast already outruns
# extraction (inflate, SHA-256 and tar take ~300 MB/s of random weights on one core),
# so more connections would only cost CPU (on loopback, or a LAN mirror).
PROBE_BYTES = 1 << 20
FAST_ENOUGH = 200e6  # bytes per second
SLOTS_PER_CONNECTION = 2
_CHUNK = 1 << 20
_JOIN_SECONDS = 5.0  # beyond the connect timeout, for a worker to see the abort


def open_body(url: str, handle: str, settings: config.DownloadSettings,
              spill_dir: "os.PathLike[str]") -> io.RawIOBase:
    """The body of ``url`` as a stream: over several connections when the server allows it.

    Raises:
        DownloadError: the server refused or failed (from the first request).
    """
    head = download.HttpBody(url, handle, settings)
    piece = piece_size(head, settings.connections)
    if piece is None:
        return head
    try:
        prefix, seconds = _timed_read(head, min(PROBE_BYTES, piece))
        if len(prefix) < min(PROBE_BYTES, piece) or len(prefix) >= FAST_ENOUGH * seconds:
            return _Prefixed(prefix, head)
        return PartsBody(head, settings, piece, spill_dir, prefix)
    except BaseException:
        head.close()
        raise


def _timed_read(body: io.RawIOBase, count: int) -> Tuple[bytes, float]:
    """The first ``count`` bytes of ``body`` (fewer if it ends), and the seconds spent waiting for them.

    Only the time this thread was blocked on the link counts, not the time it
    ran or waited for a CPU: on a busy machine those made a loopback body look
    slow and sent it over eight connections, which only cost more CPU.
    """
    data = bytearray()
    start, busy = time.monotonic(), _busy_seconds()
    while len(data) < count:
        chunk = body.read(count - len(data))
        if not chunk:
            break
        data += chunk
    seconds = time.monotonic() - start - (_busy_seconds() - busy)
    return bytes(data), max(seconds, 1e-9)


def _busy_seconds() -> float:
    """Seconds this thread has run or waited, runnable, for a CPU (Linux schedstat); 0 where unknown."""
    try:
        with open("/proc/thread-self/schedstat", "rb") as stats:
            running, waiting = stats.read().split()[:2]
        return (int(running) + int(waiting)) / 1e9
    except (OSError, ValueError):
        return 0.0


class _Prefixed(io.RawIOBase):
    """``head`` read on one connection, after the bytes already taken from it."""

    def __init__(self, prefix: bytes, head: download.HttpBody):
        super().__init__()
        self.url = head.url
        self._prefix = memoryview(prefix)
        self._stream = head  # the name archive_streams follows to abort() and end()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # memoryview/bytearray
        if not self._prefix:
            return self._stream.readinto(buffer)
        count = min(len(buffer), len(self._prefix))
        buffer[:count], self._prefix = self._prefix[:count], self._prefix[count:]
        return count

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


def piece_size(head: download.HttpBody, connections: int) -> Optional[int]:
    """The size of each ranged request for this body, or None for one stream."""
    total = head.total
    if connections < 2 or total is None or total < MIN_PARALLEL_BYTES:
        return None
    if head.validator is None or not head.offers_ranges:
        return None
    # At least two pieces per connection, so that a slow one does not hold the end back.
    return max(PIECE_MIN, min(PIECE_MAX, -(-total // (2 * connections))))


class PartsBody(io.RawIOBase):
    """A body fetched in pieces by worker threads, read in order.

    ``head`` (the first answer, a whole body) supplies the first piece; the
    other pieces are asked of the URL it was finally served from, with
    credentials only when that is still the origin asked for.
    """

    def __init__(self, head: download.HttpBody, settings: config.DownloadSettings, piece: int,
                 spill_dir: "os.PathLike[str]", prefix: bytes = b""):
        super().__init__()
        self.url = head.url
        self._handle = head.handle
        self._total = head.total
        self._piece = piece
        self._count = -(-self._total // piece)
        self._slots = min(self._count, settings.connections * SLOTS_PER_CONNECTION)
        self._file = tempfile.TemporaryFile(dir=spill_dir, prefix="tfhub-parts-")
        self._filled = [0] * self._count  # bytes of each piece written so far
        self._done_reading = 0  # pieces the reader has finished: their slots are free
        self._reader_waits_for: Optional[int] = None  # the piece the reader waits on, if it waits
        self._next = 1  # the next piece a worker takes (piece 0 comes from the head)
        self._position = 0
        self._error: Optional[BaseException] = None
        self._stopped = False
        self._changed = threading.Condition()
        self._aborted = threading.Event()  # shared by every part: one abort stops all
        self._bodies: List[download.HttpBody] = [head]
        self._bar = head.hand_over_bar()
        self._settings = settings
        self._validator = head.validator
        self._part_url = head.final_url
        workers = min(settings.connections, self._count)
        sessions = [self._part_session(head.url) for _ in range(workers)]
        self._prefix = prefix  # the first bytes of piece 0, already read from the head
        self._threads = [threading.Thread(target=self._work, args=(session, head if i == 0 else None),
                                          name=f"tfhub-part-{i}", daemon=True)
                         for i, session in enumerate(sessions)]
        for thread in self._threads:
            thread.start()

    def _part_session(self, asked_url: str):  # requests.Session
        session = download.new_session(settings=self._settings)
        if not http_session.same_credentials_origin(asked_url, self._part_url):
            http_session.drop_credentials(session)
        return session

    def _span(self, index: int) -> Tuple[int, int]:
        start = index * self._piece
        return start, min(self._total, start + self._piece)

    # -- workers --------------------------------------------------------------
    def _work(self, session, first: Optional[download.HttpBody]) -> None:
        try:
            if first is not None:
                self._fill(0, first)
            while True:
                index = self._claim()
                if index is None:
                    return
                body = download.HttpBody(self._part_url, self._handle, self._settings, session=session,
                                         span=self._span(index), validator=self._validator,
                                         bar=self._bar, aborted=self._aborted)
                self._fill(index, body)
        except BaseException as exc:  # handed to the reader, which raises it
            self._fail(exc)
        finally:
            session.close()

    def _claim(self) -> Optional[int]:
        """The next piece to fetch, once its slot is free; None when there is none or all stop."""
        with self._changed:
            while not self._stopped and self._next < self._count and self._next >= self._done_reading + self._slots:
                self._changed.wait()
            if self._stopped or self._next >= self._count:
                return None
            self._next += 1
            return self._next - 1

    def _fill(self, index: int, body: download.HttpBody) -> None:
        """Writes piece ``index`` from ``body`` into its slot, telling the reader as it grows."""
        with self._changed:
            if self._stopped:
                body.close()
                return
            if body not in self._bodies:
                self._bodies.append(body)
        start, end = self._span(index)
        offset = (index % self._slots) * self._piece
        buffer = memoryview(bytearray(_CHUNK))
        done = 0
        if index == 0 and self._prefix:
            os.pwrite(self._file.fileno(), self._prefix, offset)
            done, self._prefix = len(self._prefix), b""
            with self._changed:
                self._filled[index] = done
                self._changed.notify_all()
        try:
            while done < end - start:
                count = body.readinto(buffer[: min(_CHUNK, end - start - done)])
                if not count:
                    raise errors.DownloadError(
                        f"Downloading '{self._handle}' failed: the body ended at byte {start + done} "
                        f"of {self._total}.")
                os.pwrite(self._file.fileno(), buffer[:count], offset + done)
                done += count
                with self._changed:
                    self._filled[index] = done
                    if self._reader_waits_for == index:  # waking it for any other piece is wasted
                        self._changed.notify_all()
        finally:
            with self._changed:
                self._bodies.remove(body)
            body.close()

    def _fail(self, exc: BaseException) -> None:
        with self._changed:
            if self._error is None and not self._stopped:
                self._error = exc
        self._stop()

    def _stop(self) -> None:
        """Every worker stops: waits end, blocked reads return, no resume follows."""
        with self._changed:
            self._stopped = True
            self._aborted.set()
            bodies = list(self._bodies)
            self._changed.notify_all()
        for body in bodies:
            body.abort()

    # -- the reader -----------------------------------------------------------
    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # memoryview/bytearray
        with self._changed:
            while True:
                if self._error is not None:
                    raise self._error
                if self._position >= self._total or self._stopped:
                    if self._stopped and self._aborted.is_set() and self._position < self._total:
                        raise errors.DownloadError(f"Downloading '{self._handle}' was interrupted.")
                    return 0
                index, within = divmod(self._position, self._piece)
                available = self._filled[index] - within
                if available > 0:
                    break
                self._reader_waits_for = index
                self._changed.wait()
                self._reader_waits_for = None
        view = memoryview(buffer).cast("B")[:available]
        count = os.preadv(self._file.fileno(), [view], (index % self._slots) * self._piece + within)
        self._position += count
        if within + count == self._span(index)[1] - self._span(index)[0]:
            with self._changed:
                self._done_reading = index + 1
                self._changed.notify_all()
        return count

    def abort(self) -> None:
        """Stops the download from any thread (see HttpBody.abort)."""
        self._stop()

    def end(self) -> None:
        """Reads nothing more (see HttpBody.end)."""
        with self._changed:
            self._position = self._total
        self._stop()

    def close(self) -> None:
        if not self.closed:
            self._stop()
            # One deadline for all: a worker connecting when stopped sees it within the connect timeout.
            wait = self._settings.timeouts[0] + _JOIN_SECONDS
            deadline = time.monotonic() + wait
            for thread in self._threads:
                thread.join(max(0.0, deadline - time.monotonic()))
            if any(thread.is_alive() for thread in self._threads):
                _log.warning("Download threads of '%s' did not stop within %.0f s.", self._handle, wait)
            self._bar.close()
            self._file.close()
        super().close()
