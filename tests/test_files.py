"""The shared file primitives (tfhub/files.py, #18): all or nothing, and a walk in one order."""

import hashlib
import io
import os

import pytest

from tfhub import files


def test_atomic_file_keeps_the_old_file_when_the_write_fails(tmp_path):
    target = tmp_path / "info.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with files.atomic_file(target) as out:
            out.write(b"half")
            raise RuntimeError("disk trouble")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["info.json"]  # no temp file left
    files.write_text_atomically(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["info.json"]


def test_atomic_directory_replaces_only_a_complete_directory(tmp_path):
    dst = tmp_path / "model"
    dst.mkdir()
    (dst / "old.txt").write_text("old")
    with pytest.raises(ValueError):
        with files.atomic_directory(dst) as tmp:
            (tmp_path / tmp / "new.txt").write_text("half")
            raise ValueError("conversion failed")
    assert [p.name for p in tmp_path.iterdir()] == ["model"] and (dst / "old.txt").exists()
    with files.atomic_directory(dst) as tmp:
        (tmp_path / tmp / "new.txt").write_text("new")
    assert [p.name for p in dst.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_walk_lists_parents_first_sorted_and_does_not_enter_linked_directories(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("z")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "c").mkdir()
    os.symlink("b", tmp_path / "link")
    assert [r for r, _ in files.walk(tmp_path)] == ["a.txt", "link", "b/z.txt"]
    assert [r for r, _ in files.walk(tmp_path, directories=True)] == ["a.txt", "link", "b", "b/z.txt", "c"]
    assert [r for r, _ in files.walk(tmp_path, dir_links=False)] == ["a.txt", "b/z.txt"]


def test_digests_of_a_file_a_copy_and_a_stream_agree(tmp_path):
    data = os.urandom(3 * files.CHUNK + 17)
    expected = hashlib.sha256(data).hexdigest()
    (tmp_path / "f").write_bytes(data)
    assert files.file_sha256(tmp_path / "f") == expected
    out = io.BytesIO()
    assert files.copy_hashing(io.BytesIO(data), out) == expected and out.getvalue() == data
    for source in (io.BytesIO(data), open(tmp_path / "f", "rb", buffering=0)):
        with source:
            stream = files.HashingStream(source)
            assert stream.read(10) == data[:10]
            stream.drain()
            assert stream.hexdigest() == expected


def test_a_digest_on_its_own_thread_is_the_same_and_the_thread_ends(tmp_path):
    import threading

    data = os.urandom(5 * files.CHUNK + 4099)
    (tmp_path / "f").write_bytes(data)
    for source in (io.BytesIO(data), open(tmp_path / "f", "rb", buffering=0)):
        with source, files.HashingStream(source, background=True) as stream:
            assert stream.read(10) == data[:10]
            buffer = bytearray(8 * files.CHUNK)  # larger than a background read: it is cut
            assert stream.readinto(buffer) <= 2 * files.CHUNK
            stream.drain()
            assert stream.hexdigest() == hashlib.sha256(data).hexdigest()
        assert not [t for t in threading.enumerate() if t.name == "tfhub-sha256"]
    # Closed without asking for the digest (an extraction that failed): the thread ends too.
    files.HashingStream(io.BytesIO(data), background=True).close()
    assert not [t for t in threading.enumerate() if t.name == "tfhub-sha256"]


# Spellings a cache directory or pin file setting may come in; pathlib's reading is the reference.
ODD_SPELLINGS = ["/", "//", "///", "////a", "/a/", "/a//b", "/a/./b/.", "/a/../b", "//host/share/x",
                 ".", "./", "", "a", "a/", "a//b/", "./a/./", "../a", "a/..", "~/x", "/a b/c\u00e9",
                 "/.hidden/./..", "a/.../b"]


@pytest.mark.parametrize("spelling", ODD_SPELLINGS)
def test_plain_and_absolute_paths_are_spelled_as_pathlib_spells_them(spelling, tmp_path, monkeypatch):
    from pathlib import Path, PurePosixPath

    monkeypatch.chdir(tmp_path)
    assert files.plain_path(spelling) == str(PurePosixPath(spelling))
    assert files.absolute_path(spelling) == str(Path(spelling).absolute())
