"""Fixtures: a served root with both model formats, and `tfhub serve` running on it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the `serve` extra (starlette, uvicorn) is not installed")

from tests.server.serving import InProcessServe, ServeProcess

TF2_PATH = "demo/scaler/1"
TF1_PATH = "demo/half_plus_two/1"
BIG_PATH = "demo/big/1"
BIG_EXTRA_BYTES = 3 << 20


@pytest.fixture
def serve_root(tmp_path: Path, tf2_model_dir: Path, tf1_hub_module_dir: Path) -> Path:
    """ROOT with a TF2 SavedModel, a TF1 Hub format module, a bigger model and a non-model dir."""
    root = tmp_path / "root"
    shutil.copytree(tf2_model_dir, root / TF2_PATH)
    shutil.copytree(tf1_hub_module_dir, root / TF1_PATH)
    shutil.copytree(tf2_model_dir, root / BIG_PATH)
    (root / BIG_PATH / "assets").mkdir(exist_ok=True)
    (root / BIG_PATH / "assets" / "noise.bin").write_bytes(os.urandom(BIG_EXTRA_BYTES))
    (root / "demo" / "notes").mkdir()
    (root / "demo" / "notes" / "README.txt").write_text("not a model")
    return root


def _serving(root: Path, archive_dir: Path):
    process = ServeProcess(root, archive_dir)
    yield process
    process.stop()


@pytest.fixture
def server(serve_root: Path, tmp_path: Path):
    """`tfhub serve ROOT` as a subprocess on a free port."""
    yield from _serving(serve_root, tmp_path / "archives")


@pytest.fixture
def app(serve_root: Path, tmp_path: Path):
    """`tfhub serve ROOT`'s app in-process (Starlette's TestClient): for the protocol's answers."""
    served = InProcessServe(serve_root, tmp_path / "archives")
    yield served
    served.close()


@pytest.fixture
def catalog_root(tmp_path: Path, tf2_model_dir: Path, tf1_hub_module_dir: Path) -> Path:
    """ROOT with acme's models, and the hand-written docs tree at ROOT/docs (found by default)."""
    from tests.server.catalog_tree import write_docs, write_root

    root = write_root(tmp_path / "catalog-root", tf2_model_dir, tf1_hub_module_dir)
    write_docs(root / "docs")
    return root


@pytest.fixture
def catalog_server(catalog_root: Path, tmp_path: Path):
    """`tfhub serve ROOT` on the hand-written catalog (docs found at ROOT/docs)."""
    yield from _serving(catalog_root, tmp_path / "catalog-archives")
