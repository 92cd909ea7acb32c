"""`tfhub serve`'s catalog on real models, in whatever lane runs it (the TensorFlow-free one too).

The model pages describe models with tfhub's own SavedModel reader, so they need
no TensorFlow: the server process must answer 200 and never import it.
"""

from __future__ import annotations

import shutil
import time

import pytest
import requests

from tests.formats.tensorflow_reference import real_model_dirs
from tests.server.serving import ServeProcess
from tests.server.test_catalog_browser import _PNG_MAGIC, _render

# url path -> (real model id, format shown, a signature input shown)
_MODELS = {
    "real/tf2/1": ("23_keras_sms_spam", "TF2 SavedModel", "float32[?, 8]"),
    "real/tf1/1": ("09_tfx_taxi_estimator", "TF1 SavedModel", "string[?]"),
    "real/hub/1": ("half_plus_two_v1", "TF1 Hub format", "float32&lt;unknown rank&gt;"),
}


@pytest.fixture
def real_server(shared_testdata, tmp_path):
    models = real_model_dirs(shared_testdata, tmp_path / "extracted")
    root = tmp_path / "root"
    for url_path, (model_id, _, _) in _MODELS.items():
        shutil.copytree(models[model_id], root / url_path)
    process = ServeProcess(root, tmp_path / "archives")
    yield process
    process.stop()


def _tensorflow_imported(server: ServeProcess) -> bool:
    import os

    maps = open(f"/proc/{server.process.pid}/maps").read() if os.path.exists("/proc") else ""
    return "_pywrap_tensorflow" in maps


def test_model_pages_answer_without_importing_tensorflow(real_server):
    started = time.monotonic()
    first = requests.get(real_server.url + "real/tf2/1", timeout=60)
    first_seconds = time.monotonic() - started
    assert first.status_code == 200, first.text
    for url_path, (_, format_name, shown_input) in _MODELS.items():
        page = requests.get(real_server.url + url_path, timeout=60)
        assert page.status_code == 200, page.text
        assert format_name in page.text and shown_input in page.text, url_path
    assert not _tensorflow_imported(real_server)
    assert first_seconds < 10  # ~0.1 s; importing TensorFlow took seconds


def test_a_model_page_renders_in_chromium(real_server, tmp_path):
    url = real_server.url + "real/tf2/1"
    shot = tmp_path / "page.png"
    _render(url, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1200,900")
    data = shot.read_bytes()
    assert data.startswith(_PNG_MAGIC) and len(data) > 10_000  # a real, non-blank page
    dom = _render(url, tmp_path / "profile-dom", "--dump-dom").stdout.decode()
    assert "TF2 SavedModel" in dom and "serving_default" in dom and "float32[?, 8]" in dom
    saved = __import__("os").environ.get("TFHUB_TEST_SCREENSHOT")
    if saved:  # to look at it
        shutil.copyfile(shot, saved)
