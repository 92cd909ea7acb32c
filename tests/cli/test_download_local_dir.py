"""`tfhub download HANDLE --local-dir DIR`: the model's files in a directory of one's choice."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import pack_bytes
from tfhub.resolving import handles


def _tfhub(*args: str, env: dict = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tfhub", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def _files(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def model(tmp_path) -> Path:
    root = tmp_path / "model"
    (root / "variables").mkdir(parents=True)
    (root / "saved_model.pb").write_bytes(os.urandom(3000))
    (root / "variables" / "variables.index").write_bytes(b"index")
    return root


@pytest.fixture
def served(http_server, model) -> tuple:
    data = pack_bytes(model)
    return http_server.add("/models/m/1", body=data), hashlib.sha256(data).hexdigest()


def test_files_land_in_a_new_directory_with_its_parents(served, model, tmp_path, cache_dir):
    url, _ = served
    target = tmp_path / "out" / "deep" / "m"
    result = _tfhub("download", url, "--local-dir", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(target)
    assert _files(target) == _files(model)
    assert sorted(os.listdir(target.parent)) == ["m"]  # no temp dir left beside it
    assert (cache_dir / handles.cache_key(url) / "saved_model.pb").is_file()  # the cache keeps its entry


def test_an_empty_directory_is_filled_and_a_non_empty_one_needs_overwrite(served, model, tmp_path):
    url, _ = served
    target = tmp_path / "m"
    target.mkdir()
    assert _tfhub("download", url, "--local-dir", str(target)).returncode == 0
    assert _files(target) == _files(model)
    (target / "mine.txt").write_text("keep me")
    refused = _tfhub("download", url, "--local-dir", str(target))
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[0] == (
        f"tfhub: error: --local-dir {target} is not empty; choose an empty or new directory, "
        "or add --overwrite to replace its contents.")
    assert (target / "mine.txt").read_text() == "keep me"
    assert _tfhub("download", url, "--local-dir", str(target), "--overwrite").returncode == 0
    assert _files(target) == _files(model)
    assert sorted(os.listdir(tmp_path)) == sorted(["m", "model", "tfhub_cache"])


def test_a_pin_mismatch_leaves_nothing(served, tmp_path):
    url, digest = served
    target = tmp_path / "m"
    result = _tfhub("download", url, "--local-dir", str(target), "--sha256", "0" * 64)
    assert result.returncode != 0 and "SHA-256" in result.stderr
    assert not target.exists()
    assert _tfhub("download", url, "--local-dir", str(target), "--sha256", digest).returncode == 0


def test_a_local_archive_and_a_directory_handle_can_be_copied(model, tmp_path):
    archive_path = tmp_path / "m.tar.gz"
    archive_path.write_bytes(pack_bytes(model))
    assert _tfhub("download", str(archive_path), "--local-dir", str(tmp_path / "a")).returncode == 0
    assert _tfhub("download", str(model), "--local-dir", str(tmp_path / "b")).returncode == 0
    assert _files(tmp_path / "a") == _files(model) == _files(tmp_path / "b")


def test_a_file_in_the_way_and_overwrite_alone_are_refused(served, tmp_path):
    url, _ = served
    (tmp_path / "file").write_text("x")
    result = _tfhub("download", url, "--local-dir", str(tmp_path / "file"), "--overwrite")
    assert result.returncode == 1 and "is not a directory" in result.stderr
    assert (tmp_path / "file").read_text() == "x"
    result = _tfhub("download", url, "--overwrite")
    assert result.returncode == 1 and "--overwrite applies to --local-dir" in result.stderr
