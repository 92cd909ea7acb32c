"""Archive bodies sent by sendfile (tfhub.server.zerocopy) against a real `tfhub serve`.

The in-process protocol tests go through Starlette's TestClient, which does not
offer the zerocopysend extension; these are the answers that do take it: ranges
that start and end inside and across its 1 MiB pieces, keep-alive after a body
the kernel sent, and the access log's byte count.
"""

from __future__ import annotations

import http.client

import pytest

from tests.conftest import pack_bytes
from tests.server.conftest import BIG_PATH

COMPRESSED = "?tf-hub-format=compressed"
MIB = 1 << 20


@pytest.fixture
def big_archive(serve_root) -> bytes:
    archive = pack_bytes(serve_root / BIG_PATH)
    assert len(archive) > 3 * MIB  # the ranges below cross pieces
    return archive


def _get(connection: http.client.HTTPConnection, path: str, headers=None) -> http.client.HTTPResponse:
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.body = response.read()
    return response


@pytest.mark.parametrize("first,last", [(0, 0), (1000, 2000), (MIB - 5, MIB + 5), (MIB, 2 * MIB - 1),
                                        (MIB + 1, 3 * MIB + 7), (-100, None), (2 * MIB + 3, None)])
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
    part = _get(connection, "/" + BIG_PATH + COMPRESSED, {"Range": "bytes=5-9"})
    again = _get(connection, "/" + BIG_PATH + COMPRESSED)
    page = _get(connection, "/")
    assert connection.sock is sock  # one connection throughout: each body ended where h11 said
    connection.close()
    assert (whole.status, whole.body) == (200, big_archive)
    assert (part.status, part.body) == (206, big_archive[5:10])
    assert (again.status, again.body) == (200, big_archive)
    assert page.status == 200 and b"<html" in page.body.lower()
    records = server.wait_for_log(lambda r: r["status"] in (200, 206) and r["query"])
    assert [r["bytes"] for r in records[:3]] == [len(big_archive), 5, len(big_archive)]
    assert all(r["outcome"] == "ok" for r in records[:3])
