"""The catalog pages rendered by a real browser (headless Chromium).

`make test` installs Debian's `chromium` when it is missing; where that could
not be done (no apt, not root) the test is skipped and says why.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.server.conftest import TF1_PATH, TF2_PATH

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Flags for a closed network and a root user (see the machine's notes).
_CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--virtual-time-budget=5000",
)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (make test installs Debian's chromium with apt when it can)")


def _render(url: str, profile: Path, *action: str) -> subprocess.CompletedProcess:
    command = [_chromium(), *_CHROMIUM_FLAGS, f"--user-data-dir={profile}", *action, url]
    return subprocess.run(command, capture_output=True, timeout=120, check=True)


@pytest.mark.parametrize("path, format_name, signature", [
    (TF2_PATH, "TF2 SavedModel", "serving_default"),
    (TF1_PATH, "TF1 Hub format", "default"),
])
def test_model_page_renders_with_format_and_signatures(server, tmp_path, path, format_name, signature):
    url = server.url + path
    shot = tmp_path / "page.png"
    _render(url, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1200,900")
    data = shot.read_bytes()
    assert data.startswith(_PNG_MAGIC) and len(data) > 10_000  # a real, non-blank page
    dom = _render(url, tmp_path / "profile-dom", "--dump-dom").stdout.decode()
    assert format_name in dom and signature in dom
    assert "float32" in dom  # the signature's inputs and outputs are shown


def test_catalog_index_renders_every_model(server, tmp_path):
    dom = _render(server.url, tmp_path / "profile", "--dump-dom").stdout.decode()
    for path in (TF2_PATH, TF1_PATH):
        assert path in dom
    assert "TF1 Hub format" in dom and "SavedModel" in dom
