"""Extraction of generated archives: nothing outside the target, only our errors.

Each example is a tar archive of random members (files, directories,
symbolic and hard links, FIFOs, devices) with hostile names ("..", absolute
paths, links through links), optionally compressed and cut short or with a
flipped byte. Extraction runs in a sandbox holding a sentinel beside the
target; afterwards the sandbox outside the target must be exactly as before,
any exception must be a :class:`tfhub.errors.TfHubError`, and after a
successful extraction no link in the target may lead outside it.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import tarfile
import tempfile
from pathlib import Path
from typing import List, Tuple

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.support import tally
from tfhub import errors
from tfhub.resolving import archive

_PART = st.sampled_from(["a", "b", "c", ".", "..", "", "x" * 300, "é", "a b", "v.index",
                         "a\x00b", "/".join(["d"] * 250)])  # NUL; deeper than archive.MAX_DEPTH
_NAME = st.builds(lambda lead, parts: lead + "/".join(parts),
                  st.sampled_from(["", "", "", "/", "./", "../"]),
                  st.lists(_PART, min_size=1, max_size=4))
_KIND = st.sampled_from(["file", "file", "file", "dir", "sym", "sym", "lnk", "fifo", "chr", "blk"])
_MEMBER = st.tuples(_NAME, _KIND, st.one_of(_NAME, st.sampled_from(["/etc/passwd", "../outside/sentinel"])),
                    st.binary(max_size=64))
_COMPRESSION = st.sampled_from(["none", "gz", "bz2", "xz"])
_DAMAGE = st.one_of(st.none(), st.tuples(st.sampled_from(["cut", "flip", "zeros", "junk"]), st.floats(0.0, 1.0)))

_TYPES = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "lnk": tarfile.LNKTYPE,
          "fifo": tarfile.FIFOTYPE, "chr": tarfile.CHRTYPE, "blk": tarfile.BLKTYPE}


def build_archive(members: List[Tuple[str, str, str, bytes]], compression: str) -> bytes:
    """A tar archive written member by member, as an attacker could."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, kind, link, payload in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
                continue
            info.type = _TYPES[kind]
            info.linkname = link if kind in ("sym", "lnk") else ""
            tar.addfile(info)
    data = raw.getvalue()
    compress = {"none": bytes, "gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[compression]
    return compress(data)


def damage(data: bytes, how) -> bytes:  # (kind, fraction) or None
    """The archive cut short, with one byte flipped, or followed by zeros or junk."""
    if how is None or not data:
        return data
    kind, fraction = how
    if kind in ("zeros", "junk"):
        return data + (bytes(1 + int(fraction * 100_000)) if kind == "zeros" else os.urandom(1 + int(fraction * 5000)))
    at = min(len(data) - 1, int(len(data) * fraction))
    if kind == "cut":
        return data[:at]
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]


def snapshot(box: Path, target: Path) -> dict:
    """Every path of the sandbox outside ``target``, with what it holds (links not followed)."""
    seen = {}
    for dirpath, dirnames, filenames in os.walk(box):
        if Path(dirpath) == target:
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if path == target:
                seen[str(path)] = "target"
            elif path.is_symlink():
                seen[str(path)] = "link:" + os.readlink(path)
            elif path.is_file():
                seen[str(path)] = path.read_bytes()
            else:
                seen[str(path)] = "dir"
    return seen


def links_leading_outside(target: Path) -> List[str]:
    """Links under ``target`` whose resolution leaves it."""
    root = os.path.realpath(target)
    bad = []
    for dirpath, dirnames, filenames in os.walk(target):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            real = os.path.realpath(path)
            if os.path.islink(path) and real != root and not real.startswith(root + os.sep):
                bad.append(f"{path} -> {os.readlink(path)}")
    return bad


def check_extraction(data: bytes) -> None:
    """Extracts ``data`` in a fresh sandbox and checks the guarantees."""
    with tempfile.TemporaryDirectory(prefix="tfhub-fuzz-") as tmp:
        box = Path(tmp)
        (box / "outside").mkdir()
        (box / "outside" / "sentinel").write_bytes(b"keep me")
        target = box / "outside" / "inner" / "target"  # "../.." from the target stays in the box
        target.mkdir(parents=True)
        before = snapshot(box, target)
        try:
            archive.extract(io.BytesIO(data), target, source="fuzz://archive")
            succeeded = True
        except errors.TfHubError:
            succeeded = False  # the caller deletes the target (the cache's temp dir)
        assert snapshot(box, target) == before, "something was written outside the target"
        if succeeded:
            assert links_leading_outside(target) == []
    tally.add("fuzz: archives extracted")


@given(members=st.lists(_MEMBER, max_size=8), compression=_COMPRESSION, how=_DAMAGE)
@example(members=[("d", "sym", "x", b""), ("c", "sym", "d/..", b""), ("x", "sym", ".", b""),
                  ("c/new/f", "file", "", b"evil")], compression="none", how=None)
@example(members=[("d", "sym", "x", b""), ("c", "sym", "d/..", b""), ("x", "sym", ".", b"")],
         compression="gz", how=None)  # c ends up leading outside, though each link was inside when made
def test_generated_archives_stay_inside_and_raise_only_our_errors(members, compression, how):
    check_extraction(damage(build_archive(members, compression), how))


@given(st.binary(max_size=2048))
@example(b"BZh91AY&SY" + b"\x00" * 40)
@example(b"\xfd7zXZ\x00\x00" + b"\x00" * 40)
@example(b"\x1f\x8b\x08\x00" + b"\x00" * 40)
def test_random_bytes_raise_only_our_errors(data):
    check_extraction(data)


def _content_end(plain_tar: bytes) -> int:
    """Where the first end-of-archive block of a plain tar starts (what follows is padding)."""
    with tarfile.open(fileobj=io.BytesIO(plain_tar)) as tar:
        return max(m.offset_data + -(-m.size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE for m in tar.getmembers())


@pytest.mark.parametrize("compression", ["none", "gz", "bz2", "xz"])
def test_every_truncation_of_a_valid_archive_is_an_archive_error(compression, tmp_path):
    members = [("d", "dir", "", b""), ("d/f", "file", "", b"x" * 5000), ("g", "file", "", b"y")]
    data = build_archive(members, compression)
    # A plain tar cut after its first end block has lost only padding.
    end = _content_end(data) + 1 if compression == "none" else len(data)
    for cut in sorted(set(range(0, end, max(1, end // 40))) | {end - 1}):
        target = tmp_path / f"cut{cut}"
        target.mkdir()
        with pytest.raises(errors.ArchiveError):
            archive.extract(io.BytesIO(data[:cut]), target, source="fuzz://archive")
        tally.add("fuzz: archives extracted")
