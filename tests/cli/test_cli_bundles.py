"""`tfhub cache export` / `tfhub cache import`, and `tfhub pack`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.conftest import pack_bytes
from tfhub import errors
from tfhub.resolving import bundles, handles


def _tfhub(*args: str, env: dict = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tfhub", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture
def two_cached(http_server, tf2_model_dir, tf1_hub_module_dir, cache_dir):
    """Two models downloaded into the test's cache; their handles."""
    import tfhub
    from tests.support.http_server import Route

    http_server.routes["/m/tf2/1"] = Route(body=pack_bytes(tf2_model_dir))
    http_server.routes["/m/tf1/1"] = Route(body=pack_bytes(tf1_hub_module_dir))
    found = [http_server.url("/m/tf2/1"), http_server.url("/m/tf1/1")]
    for handle in found:
        tfhub.resolve(handle)
    return found


def _nothing_of(handle: str, cache: Path) -> None:
    key = handles.cache_key(handle)
    assert not cache.exists() or [p.name for p in cache.iterdir() if p.name.startswith(key)] == []


def test_export_import_offline_then_both_load(two_cached, tmp_path, cache_dir):
    """Acceptance 4."""
    bundle = tmp_path / "bundle.tar"
    exported = _tfhub("cache", "export", *two_cached, "-o", str(bundle))
    assert exported.returncode == 0, exported.stderr
    empty_cache = tmp_path / "airgapped_cache"
    env = {"TFHUB_CACHE_DIR": str(empty_cache), "TFHUB_OFFLINE": "1"}
    imported = _tfhub("cache", "import", str(bundle), env=env)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.count("imported") == 2
    script = (
        "import sys, numpy as np, tensorflow as tf, tfhub as hub\n"
        "x = tf.constant([[1.0], [2.0]])\n"
        "print(hub.load(sys.argv[1])(x).numpy().ravel().tolist())\n"
        "print(hub.load(sys.argv[2]).signatures['default'](default=x)['default'].numpy().ravel().tolist())\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script, *two_cached], capture_output=True, text=True,
                            env={**os.environ, **env}, timeout=300)
    assert loaded.returncode == 0, loaded.stderr
    assert [json.loads(line) for line in loaded.stdout.split("\n") if line.startswith("[")] == [[4.0, 7.0], [2.5, 3.0]]
    again = _tfhub("cache", "import", str(bundle), env=env)
    assert again.stdout.count("already cached") == 2


def test_imported_entries_keep_their_descriptors(two_cached, tmp_path, cache_dir):
    from tfhub.resolving.cache import Cache

    bundle = tmp_path / "b.tar"
    bundles.export_bundle(two_cached, bundle)
    items = bundles.import_bundle(bundle, root=tmp_path / "other")
    assert [i.action for i in items] == ["imported", "imported"]
    for handle in two_cached:
        original = Cache(cache_dir).entry(handle).descriptor()
        copy = Cache(tmp_path / "other").entry(handle)
        assert copy.is_complete()
        described = copy.descriptor()
        assert (described.handle, described.download_time, described.manifest) == (
            original.handle, original.download_time, original.manifest)
        # A bundle's archive digest is a claim nobody here checked: kept, but not trusted for pins.
        assert (described.archive_sha256, described.claimed_sha256) == (None, original.archive_sha256)


def test_export_of_an_uncached_handle_fails_and_writes_nothing(tmp_path):
    with pytest.raises(errors.HandleNotFoundError, match="not in the cache"):
        bundles.export_bundle(["https://example.com/never/1"], tmp_path / "b.tar")
    assert list(tmp_path.iterdir()) == [tmp_path / "tfhub_cache"] or not (tmp_path / "b.tar").exists()


def _rewrite(bundle: Path, out: Path, change) -> None:  # (name, bytes) -> (name, bytes)
    with tarfile.open(bundle) as source, tarfile.open(out, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            name, data = change(member.name, data)
            info = tarfile.TarInfo(name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))


def _bad_bundles(bundle: Path, tmp_path: Path) -> dict:
    def traversal(name, data):
        return ("entries/../../evil.txt" if name.endswith("saved_model.pb") else name), data

    def damaged(name, data):
        return name, (b"X" * len(data) if name.endswith("variables.index") else data)

    def wrong_key(name, data):
        if name == bundles.MANIFEST_NAME:
            manifest = json.loads(data)
            manifest["entries"][0]["handle"] = "https://elsewhere/model/1"
            data = json.dumps(manifest).encode()
        return name, data

    def extra_file(name, data):
        return (name.replace("saved_model.pb", "unlisted.pb") if name.endswith("saved_model.pb") else name), data

    made = {}
    for label, change in (("traversal", traversal), ("damaged", damaged), ("wrong_key", wrong_key),
                          ("extra_file", extra_file)):
        made[label] = tmp_path / f"{label}.tar"
        _rewrite(bundle, made[label], change)
    return made


