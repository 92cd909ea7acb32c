"""`tfhub cache ls|rm|prune` as people use them: the real command on a cache filled from a real server."""

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tfhub as hub
from tfhub.resolving import handles
from tests.conftest import pack_bytes

TFHUB = [sys.executable, "-m", "tfhub"]
NAMES = {"google/small/1": 1000, "google/large/1": 30000, "other/mid/1": 8000}


def tfhub(*args: str) -> subprocess.CompletedProcess:
    """`tfhub ARGS` in a real subprocess, stdin not a terminal (a script)."""
    return subprocess.run([*TFHUB, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env=dict(os.environ), timeout=120)


@pytest.fixture
def cached(http_server, tmp_path, cache_dir):
    """Three served models of different sizes, cached; {name: url}.

    The first goes through `tfhub download` in a subprocess, the others through the same
    door in this process (`hub.resolve`): one CLI start instead of three per test.
    """
    urls = {}
    for i, (name, size) in enumerate(NAMES.items()):
        root = tmp_path / name.replace("/", "-")
        (root / "variables").mkdir(parents=True)
        (root / "saved_model.pb").write_bytes(os.urandom(size))
        (root / "variables" / "variables.index").write_bytes(b"index")
        urls[name] = http_server.add(f"/{name}", body=pack_bytes(root))
        if i == 0:
            done = tfhub("download", urls[name])
            assert done.returncode == 0, done.stderr
        else:
            hub.resolve(urls[name])
    return urls


def _age(directory: Path, days: float) -> None:
    then = time.time() - days * 86400
    for dirpath, _, names in os.walk(directory):
        for name in names:
            os.utime(os.path.join(dirpath, name), (then, then))


def test_ls_has_a_header_human_sizes_last_use_sort_and_filter(cached, cache_dir):
    _age(cache_dir / handles.cache_key(cached["google/large/1"]), 3.2)
    done = tfhub("cache", "ls")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["KEY", "SIZE", "LAST", "USED", "STATE", "HANDLE"]
    rows = {line.split()[-1]: line for line in lines[1:4]}
    assert "3 days ago" in rows[cached["google/large/1"]] and "29.3 KiB" in rows[cached["google/large/1"]]
    assert "just now" in rows[cached["other/mid/1"]] and " ok " in rows[cached["other/mid/1"]]
    assert lines[1:4] == sorted(lines[1:4], key=lambda l: l.split()[-1])  # by handle unless asked
    assert lines[4].startswith("3 model(s), ") and lines[4].endswith(f" in {cache_dir}")

    by_size = [l.split()[-1] for l in tfhub("cache", "ls", "--sort", "size").stdout.splitlines()[1:4]]
    assert by_size == [cached["google/large/1"], cached["other/mid/1"], cached["google/small/1"]]
    by_use = [l.split()[-1] for l in tfhub("cache", "ls", "--sort", "used", "--reverse").stdout.splitlines()[1:4]]
    assert by_use[0] == cached["google/large/1"]

    google = tfhub("cache", "ls", "google/", "--json")
    listed = json.loads(google.stdout)
    assert sorted(e["handle"] for e in listed) == sorted([cached["google/small/1"], cached["google/large/1"]])
    assert all(abs(e["last_used"] - time.time()) < 5 * 86400 for e in listed)
    key = handles.cache_key(cached["other/mid/1"])
    assert [e["handle"] for e in json.loads(tfhub("cache", "ls", key[:8], "--json").stdout)] == [cached["other/mid/1"]]


def test_ls_exits_1_while_an_entry_is_broken(cached, cache_dir):
    broken = cache_dir / handles.cache_key(cached["google/small/1"])
    (broken / "saved_model.pb").unlink()
    done = tfhub("cache", "ls")
    assert done.returncode == 1
    row = next(l for l in done.stdout.splitlines() if l.endswith(cached["google/small/1"]))
    assert " BROKEN " in row
    assert "1 broken entry; `tfhub cache verify --repair` downloads it again" in done.stderr
    assert tfhub("cache", "ls", "--json").returncode == 1
    assert tfhub("cache", "ls", "other/").returncode == 0  # the broken one is not listed


def test_rm_a_prefix_from_a_script_needs_y(cached, cache_dir):
    prefix = cached["google/small/1"].split("/google/")[0] + "/google/"
    done = tfhub("cache", "rm", prefix)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (f"tfhub: error: '{prefix}' matches 2 cached models; add -y to remove "
                                   "them without asking (or --dry-run to list them)")
    assert len(json.loads(tfhub("cache", "ls", "--json").stdout)) == 3

    dry = tfhub("cache", "rm", "--dry-run", prefix)
    assert dry.returncode == 0 and "2 model(s) would be removed, freeing 3" in dry.stdout
    assert sum(l.startswith("would remove ") for l in dry.stdout.splitlines()) == 2
    assert len(json.loads(tfhub("cache", "ls", "--json").stdout)) == 3

    done = tfhub("cache", "rm", "-y", prefix)
    assert done.returncode == 0 and "2 model(s) removed" in done.stdout
    assert [e["handle"] for e in json.loads(tfhub("cache", "ls", "--json").stdout)] == [cached["other/mid/1"]]

    exact = tfhub("cache", "rm", cached["other/mid/1"])  # one exact handle: as before, no -y needed
    assert exact.returncode == 0 and exact.stdout.startswith("removed ")
    missing = tfhub("cache", "rm", prefix)
    assert missing.returncode == 1 and "is not in the cache" in missing.stderr
    assert missing.stderr.splitlines()[0].startswith(f"tfhub: error: '{prefix}' is not in the cache")


def _on_a_terminal(args, answer: bytes) -> tuple:
    """Runs `tfhub ARGS` with a pseudo-terminal as stdin/stdout, answering its question."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([*TFHUB, *args], stdin=slave, stdout=slave, stderr=slave, env=dict(os.environ))
    os.close(slave)
    seen = b""
    deadline = time.time() + 60
    answered = False
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(master, answer)
            answered = True
        if proc.poll() is not None and not ready:
            break
    os.close(master)
    return proc.wait(timeout=30), seen.decode(errors="replace"), answered


def test_rm_asks_on_a_terminal_showing_what_goes_and_what_it_frees(cached):
    prefix = cached["google/small/1"].split("/google/")[0] + "/google/"
    code, seen, answered = _on_a_terminal(["cache", "rm", prefix], b"n\n")
    assert answered and code == 0 and "nothing removed" in seen
    assert "Remove 2 model(s), freeing 3" in seen and cached["google/large/1"] in seen
    assert len(json.loads(tfhub("cache", "ls", "--json").stdout)) == 3

    code, seen, answered = _on_a_terminal(["cache", "rm", cached["other/mid/1"]], b"y\n")
    assert answered and code == 0 and "removed " in seen
    assert len(json.loads(tfhub("cache", "ls", "--json").stdout)) == 2


def test_prune_says_what_it_frees_before_freeing_it(cached, cache_dir):
    key = handles.cache_key(cached["other/mid/1"])
    dead_temp = cache_dir / f"{key}.0123abcd.tfhub-tmp"
    dead_temp.mkdir()
    (dead_temp / "partial").write_bytes(b"h" * 1536)
    dry = tfhub("cache", "prune", "--dry-run")
    assert dry.returncode == 0 and dead_temp.exists()
    assert f"would remove {dead_temp} (1.5 KiB): " in dry.stdout
    assert dry.stdout.splitlines()[-1] == "1 item(s) would be removed, freeing 1.5 KiB"
    done = tfhub("cache", "prune")
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and not dead_temp.exists()
    assert lines[0].startswith(f"removing {dead_temp} (1.5 KiB)") and lines[-1] == "1 item(s) removed, 1.5 KiB freed"
    _age(cache_dir / key, 10)
    old = tfhub("cache", "prune", "--older-than", "7", "--dry-run")
    assert "not used for 7 days" in old.stdout and str(cache_dir / key) in old.stdout


def test_rm_of_an_empty_name_removes_nothing(cached):
    done = tfhub("cache", "rm", "-y", "")
    assert done.returncode == 1 and "an empty handle or prefix would match every cached model" in done.stderr
    assert len(json.loads(tfhub("cache", "ls", "--json").stdout)) == 3
