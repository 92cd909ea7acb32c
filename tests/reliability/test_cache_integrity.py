"""Attacks on what the cache hands out: pins, tampered entries, lost entries, odd entry paths.

Each test plays the attacker (or the accident) of issue 14 against real
processes: a real HTTP server on 127.0.0.1, `tfhub` CLI subprocesses, real
files. The guarantees (docs/security.md):

* a pinned resolve returns only bytes verified here against that pin
  (a bundle cannot vouch for an archive digest);
* every force and repair applies the pins (`TFHUB_PIN_FILE`, the digest an
  entry was verified with);
* `tfhub cache verify` sees every changed byte, added file and link;
* an entry is handed out only when shown complete (manifest, or structure);
* a failed fetch never costs the entry that was there;
* odd entry paths heal, odd bundles are our errors.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import tfhub as hub
from tests.reliability import procs
from tests.support import tally
from tfhub import errors
from tfhub.resolving import bundles, handles
from tfhub.resolving.cache import Cache

SIZES = {"saved_model.pb": 3000, "variables/variables.index": 400,
         "variables/variables.data-00000-of-00002": 5000, "variables/variables.data-00001-of-00002": 5000,
         "assets/vocab.txt": 100, "fingerprint.pb": 60, "keras_metadata.pb": 80}


def tfhub_cli(*args: str, env: dict = None) -> subprocess.CompletedProcess:
    """`tfhub ARGS` in a real subprocess (the test's TFHUB_CACHE_DIR and any ``env``)."""
    return subprocess.run([sys.executable, "-m", "tfhub", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture
def model(http_server, tmp_path):
    """(url, files, archive, sha256) of a served model, and a second version of it on hand."""
    files, archive = procs.model_archive(tmp_path / "real", SIZES)
    url = http_server.add("/pub/model/1", body=archive)
    return url, files, archive, hashlib.sha256(archive).hexdigest()


def _entry(cache_dir: Path, url: str):
    return Cache(cache_dir).entry(url)


def _files_of(directory: "Path | str") -> dict:
    directory = Path(directory)
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


# --- 1. pins cannot be bypassed with a bundle ----------------------------------------


def _forged_bundle(http_server, tmp_path, url: str, claimed_sha256: str) -> Path:
    """A bundle for ``url`` holding other files, claiming the real archive's digest."""
    _, evil = procs.model_archive(tmp_path / "evil", {"saved_model.pb": 50, "variables/variables.index": 5,
                                                       "variables/variables.data-00000-of-00001": 7})
    route = http_server.routes["/pub/model/1"]
    real = route.body
    route.body = evil
    other_cache = tmp_path / "attacker_cache"
    assert tfhub_cli("download", url, env={"TFHUB_CACHE_DIR": str(other_cache)}).returncode == 0
    route.body = real
    honest = tmp_path / "honest.tar"
    bundles.export_bundle([url], honest, root=other_cache)
    forged = tmp_path / "forged.tar"
    with tarfile.open(honest) as source, tarfile.open(forged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == bundles.MANIFEST_NAME:
                manifest = json.loads(data)
                manifest["entries"][0]["archive_sha256"] = claimed_sha256
                data = json.dumps(manifest).encode()
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return forged


@pytest.mark.parametrize("how", ["argument", "fragment", "offline"])
def test_a_forged_bundle_cannot_satisfy_a_pin(http_server, tmp_path, cache_dir, model, how):
    url, files, _, sha = model
    forged = _forged_bundle(http_server, tmp_path, url, sha)
    imported = tfhub_cli("cache", "import", str(forged))
    assert imported.returncode == 0, imported.stderr  # importing is fine; trusting it for pins is not
    gets = len(http_server.gets("/pub/model/1"))
    tally.add("reliability: pin bypass attempts")
    if how == "offline":
        result = tfhub_cli("resolve", url, "--sha256", sha, env={"TFHUB_OFFLINE": "1"})
        assert result.returncode == 1 and "not verified against the pinned SHA-256" in result.stderr
        assert "Traceback" not in result.stderr
        return
    path = hub.resolve(url, sha256=sha) if how == "argument" else hub.resolve(f"{url}#sha256={sha}")
    assert len(http_server.gets("/pub/model/1")) == gets + 1  # verified by downloading
    assert _files_of(Path(path)) == files
    assert _entry(cache_dir, url).trusted_sha256() == sha


# --- 2. force and repair apply the pins ---------------------------------------------


def _serve_other_version(http_server, tmp_path) -> bytes:
    files, archive = procs.model_archive(tmp_path / "v2", SIZES)
    http_server.routes["/pub/model/1"].body = archive
    return archive


def test_download_force_applies_the_pin_file(http_server, tmp_path, cache_dir, model):
    url, files, _, sha = model
    pins = tmp_path / "pins.txt"
    pins.write_text(f"{sha}  {url}\n")
    assert tfhub_cli("download", url, env={"TFHUB_PIN_FILE": str(pins)}).returncode == 0
    _serve_other_version(http_server, tmp_path)
    result = tfhub_cli("download", "--force", url, env={"TFHUB_PIN_FILE": str(pins)})
    assert result.returncode == 1 and "pinned" in result.stderr, result.stderr
    assert _files_of(_entry(cache_dir, url).directory) == files


def test_verify_repair_keeps_the_digest_the_entry_was_verified_with(http_server, tmp_path, cache_dir, model):
    url, files, archive, sha = model
    hub.resolve(url)
    victim = Path(_entry(cache_dir, url).directory) / "assets" / "vocab.txt"
    victim.write_bytes(b"x" * 100)  # same size: only the digest tells
    _serve_other_version(http_server, tmp_path)  # the server now has other bytes
    result = tfhub_cli("cache", "verify", "--repair")
    assert result.returncode == 1 and "repair failed" in result.stdout and "pinned" in result.stdout, result.stdout
    http_server.routes["/pub/model/1"].body = archive
    result = tfhub_cli("cache", "verify", "--repair")
    assert result.returncode == 0 and "repaired" in result.stdout, result.stdout
    assert _files_of(_entry(cache_dir, url).directory) == files


# --- 3. verify sees contents, extra files and links ----------------------------------


def _flip_a_byte(entry_dir: Path, outside: Path) -> None:
    path = entry_dir / "variables" / "variables.data-00000-of-00002"
    data = bytearray(path.read_bytes())
    data[1234] ^= 0x01
    path.write_bytes(bytes(data))


def _same_size_overwrite(entry_dir: Path, outside: Path) -> None:
    path = entry_dir / "saved_model.pb"
    path.write_bytes(os.urandom(path.stat().st_size))


def _planted_file(entry_dir: Path, outside: Path) -> None:
    (entry_dir / "assets" / "extra.py").write_text("import os\n")


def _symlink_outside(entry_dir: Path, outside: Path) -> None:
    path = entry_dir / "assets" / "vocab.txt"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)


TAMPERINGS = {"flipped byte": (_flip_a_byte, "SHA-256 mismatch"),
              "same-size overwrite": (_same_size_overwrite, "SHA-256 mismatch"),
              "planted file": (_planted_file, "was added after the download"),
              "symlink outside": (_symlink_outside, "no longer a regular file")}


@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_verify_reports_every_tampering_and_repair_restores(http_server, tmp_path, cache_dir, model, name):
    url, files, _, _ = model
    hub.resolve(url)
    tamper, message = TAMPERINGS[name]
    tamper(Path(_entry(cache_dir, url).directory), tmp_path / "outside.txt")
    tally.add("reliability: tamperings verify must see")
    result = tfhub_cli("cache", "verify")
    assert result.returncode == 1 and "1 broken" in result.stdout and message in result.stdout, result.stdout
    assert tfhub_cli("cache", "verify", "--repair").returncode == 0
    assert _files_of(_entry(cache_dir, url).directory) == files
    assert tfhub_cli("cache", "verify").returncode == 0


def test_a_file_replaced_by_a_link_is_not_handed_out(http_server, tmp_path, cache_dir, model):
    url, files, _, _ = model
    hub.resolve(url)
    _symlink_outside(Path(_entry(cache_dir, url).directory), tmp_path / "outside.txt")
    gets = len(http_server.gets())
    path = Path(hub.resolve(url))
    assert len(http_server.gets()) == gets + 1 and not (path / "assets" / "vocab.txt").is_symlink()
    assert _files_of(path) == files


# --- 4. only complete entries are handed out ------------------------------------------


def test_an_entry_without_descriptor_and_a_shard_is_fetched_again(http_server, cache_dir, model):
    url, files, _, _ = model
    hub.resolve(url)
    entry = _entry(cache_dir, url)
    os.unlink(entry.descriptor_path)
    (Path(entry.directory) / "variables" / "variables.data-00001-of-00002").unlink()  # 6 of 7 files left
    gets = len(http_server.gets())
    assert _files_of(Path(hub.resolve(url))) == files
    assert len(http_server.gets()) == gets + 1


@pytest.mark.parametrize("missing", ["variables/variables.index", "saved_model.pb",
                                     "variables/variables.data-00000-of-00002"])
def test_a_manifestless_entry_must_show_its_structure(http_server, cache_dir, model, missing):
    url, files, _, _ = model
    hub.resolve(url)
    entry = _entry(cache_dir, url)
    Path(entry.descriptor_path).write_text(f"Module: {url}\nDownload Time: x\nDownloader Hostname: y\n")  # tensorflow_hub's
    assert entry.is_complete()  # complete as tensorflow_hub wrote it: used as is
    (Path(entry.directory) / missing).unlink()
    assert not entry.is_complete()
    assert _files_of(Path(hub.resolve(url))) == files


# --- 5. a failed fetch keeps the good entry ------------------------------------------


def _fail_with(http_server, how: str) -> None:
    route = http_server.routes["/pub/model/1"]
    if how in ("500", "404"):
        route.status = int(how)


@pytest.mark.parametrize("how", ["500", "404", "--sha256 mismatch", "resolve with a mistyped pin"])
def test_a_failed_forced_fetch_keeps_the_entry(http_server, tmp_path, cache_dir, model, how):
    url, files, _, sha = model
    hub.resolve(url, sha256=sha)
    _fail_with(http_server, how)
    env = {"TFHUB_HTTP_RETRIES": "0"}
    typo = sha[:-1] + ("0" if sha[-1] != "0" else "1")
    if how == "resolve with a mistyped pin":
        result = tfhub_cli("resolve", url, "--sha256", typo, env=env)
    elif how == "--sha256 mismatch":
        result = tfhub_cli("download", "--force", "--sha256", typo, url, env=env)
    else:
        result = tfhub_cli("download", "--force", url, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    tally.add("reliability: failed re-downloads")
    offline = tfhub_cli("resolve", url, "--sha256", sha, env={"TFHUB_OFFLINE": "1"})
    assert offline.returncode == 0, offline.stderr  # the good entry, still verified for its pin
    assert _files_of(Path(offline.stdout.strip())) == files
    assert procs.temp_leftovers(cache_dir) == []


# --- 15. odd entry paths heal; odd bundles are our errors ------------------------------


@pytest.mark.parametrize("what", ["a file", "a dangling symlink", "a symlink to a directory"])
def test_an_entry_path_that_is_not_a_directory_heals(http_server, tmp_path, cache_dir, model, what):
    url, files, _, _ = model
    hub.resolve(url)
    entry = _entry(cache_dir, url)
    procs_remove = __import__("shutil").rmtree
    procs_remove(entry.directory)
    if what == "a file":
        Path(entry.directory).write_text("not a model")
    elif what == "a dangling symlink":
        Path(entry.directory).symlink_to(tmp_path / "nowhere")
    else:
        (tmp_path / "elsewhere").mkdir()
        Path(entry.directory).symlink_to(tmp_path / "elsewhere")
    for _ in range(2):
        path = Path(hub.resolve(url))
        assert path.is_dir() and not path.is_symlink() and _files_of(path) == files
    assert (tmp_path / "elsewhere").exists() or what != "a symlink to a directory"


def test_a_bundle_with_a_file_and_a_directory_of_one_name_is_refused(http_server, tmp_path, cache_dir, model):
    url, _, _, _ = model
    hub.resolve(url)
    good = tmp_path / "good.tar"
    bundles.export_bundle([url], good)
    bad = tmp_path / "bad.tar"
    with tarfile.open(good) as source, tarfile.open(bad, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == bundles.MANIFEST_NAME:
                manifest = json.loads(data)
                manifest["entries"][0]["directories"].append("saved_model.pb")
                data = json.dumps(manifest).encode()
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    other = tmp_path / "other_cache"
    result = tfhub_cli("cache", "import", str(bad), env={"TFHUB_CACHE_DIR": str(other)})
    assert result.returncode == 1 and "both a file and a directory" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not other.exists() or not any(p.name.startswith(handles.cache_key(url)) for p in other.iterdir())
    with pytest.raises(errors.BundleError):
        bundles.import_bundle(bad, root=other)
