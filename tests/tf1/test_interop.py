"""Acceptance 2: modules move both ways between tfhub and tensorflow_hub 0.15."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import tfhub
from tests.tf1 import peer_export

REPO = Path(__file__).resolve().parents[2]
PEER_PYTHON = REPO / ".venv-tf215" / "bin" / "python"


def _peer_hub():
    try:
        import tensorflow_hub
    except ImportError as exc:  # pragma: no cover - depends on the lane
        pytest.skip(f"tensorflow_hub is not importable here ({exc})")
    if not hasattr(tensorflow_hub, "Module"):
        pytest.skip(f"tensorflow_hub {tensorflow_hub.__version__} has no TF1 Hub format API "
                    "(runs in the TF 2.15 lane with tensorflow_hub 0.15)")
    return tensorflow_hub


def test_tfhub_exports_load_in_tensorflow_hub(tmp_path):
    peer = _peer_hub()
    peer_export.export_with(tfhub, str(tmp_path))
    assert peer_export.outputs_of(peer, str(tmp_path)) == peer_export.EXPECTED
    assert peer_export.outputs_of(tfhub, str(tmp_path)) == peer_export.EXPECTED


def test_tensorflow_hub_exports_load_in_tfhub(tmp_path):
    peer = _peer_hub()
    peer_export.export_with(peer, str(tmp_path))
    moved = tmp_path / "moved"
    moved.mkdir()
    for name in ("affine", "lookup"):
        (tmp_path / name).rename(moved / name)
    assert peer_export.outputs_of(tfhub, str(moved)) == peer_export.EXPECTED
    assert peer_export.outputs_of(peer, str(moved)) == peer_export.EXPECTED


def test_tensorflow_hub_exports_load_in_tfhub_from_disk_on_this_tensorflow(tmp_path):
    if not PEER_PYTHON.exists():
        pytest.skip(f"the TF 2.15 lane ({PEER_PYTHON}) with tensorflow_hub 0.15 is not installed")
    subprocess.run([str(PEER_PYTHON), str(Path(peer_export.__file__)), str(tmp_path)],
                   check=True, capture_output=True, timeout=300)
    assert peer_export.outputs_of(tfhub, str(tmp_path)) == peer_export.EXPECTED