@pytest.mark.parametrize("label,message", [
    ("traversal", "climbs out"), ("damaged", "damaged"), ("wrong_key", "does not belong"),
    ("extra_file", "do not match its manifest"),
])
def test_bad_bundles_are_refused_and_leave_nothing(two_cached, tmp_path, label, message):
    bundle = tmp_path / "good.tar"
    bundles.export_bundle(two_cached[:1], bundle)
    bad = _bad_bundles(bundle, tmp_path)[label]
    target = tmp_path / "target_cache"
    with pytest.raises(errors.BundleError, match=message):
        bundles.import_bundle(bad, root=target)
    _nothing_of(two_cached[0], target)
    assert not (tmp_path.parent / "evil.txt").exists() and not (target.parent / "evil.txt").exists()


def test_a_missing_bundle_is_named_missing_not_invalid(tmp_path, cache_dir):
    done = _tfhub("cache", "import", str(tmp_path / "typo.tar"))
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (f"tfhub: error: {tmp_path / 'typo.tar'} does not exist. Nothing was "
                                          "imported; give the path of a file written by `tfhub cache export`.")
    with pytest.raises(errors.BundleNotFoundError, match="is a directory") as raised:
        bundles.import_bundle(tmp_path)
    assert isinstance(raised.value, FileNotFoundError) and not cache_dir.exists()


def test_not_a_bundle(tmp_path):
    plain = tmp_path / "x.tar"
    plain.write_bytes(b"this is not a tar file" * 100)
    with pytest.raises(errors.BundleError, match="cannot be opened as a tar file"):
        bundles.import_bundle(plain)
    with tarfile.open(tmp_path / "y.tar", "w") as tar:
        info = tarfile.TarInfo("entries/" + "a" * 40 + "/f")
        tar.addfile(info, io.BytesIO(b""))
    with pytest.raises(errors.BundleError, match="has no tfhub-bundle.json"):
        bundles.import_bundle(tmp_path / "y.tar")


def test_pack_is_deterministic_and_refuses_non_models(tf2_model_dir, tmp_path):
    first, second = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    assert _tfhub("pack", str(tf2_model_dir), str(first)).returncode == 0
    os.utime(tf2_model_dir / "saved_model.pb")  # times do not matter
    assert _tfhub("pack", str(tf2_model_dir), str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes() == pack_bytes(tf2_model_dir)
    not_model = tmp_path / "plain"
    not_model.mkdir()
    result = _tfhub("pack", str(not_model), str(tmp_path / "c.tar.gz"))
    assert result.returncode == 1 and "saved_model.pb" in result.stderr
    assert not (tmp_path / "c.tar.gz").exists()
    inside = _tfhub("pack", str(tf2_model_dir), str(tf2_model_dir / "self.tar.gz"))
    assert inside.returncode == 1 and "inside" in inside.stderr
    assert all(not p.name.endswith((".tar.gz", ".partial")) for p in tf2_model_dir.iterdir())


def test_pack_refuses_to_overwrite_and_its_suffix_decides_the_compression(tf2_model_dir, tmp_path):
    out = tmp_path / "m.tar.gz"
    assert _tfhub("pack", str(tf2_model_dir), str(out)).returncode == 0
    before = out.read_bytes()
    again = _tfhub("pack", str(tf2_model_dir), str(out))
    assert again.returncode == 1 and "exists; pass --force" in again.stderr.splitlines()[0]
    assert out.read_bytes() == before
    (tf2_model_dir / "assets").mkdir(exist_ok=True)
    (tf2_model_dir / "assets" / "new.txt").write_text("changed")
    assert _tfhub("pack", str(tf2_model_dir), str(out), "--force").returncode == 0
    assert out.read_bytes() != before
    plain = tmp_path / "m.tar"
    assert _tfhub("pack", str(tf2_model_dir), str(plain)).returncode == 0
    assert plain.read_bytes()[:2] != b"\x1f\x8b" and tarfile.is_tarfile(plain)
    with tarfile.open(plain, "r:") as tar:  # plain tar: "r:" refuses compressed data
        assert "saved_model.pb" in tar.getnames()
    odd = _tfhub("pack", str(tf2_model_dir), str(tmp_path / "m.zip"))
    assert odd.returncode == 1 and "must end in .tar.gz or .tgz (gzip) or .tar" in odd.stderr
    into_dir = _tfhub("pack", str(tf2_model_dir), str(tmp_path))
    assert into_dir.returncode == 1 and "is a directory" in into_dir.stderr.splitlines()[0]
    assert "Errno" not in into_dir.stderr
