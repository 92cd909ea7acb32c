"""A local .tar.gz/.tgz/.tar handle (what `tfhub pack` writes) is extracted into the cache like a download."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import tfhub as hub
from tests.conftest import pack_bytes
from tfhub import errors


def _tfhub(*args: str, cwd: Path, env: dict = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tfhub", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=300)


def _model(root: Path, marker: bytes) -> Path:
    (root / "variables").mkdir(parents=True)
    (root / "saved_model.pb").write_bytes(b"pb " + marker)
    (root / "variables" / "variables.index").write_bytes(b"index " + marker)
    return root


def _entries(cache: Path) -> list:
    return sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) if cache.exists() else []


def test_tfhub_pack_output_resolves_and_loads_from_a_relative_and_an_absolute_path(
        tmp_path, tf2_model_dir, cache_dir):
    assert _tfhub("pack", str(tf2_model_dir), "m.tar.gz", cwd=tmp_path).returncode == 0
    relative = _tfhub("resolve", "m.tar.gz", cwd=tmp_path)
    absolute = _tfhub("resolve", str(tmp_path / "m.tar.gz"), cwd=tmp_path / "..")
    assert relative.returncode == 0, relative.stderr
    assert relative.stdout == absolute.stdout  # one entry, keyed by the absolute path
    path = Path(relative.stdout.strip())
    assert path.parent == cache_dir and (path / "saved_model.pb").is_file()
    loaded = subprocess.run(
        [sys.executable, "-c", "import tfhub as hub, tensorflow as tf; m = hub.load('m.tar.gz'); "
         "print(float(m(tf.constant([[2.0]]))[0][0]))"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={**os.environ, "TFHUB_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "7.0"  # x * 3 + 1


@pytest.mark.parametrize("name, data", [
    ("m.tgz", lambda d: pack_bytes(d)),
    ("m.tar", lambda d: gzip.decompress(pack_bytes(d))),
    ("model-archive", lambda d: pack_bytes(d)),  # no suffix: gzip's magic bytes
    ("model-tar", lambda d: gzip.decompress(pack_bytes(d))),  # no suffix: a tar header
])
def test_suffixes_and_magic_bytes(tmp_path, cache_dir, name, data):
    archive_path = tmp_path / name
    archive_path.write_bytes(data(_model(tmp_path / "model", b"one")))
    path = Path(hub.resolve(str(archive_path)))
    assert path.parent == cache_dir
    assert (path / "saved_model.pb").read_bytes() == b"pb one"
    assert hub.resolve("file://" + str(archive_path)) == str(path)


def test_directories_and_other_files_are_still_read_in_place(tmp_path, cache_dir):
    model = _model(tmp_path / "model", b"one")
    assert hub.resolve(str(model)) == str(model)
    other = tmp_path / "notes.txt"
    other.write_text("not an archive")
    assert hub.resolve(str(other)) == str(other)
    assert _entries(cache_dir) == []


def test_a_rewritten_archive_is_extracted_again(tmp_path, cache_dir):
    archive_path = tmp_path / "m.tar.gz"
    archive_path.write_bytes(pack_bytes(_model(tmp_path / "a", b"one")))
    first = hub.resolve(str(archive_path))
    stat = os.stat(archive_path)
    # Same size and mtime (cp -p, touch -r): the inode's ctime still tells the change.
    archive_path.write_bytes(pack_bytes(_model(tmp_path / "b", b"two")))
    assert os.stat(archive_path).st_size == stat.st_size
    os.utime(archive_path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = hub.resolve(str(archive_path))
    assert second != first
    assert (Path(second) / "saved_model.pb").read_bytes() == b"pb two"
    assert hub.resolve(str(archive_path)) == second  # unchanged now: a cache hit


def test_pins_apply_as_to_a_download(tmp_path, cache_dir, monkeypatch):
    data = pack_bytes(_model(tmp_path / "model", b"one"))
    archive_path = tmp_path / "m.tar.gz"
    archive_path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    with pytest.raises(errors.IntegrityError):
        hub.resolve(str(archive_path), sha256="0" * 64)
    assert _entries(cache_dir) == []  # a mismatch leaves nothing
    with pytest.raises(errors.IntegrityError):
        hub.resolve(f"{archive_path}#sha256={'1' * 64}")
    assert _entries(cache_dir) == []
    pin_file = tmp_path / "pins.txt"
    pin_file.write_text(f"{'2' * 64}  {archive_path}\n")
    monkeypatch.setenv("TFHUB_PIN_FILE", str(pin_file))
    with pytest.raises(errors.IntegrityError):
        hub.resolve(str(archive_path))
    pin_file.write_text(f"{digest}  {archive_path}\n")
    path = hub.resolve(str(archive_path))
    assert (Path(path) / "saved_model.pb").read_bytes() == b"pb one"
    assert hub.resolve(f"{archive_path}#sha256={digest}") == path


def test_works_offline(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setenv("TFHUB_OFFLINE", "1")
    archive_path = tmp_path / "m.tar.gz"
    archive_path.write_bytes(pack_bytes(_model(tmp_path / "model", b"one")))
    assert (Path(hub.resolve(str(archive_path))) / "saved_model.pb").is_file()


def test_an_archive_with_dot_dot_members_is_refused_and_leaves_nothing(tmp_path, cache_dir):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for name in ("saved_model.pb", "../escape"):
            info = tarfile.TarInfo(name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    archive_path = tmp_path / "evil" / "m.tar.gz"
    archive_path.parent.mkdir()
    archive_path.write_bytes(raw.getvalue())
    result = _tfhub("resolve", str(archive_path), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("tfhub: error: ") and "outside" in result.stderr
    assert not (tmp_path / "escape").exists() and not (cache_dir.parent / "escape").exists()
    assert _entries(cache_dir) == []


def test_a_missing_archive_is_not_found(tmp_path):
    with pytest.raises(errors.HandleNotFoundError):
        hub.resolve(str(tmp_path / "missing.tar.gz"))
