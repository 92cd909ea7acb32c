"""Archive bodies sent by sendfile (tfhub.server.zerocopy) against a real `tfhub serve`.

The in-process protocol tests go through Starlette's TestClient, which does not
offer the zerocopysend extension; these are the answers that do take it: ranges
that start and end inside and across its pieces, keep-alive after a body the
kernel sent, and the access log's byte count.
"""

from __future__ import annotations

import http.client
import os
from pathlib import Path

import pytest

from tests.conftest import pack_bytes
from tests.server.serving import ServeProcess
from tfhub.server.archive_responses import SENDFILE_PIECE as PIECE

COMPRESSED = "?tf-hub-format=compressed"
BIG_PATH = "demo/bigger/1"


@pytest.fixture(scope="module")
def big_root(tmp_path_factory) -> Path:
    """A model of three pieces: the server sends files, it never parses saved_model.pb."""
    tmp_path = tmp_path_factory.mktemp("sendfile")
    model = tmp_path / "root" / BIG_PATH
    (model / "assets").mkdir(parents=True)
    (model / "saved_model.pb").write_bytes(b"not parsed by the archive route")
    (model / "assets" / "noise.bin").write_bytes(os.urandom(2 * PIECE + (1 << 20)))
    return tmp_path / "root"


@pytest.fixture(scope="module")
def big_archive(big_root: Path) -> bytes:
    archive = pack_bytes(big_root / BIG_PATH)
    assert len(archive) > 2 * PIECE + 7  # the ranges below cross pieces
    return archive


@pytest.fixture(scope="module")
def server(big_root: Path):
    """One server for the module: the tests only read."""
    process = ServeProcess(big_root, big_root.parent / "archives")
    yield process
    process.stop()


def _get(connection: http.client.HTTPConnection, path: str, headers=None) -> http.client.HTTPResponse:
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()
    return response


@pytest.mark.parametrize("first,last", [(0, 0), (1000, 2000), (PIECE - 5, PIECE + 5), (PIECE, 2 * PIECE - 1),
                                        (PIECE + 1, 2 * PIECE + 7), (-100, None), (PIECE + 3, None)])
def test_ranges_across_sendfile_pieces(server, big_archive, first, last):
    size = len(big_archive)
    if first < 0:  # suffix: the last N bytes
        header, start, end = f"bytes={first}", size + first, size - 1
    else:
        start, end = first, size - 1 if last is None else last
        header = f"bytes={first}-{'' if last is None else last}"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    response = _get(connection, "/" + BIG_PATH + COMPRESSED, {"Range": header})
    connection.close()
    assert response.status == 206
    assert response.getheader("Content-Range") == f"bytes {start}-{end}/{size}"
    assert response.body == big_archive[start:end + 1]


def test_keep_alive_after_a_body_sent_by_the_kernel(server, big_archive):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    whole = _get(connection, "/" + BIG_PATH + COMPRESSED)
    sock = connection.sock
    client = f"127.0.0.1:{sock.getsockname()[1]}"
    part = _get(connection, "/" + BIG_PATH + COMPRESSED, {"Range": "bytes=5-9"})
    again = _get(connection, "/" + BIG_PATH + COMPRESSED)
    page = _get(connection, "/")
    assert connection.sock is sock  # one connection throughout: each body ended where h11 said
    connection.close()
    assert (whole.status, whole.body) == (200, big_archive)
    assert (part.status, part.body) == (206, big_archive[5:10])
    assert (again.status, again.body) == (200, big_archive)
    assert page.status == 200 and b"<html" in page.body.lower()
    records = server.wait_for_log(lambda r: r["client"] == client and r["path"] == "/")
    archives = [r for r in server.access_log() if r["client"] == client and r["query"]]
    assert records and [r["bytes"] for r in archives] == [len(big_archive), 5, len(big_archive)]
    assert [r["outcome"] for r in archives] == ["ok"] * 3
