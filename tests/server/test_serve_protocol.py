"""The HTTP protocol of `tfhub serve`: archives, validators, ranges, 303, catalog, refusals.

The answers are checked on the app in-process (``app``); a real server process
(``server``) where the request line must reach it as sent, or a tfhub client
resolves over HTTP.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import requests

from tests.conftest import pack_bytes
from tests.server.conftest import TF1_PATH, TF2_PATH
from tests.server.serving import InProcessServe, raw_request

if TYPE_CHECKING:
    import httpx2 as httpx

COMPRESSED = "?tf-hub-format=compressed"


def _archive(app: InProcessServe, path: str, **headers: str) -> "httpx.Response":
    return app.get(path + COMPRESSED, headers=headers)


def test_archive_is_the_deterministic_pack_of_the_model(app, serve_root):
    response = _archive(app, TF2_PATH)
    assert response.status_code == 200
    assert response.content == pack_bytes(serve_root / TF2_PATH)
    assert response.headers["Content-Length"] == str(len(response.content))
    assert response.headers["ETag"] == '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
    assert response.headers["Accept-Ranges"] == "bytes"


def test_archive_is_built_once_and_kept_on_disk(app, tmp_path):
    first = _archive(app, TF2_PATH)
    second = _archive(app, TF2_PATH)
    assert first.content == second.content
    archives = list((tmp_path / "archives").glob("*.tar.gz"))
    assert len(archives) == 1 and archives[0].read_bytes() == first.content


def test_if_none_match_gives_304(app):
    etag = _archive(app, TF2_PATH).headers["ETag"]
    response = _archive(app, TF2_PATH, **{"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert _archive(app, TF2_PATH, **{"If-None-Match": '"other"'}).status_code == 200


def test_head_answers_headers_only(app):
    whole = _archive(app, TF1_PATH)
    head = app.head(TF1_PATH + COMPRESSED)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(whole.content))
    assert head.headers["ETag"] == whole.headers["ETag"]


def test_range_gives_206_with_the_right_bytes(app):
    whole = _archive(app, TF2_PATH).content
    part = _archive(app, TF2_PATH, Range="bytes=100-")
    assert part.status_code == 206
    assert part.content == whole[100:]
    assert part.headers["Content-Range"] == f"bytes 100-{len(whole) - 1}/{len(whole)}"
    middle = _archive(app, TF2_PATH, Range="bytes=10-19")
    assert middle.status_code == 206 and middle.content == whole[10:20]
    suffix = _archive(app, TF2_PATH, Range="bytes=-7")
    assert suffix.status_code == 206 and suffix.content == whole[-7:]


def test_range_beyond_the_end_gives_416(app):
    size = len(_archive(app, TF2_PATH).content)
    response = _archive(app, TF2_PATH, Range=f"bytes={size}-")
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"
    assert "beyond the end" in response.text


def test_if_range_with_an_old_etag_gives_the_whole_body(app):
    whole = _archive(app, TF2_PATH).content
    response = _archive(app, TF2_PATH, Range="bytes=100-", **{"If-Range": '"stale"'})
    assert response.status_code == 200 and response.content == whole


def test_uncompressed_answers_303_with_the_storage_path(serve_root, tmp_path):
    from tests.server.serving import ServeProcess

    process = ServeProcess(serve_root, tmp_path / "a", "--uncompressed-base", "gs://bucket/models/")
    try:
        response = requests.get(process.url + TF2_PATH + "?tf-hub-format=uncompressed",
                                allow_redirects=False, timeout=60)
        assert response.status_code == 303
        assert response.text == "gs://bucket/models/" + TF2_PATH
        assert "Location" not in response.headers  # as tfhub.dev: urllib must not follow it
    finally:
        process.stop()


def test_uncompressed_without_storage_explains_itself(server):
    import pytest

    import tfhub
    from tfhub import errors

    response = requests.get(server.url + TF2_PATH + "?tf-hub-format=uncompressed",
                            allow_redirects=False, timeout=60)
    assert response.status_code == 303 and "--uncompressed-base" in response.text
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TFHUB_MODEL_LOAD_FORMAT", "UNCOMPRESSED")
        with pytest.raises(errors.ProtocolError, match="uncompressed-base"):
            tfhub.resolve(server.url + TF2_PATH)


def test_the_last_format_parameter_wins_and_unknown_formats_are_refused(app):
    response = app.get(TF2_PATH + "?tf-hub-format=x&tf-hub-format=compressed")
    assert response.status_code == 200 and response.content[:2] == b"\x1f\x8b"
    bad = app.get(TF2_PATH + "?tf-hub-format=zip")
    assert bad.status_code == 400 and "'zip'" in bad.text


def test_non_model_directory_gives_404_with_a_clear_body(app):
    for path in ("demo/notes", "demo"):
        response = app.get(path + COMPRESSED)
        assert response.status_code == 404
        assert "is not a model directory" in response.text and "saved_model.pb" in response.text
    missing = app.get("demo/nothing/1" + COMPRESSED)
    assert missing.status_code == 404 and "No model at '/demo/nothing/1'" in missing.text


def test_traversal_plain_and_encoded_is_refused(server, serve_root):
    (serve_root.parent / "secret.txt").write_text("top secret")
    for path in ("/../secret.txt", "/demo/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
                 "/demo/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/demo/scaler/1/../../../.."):
        answer = raw_request(server.port, path + COMPRESSED)
        status = answer.split(b" ", 2)[1]
        assert status in (b"403", b"404", b"400"), (path, answer[:200])
        assert b"top secret" not in answer
        assert b"\x1f\x8b" not in answer


def test_symlink_out_of_the_root_is_refused(app, serve_root, tf2_model_dir):
    (serve_root / "escape").symlink_to(tf2_model_dir, target_is_directory=True)
    response = app.get("escape" + COMPRESSED)
    assert response.status_code == 403 and "outside the served root" in response.text


def test_catalog_index_lists_every_model_with_its_format(app):
    page = app.get("")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for path, kind in ((TF2_PATH, "SavedModel"), (TF1_PATH, "TF1 Hub format")):
        assert f'href="/{path}"' in page.text
        row = page.text.split(f'href="/{path}"', 1)[0].rsplit('<li class="model">', 1)[1]
        assert kind in row
    assert "demo/notes" not in page.text


def test_model_pages_show_format_signatures_and_snippet(app):
    tf2 = app.get(TF2_PATH).text
    assert "TF2 SavedModel" in tf2 and "serving_default" in tf2
    assert f"hub.KerasLayer(&quot;{app.url}{TF2_PATH}&quot;" in tf2
    tf1 = app.get(TF1_PATH).text
    assert "TF1 Hub format" in tf1 and "Signature <code>default</code>" in tf1
    assert "float32[?, 1]" in tf1 and f"hub.Module(&quot;{app.url}{TF1_PATH}&quot;)" in tf1


def test_access_log_is_structured(app):
    _archive(app, TF2_PATH, Range="bytes=5-")
    records = [r for r in app.access_log() if r["range"] == "bytes=5-"]
    assert records and records[-1]["status"] == 206 and records[-1]["path"] == "/" + TF2_PATH
    assert set(records[-1]) >= {"time", "client", "method", "bytes", "duration_ms", "outcome"}


def test_range_parsing_is_linear_and_keeps_the_valid_forms():
    import time

    from tfhub.server import ranges
    from tfhub.server.ranges import ByteRange, parse_range

    hostile = "bytes=-" + " " * 15_000 + "x"  # seconds of backtracking for the old pattern
    started = time.perf_counter()
    assert parse_range(hostile, 100) is None
    assert time.perf_counter() - started < 0.05
    assert parse_range("bytes=10-19", 100) == ByteRange(10, 19, 100)
    assert parse_range(" Bytes = 10 - ", 100) == ByteRange(10, 99, 100)
    assert parse_range("bytes=-5", 100) == ByteRange(95, 99, 100)
    for ignored in ("bytes=5-1", "bytes=1-2,4-5", "items=1-2", "bytes=\u0661-2", "bytes=1-2-3", "bytes=-"):
        assert parse_range(ignored, 100) is None, ignored
    started = time.perf_counter()
    assert ranges._split_single_range(hostile) is None  # even without the length cap, one pass
    assert time.perf_counter() - started < 0.05
