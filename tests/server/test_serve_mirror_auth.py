"""End to end: a tfhub.dev handle resolved through TFHUB_MIRROR to `tfhub serve --token-file`,
with the bearer token from TFHUB_HTTP_HEADERS; the cache key stays the original handle."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tests.server.conftest import TF2_PATH
from tests.server.serving import InProcessServe, ServeProcess
from tfhub import errors
from tfhub.resolving import handles

TOKEN = "s3cr3t-t0ken-for-tests"
ORIGINAL = "https://tfhub.dev/" + TF2_PATH


@pytest.fixture
def guarded_server(serve_root, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    process = ServeProcess(serve_root, tmp_path / "archives", "--token-file", str(token_file))
    yield process
    process.stop()


def test_requests_without_the_token_get_401(serve_root, tmp_path):
    guarded = InProcessServe(serve_root, tmp_path / "archives", token=TOKEN)  # as --token-file gives it
    try:
        response = guarded.get(TF2_PATH + "?tf-hub-format=compressed")
        assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]
        wrong = guarded.get("", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
    finally:
        guarded.close()


def test_mirror_and_bearer_token_end_to_end(guarded_server, monkeypatch, cache_dir):
    import tensorflow as tf

    import tfhub

    monkeypatch.setenv("TFHUB_MIRROR", f"https://tfhub.dev={guarded_server.url.rstrip('/')}")
    with pytest.raises(errors.DownloadError) as refused:
        tfhub.resolve(ORIGINAL)
    assert refused.value.status == 401
    monkeypatch.setenv("TFHUB_HTTP_HEADERS", f"Authorization: Bearer {TOKEN}")
    path = tfhub.resolve(ORIGINAL)
    assert os.path.basename(path) == handles.cache_key(ORIGINAL)
    model = tfhub.load(ORIGINAL)
    x = np.array([[2.0]], dtype=np.float32)
    np.testing.assert_allclose(model(tf.constant(x)).numpy(), 3 * x + 1)
    served = guarded_server.wait_for_log(lambda r: r["status"] == 200 and r["path"] == "/" + TF2_PATH)
    assert served
    assert all(TOKEN not in line for line in guarded_server.stderr_lines)
