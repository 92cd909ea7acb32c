"""Caches the user cannot write: a clear CacheError naming TFHUB_CACHE_DIR, or the model.

Root ignores permission bits, so each resolve runs in a subprocess that drops
to the unprivileged user ``nobody`` (65534) after its imports. Skipped, with
the reason, when the suite does not run as root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import tfhub as hub
from tests.conftest import REPO_ROOT
from tests.reliability import procs
from tests.support import tally

NOBODY = 65534
SCRIPT = REPO_ROOT / "tests" / "reliability" / "unprivileged_resolve.py"

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="permission checks need root to drop to another user (root ignores permission bits)",
)


@pytest.fixture
def world_dir():
    """A directory that user nobody can traverse (pytest's tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="tfhub-perm-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def served(http_server, world_dir):
    """(url, files) of a small model."""
    files, archive = procs.model_archive(world_dir / "model-src", {"saved_model.pb": 20_000, "variables/v": 100})
    return http_server.add("/m", body=archive), files


def resolve_as_nobody(url: str, cache: Path) -> dict:
    """The JSON outcome of resolving ``url`` as user nobody with TFHUB_CACHE_DIR=cache."""
    env = dict(os.environ, TFHUB_CACHE_DIR=str(cache), PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run([sys.executable, str(SCRIPT), str(NOBODY), url], env=env,
                          capture_output=True, text=True, timeout=120)
    tally.add("reliability: unprivileged processes")
    assert done.returncode == 0, done.stderr  # a crash is not a clear error
    return json.loads(done.stdout)


def _assert_clear_cache_error(outcome: dict, cache: Path) -> None:
    assert outcome.get("error") == "CacheError", outcome
    assert "TFHUB_CACHE_DIR" in outcome["message"] and str(cache) in outcome["message"]


def test_complete_entry_in_a_read_only_cache_resolves_without_writing(served, world_dir, monkeypatch):
    url, files = served
    cache = world_dir / "ro-cache"
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
    hub.resolve(url)  # populated by root
    before = sorted(str(p) for p in cache.rglob("*"))
    cache.chmod(0o555)
    assert resolve_as_nobody(url, cache) == {"path": str(cache / procs.cache_key(url))}
    assert sorted(str(p) for p in cache.rglob("*")) == before
    assert procs.entry_problem(cache, url, files) is None


def test_missing_entry_in_a_read_only_cache_is_a_clear_error(served, world_dir):
    url, _ = served
    cache = world_dir / "ro-cache"
    cache.mkdir(mode=0o555)
    cache.chmod(0o555)
    _assert_clear_cache_error(resolve_as_nobody(url, cache), cache)
    assert list(cache.iterdir()) == []


def test_broken_entry_in_another_users_cache_is_a_clear_error(served, world_dir, monkeypatch):
    url, _ = served
    cache = world_dir / "roots-cache"
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
    entry = Path(hub.resolve(url))
    (entry / "saved_model.pb").write_bytes(b"cut")  # the manifest no longer matches
    _assert_clear_cache_error(resolve_as_nobody(url, cache), cache)
    assert (entry / "saved_model.pb").read_bytes() == b"cut"  # nothing touched


@pytest.mark.parametrize("lock_dir_mode", [0o755, 0o1777])
def test_shared_cache_with_another_users_lock_directory(served, world_dir, lock_dir_mode):
    url, _ = served
    cache = world_dir / "shared"
    cache.mkdir()
    cache.chmod(0o1777)
    (cache / ".locks").mkdir()
    (cache / ".locks").chmod(lock_dir_mode)
    (cache / ".locks" / (procs.cache_key(url) + ".lock")).write_text("")  # root's, mode 0644
    _assert_clear_cache_error(resolve_as_nobody(url, cache), cache)
    assert procs.temp_leftovers(cache) == []


def test_shared_cache_set_up_by_root_serves_and_heals_for_another_user(served, world_dir, monkeypatch,
                                                                      http_server):
    url, files = served
    other_url = http_server.add("/other", body=http_server.routes["/m"].body)
    cache = world_dir / "shared"
    cache.mkdir()
    cache.chmod(0o1777)
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
    entry = Path(hub.resolve(url))  # root creates .locks (mode 1777, as the cache)
    assert resolve_as_nobody(url, cache) == {"path": str(entry)}
    other = resolve_as_nobody(other_url, cache)  # a new entry of nobody's own
    assert procs.entry_problem(cache, other_url, files) is None
    assert Path(other["path"]).stat().st_uid == NOBODY
    shutil.rmtree(entry)  # a temp cleaner; root's descriptor stays, and the sticky bit guards it
    outcome = resolve_as_nobody(url, cache)
    _assert_clear_cache_error(outcome, cache)
    assert "another user" in outcome["message"]
    assert procs.temp_leftovers(cache) == [] and not entry.exists()
