"""Generated tamperings of cache entries and generated bundle manifests.

* Whatever is done to an entry's files (bytes flipped, files cut, added,
  removed, replaced by links inside or outside), ``Entry.deep_problem`` (what
  ``tfhub cache verify`` runs) reports a problem exactly when the tree differs
  from what was written, and the warm check never raises.
* A bundle whose manifest is mutated at random either imports cleanly or
  raises BundleError, leaving nothing of a refused entry in the cache.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.support import tally
from tfhub import errors
from tfhub.resolving import bundles, handles, resolvers
from tfhub.resolving.cache import Cache, Fetched

HANDLE = "https://example.com/publisher/model/1"
FILES = {"saved_model.pb": b"graph" * 40, "variables/variables.index": b"index" * 5,
         "variables/variables.data-00000-of-00001": bytes(range(256)) * 3, "assets/vocab.txt": b"a\nb\n"}


class _Files:
    """A door Source writing FILES (what a download would have written)."""

    def fill(self, target: "os.PathLike[str]") -> Fetched:
        for name, data in FILES.items():
            path = Path(target) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return Fetched()


def _snapshot(directory: Path) -> dict:
    state = {}
    for path in directory.rglob("*"):
        relative = path.relative_to(directory).as_posix()
        if path.is_symlink():
            state[relative] = ("link", os.readlink(path))
        elif path.is_file():
            state[relative] = ("file", path.read_bytes())
    return state


_NAMES = st.sampled_from(sorted(FILES) + ["assets/new.txt", "extra.pb"])
_OPS = st.lists(st.one_of(
    st.tuples(st.just("flip"), _NAMES, st.integers(0, 800)),
    st.tuples(st.just("cut"), _NAMES, st.integers(0, 800)),
    st.tuples(st.just("write"), _NAMES, st.binary(max_size=50)),
    st.tuples(st.just("remove"), _NAMES, st.just(0)),
    st.tuples(st.just("link inside"), _NAMES, st.sampled_from(sorted(FILES))),
    st.tuples(st.just("link outside"), _NAMES, st.just(0)),
), max_size=4)


def _apply(directory: Path, outside: Path, op: tuple) -> None:
    kind, name, arg = op
    path = directory / name
    exists = path.is_file() and not path.is_symlink()
    if kind == "flip" and exists and path.stat().st_size:
        data = bytearray(path.read_bytes())
        data[arg % len(data)] ^= 0x40
        path.write_bytes(bytes(data))
    elif kind == "cut" and exists:
        data = path.read_bytes()
        path.write_bytes(data[: arg % (len(data) + 1)])
    elif kind == "write":
        if path.is_symlink():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(arg)
    elif kind == "remove" and (exists or path.is_symlink()):
        path.unlink()
    elif kind in ("link inside", "link outside"):
        if path.is_symlink() or exists:
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        target = os.path.relpath(directory / arg, path.parent) if kind == "link inside" else str(outside)
        path.symlink_to(target)


@given(_OPS)
def test_verify_sees_exactly_the_tamperings(ops):
    tally.add("fuzz: cache tamperings")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "cache"
        outside = Path(tmp) / "outside.txt"
        outside.write_bytes(b"graph" * 40)
        resolvers.resolve_request(resolvers.Request(HANDLE, source=_Files(), cache_dir=root))
        entry = Cache(root).entry(HANDLE)
        directory = Path(entry.directory)
        before = _snapshot(directory)
        for op in ops:
            _apply(directory, outside, op)
        changed = _snapshot(directory) != before
        entry.problem()  # the warm check: never raises
        assert (entry.deep_problem() is not None) == changed, (ops, entry.deep_problem())


def _bundle(tmp: Path) -> Path:
    root = tmp / "source_cache"
    resolvers.resolve_request(resolvers.Request(HANDLE, source=_Files(), cache_dir=root))
    out = tmp / "good.tar"
    bundles.export_bundle([HANDLE], out, root=root)
    return out


_JSON = st.recursive(st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=12),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                     max_leaves=6)
_FIELDS = st.sampled_from(["key", "handle", "files", "directories", "archive_sha256", "download_time"])
_FILE_KEYS = st.sampled_from(sorted(FILES) + ["a", "a/b", "variables", "../x", "assets/vocab.txt/inner"])


@given(field=_FIELDS, value=_JSON, file_key=_FILE_KEYS, file_value=_JSON, as_dir=st.booleans())
def test_mutated_bundle_manifests_import_or_raise_bundle_error(field, value, file_key, file_value, as_dir):
    tally.add("fuzz: bundle manifests")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        good = _bundle(tmp)
        bad = tmp / "bad.tar"
        with tarfile.open(good) as source, tarfile.open(bad, "w") as target:
            for member in source.getmembers():
                data = source.extractfile(member).read()
                if member.name == bundles.MANIFEST_NAME:
                    manifest = json.loads(data)
                    record = manifest["entries"][0]
                    if as_dir:
                        record.setdefault("directories", []).append(file_key)
                    else:
                        record[field] = value
                        if isinstance(record.get("files"), dict):
                            record["files"][file_key] = file_value
                    data = json.dumps(manifest).encode()
                info = tarfile.TarInfo(member.name)
                info.size = len(data)
                target.addfile(info, io.BytesIO(data))
        cache = tmp / "target_cache"
        try:
            bundles.import_bundle(bad, root=cache)
        except errors.BundleError:
            key = handles.cache_key(HANDLE)
            assert not cache.exists() or not [p for p in cache.iterdir() if p.name.startswith(key)]
            return
        assert Cache(cache).entry(HANDLE).deep_problem() is None
