"""Caches the user cannot write: a clear CacheError naming TFHUB_CACHE_DIR, or the model.

Root ignores permission bits, so each resolve runs in a subprocess started as
the unprivileged user ``nobody`` (65534), with an interpreter and environment
that user can read (readable_python.py). Skipped, with the reason, when the
suite does not run as root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import tfhub as hub
from tests.reliability import procs, readable_python
from tests.support import tally

NOBODY = 65534

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="permission checks need root to drop to another user (root ignores permission bits)",
)


@pytest.fixture(scope="module")
def readable_env():
    """(interpreter, environment) that user nobody can read, built once for the module."""
    root = Path(tempfile.mkdtemp(prefix="tfhub-readable-python-", dir="/tmp"))
    root.chmod(0o755)
    interpreter = readable_python.build(root / "env")
    yield interpreter, readable_python.environment(root / "env")
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def world_dir():
    """A directory that user nobody can traverse (pytest's tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="tfhub-perm-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def resolve_as_nobody(readable_env):
    """resolve(url, cache): the JSON outcome of resolving ``url`` as user nobody."""
    interpreter, base_env = readable_env

    def resolve(url: str, cache: Path) -> dict:
        env = dict(base_env, TFHUB_CACHE_DIR=str(cache))
        script = interpreter.parent.parent / "unprivileged_resolve.py"
        done = subprocess.run([str(interpreter), str(script), url], env=env, capture_output=True,
                              text=True, timeout=120, cwd="/", user=NOBODY, group=NOBODY, extra_groups=[])
        tally.add("reliability: unprivileged processes")
        assert done.returncode == 0, done.stderr  # a crash is not a clear error
        return json.loads(done.stdout)

    return resolve


@pytest.fixture
def served(http_server, world_dir):
    """(url, files) of a small model."""
    files, archive = procs.model_archive(world_dir / "model-src", {"saved_model.pb": 20_000, "variables/v": 100})
    return http_server.add("/m", body=archive), files


def _assert_clear_cache_error(outcome: dict, cache: Path) -> None:
    assert outcome.get("error") == "CacheError", outcome
    assert "TFHUB_CACHE_DIR" in outcome["message"] and str(cache) in outcome["message"]


def test_complete_entry_in_a_read_only_cache_resolves_without_writing(resolve_as_nobody, served, world_dir,
                                                                       monkeypatch):
    url, files = served
    cache = world_dir / "ro-cache"
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
    hub.resolve(url)  # populated by root
    before = sorted(str(p) for p in cache.rglob("*"))
    cache.chmod(0o555)
    assert resolve_as_nobody(url, cache) == {"path": str(cache / procs.cache_key(url))}
    assert sorted(str(p) for p in cache.rglob("*")) == before
    assert procs.entry_problem(cache, url, files) is None


def test_missing_entry_in_a_read_only_cache_is_a_clear_error(resolve_as_nobody, served, world_dir):
    url, _ = served
    cache = world_dir / "ro-cache"
    cache.mkdir(mode=0o555)
    cache.chmod(0o555)
    _assert_clear_cache_error(resolve_as_nobody(url, cache), cache)
    assert list(cache.iterdir()) == []


def test_broken_entry_in_another_users_cache_is_a_clear_error(resolve_as_nobody, served, world_dir,
                                                              monkeypatch):
    url, _ = served
    cache = world_dir / "roots-cache"
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
    entry = Path(hub.resolve(url))
    (entry / "saved_model.pb").write_bytes(b"cut")  # the manifest no longer matches
    _assert_clear_cache_error(resolve_as_nobody(url, cache), cache)
    assert (entry / "saved_model.pb").read_bytes() == b"cut"  # nothing touched


@pytest.mark.parametrize("lock_dir_mode", [0o755, 0o1777])
def test_shared_cache_with_another_users_lock_directory(resolve_as_nobody, served, world_dir, lock_dir_mode):
    url, _ = served
    cache = world_dir / "shared"
    cache.mkdir()
    cache.chmod(0o1777)
    (cache / ".locks").mkdir()
    (cache / ".locks").chmod(lock_dir_mode)
    (cache / ".locks" / (procs.cache_key(url) + ".lock")).write_text("")  # root's, mode 0644
    _assert_clear_cache_error(resolve_as_nobody(url, cache), cache)
    assert procs.temp_leftovers(cache) == []


def test_shared_cache_set_up_by_root_serves_and_heals_for_another_user(resolve_as_nobody, served, world_dir,
                                                                      monkeypatch, http_server):
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
