"""Safe streaming extraction and deterministic packing, on real tar files."""

import bz2
import gzip
import io
import os
import tarfile

import pytest

from tfhub import errors
from tfhub.resolving import archive


def _tar(members, compress="gz") -> bytes:
    """A tar archive built member by member: (name, kind, payload)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE, "lnk": tarfile.LNKTYPE,
                         "fifo": tarfile.FIFOTYPE, "chr": tarfile.CHRTYPE}[kind]
            if kind in ("sym", "lnk"):
                info.linkname = payload
            tar.addfile(info)
    data = raw.getvalue()
    if compress == "gz":
        return gzip.compress(data)
    if compress == "bz2":
        return bz2.compress(data)
    return data


def _extract(data: bytes, target):
    target.mkdir(exist_ok=True)
    return archive.extract(io.BytesIO(data), target, source="test://archive")


@pytest.mark.parametrize("compress", ["gz", "bz2", "none"])
def test_extracts_files_and_creates_missing_parents(tmp_path, compress):
    data = _tar([("variables/variables.index", "file", b"idx"), ("saved_model.pb", "file", b"pb")], compress)
    assert _extract(data, tmp_path / "out") == 2
    assert (tmp_path / "out" / "variables" / "variables.index").read_bytes() == b"idx"
    assert (tmp_path / "out" / "saved_model.pb").read_bytes() == b"pb"


def test_names_starting_with_two_dots_are_fine(tmp_path):
    _extract(_tar([("..foo", "file", b"x")]), tmp_path / "out")
    assert (tmp_path / "out" / "..foo").read_bytes() == b"x"


@pytest.mark.parametrize(
    "members, fragment",
    [
        ([("../escape", "file", b"x")], "outside"),
        ([("a/../../escape", "file", b"x")], "outside"),
        ([("/abs/escape", "file", b"x")], "absolute"),
        ([("link", "sym", "../../etc")], "outside"),
        ([("link", "sym", "/etc/passwd")], "absolute"),
        ([("hard", "lnk", "../outside")], "outside"),
        ([("hard", "lnk", "not-there")], "did not hold"),
        ([("fifo", "fifo", "")], "FIFO"),
        ([("dev", "chr", "")], "device"),
        # a link inside, then a write through it that would leave the tree
        ([("d", "sym", "."), ("d/x", "file", b"ok"), ("up", "sym", "d/../..")], "outside"),
    ],
)
def test_unsafe_members_are_refused_and_nothing_escapes(tmp_path, members, fragment):
    target = tmp_path / "deep" / "out"
    target.parent.mkdir()
    with pytest.raises(errors.UnsafeArchiveError, match=fragment) as info:
        _extract(_tar(members), target)
    assert isinstance(info.value, ValueError)
    assert sorted(os.listdir(tmp_path)) == ["deep"]
    assert sorted(os.listdir(tmp_path / "deep")) == ["out"]


def test_links_inside_the_tree_are_kept(tmp_path):
    out = tmp_path / "out"
    _extract(_tar([("a.txt", "file", b"A"), ("b.txt", "sym", "a.txt"), ("c.txt", "lnk", "a.txt")]), out)
    assert (out / "b.txt").read_bytes() == b"A" and os.path.islink(out / "b.txt")
    assert (out / "c.txt").read_bytes() == b"A"


def test_a_member_cannot_overwrite_through_a_link(tmp_path):
    outside = tmp_path / "victim"
    outside.write_bytes(b"safe")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside, out / "f")  # left there by someone else
    _extract(_tar([("f", "file", b"new")]), out)
    assert outside.read_bytes() == b"safe"
    assert (out / "f").read_bytes() == b"new"


@pytest.mark.parametrize("body", [b"", b"this is not an archive" * 100, gzip.compress(b"not a tar" * 1000)],
                         ids=["empty", "text", "gzip-of-no-tar"])  # gzip bytes hold a time: xdist workers must agree on ids
def test_bodies_that_are_not_archives(tmp_path, body):
    with pytest.raises(errors.ArchiveError, match="does not appear to be a valid module") as info:
        _extract(body, tmp_path / "out")
    assert isinstance(info.value, OSError)


def test_truncated_archive(tmp_path):
    data = _tar([("saved_model.pb", "file", os.urandom(200_000))])
    with pytest.raises(errors.ArchiveError):
        _extract(data[: len(data) // 2], tmp_path / "out")


def test_pack_is_deterministic_and_round_trips(tmp_path):
    src = tmp_path / "model"
    (src / "variables").mkdir(parents=True)
    (src / "saved_model.pb").write_bytes(b"pb" * 1000)
    (src / "variables" / "variables.index").write_bytes(b"index")
    (src / "empty_dir").mkdir()
    first, second = io.BytesIO(), io.BytesIO()
    archive.pack(src, first)
    os.utime(src / "saved_model.pb", (1, 1))  # times must not matter
    archive.pack(src, second)
    assert first.getvalue() == second.getvalue()
    out = tmp_path / "out"
    out.mkdir()
    archive.extract(io.BytesIO(first.getvalue()), out, source="packed")
    assert (out / "saved_model.pb").read_bytes() == b"pb" * 1000
    assert (out / "variables" / "variables.index").read_bytes() == b"index"
    assert (out / "empty_dir").is_dir()
