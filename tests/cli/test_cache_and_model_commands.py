"""`tfhub resolve|download|inspect` and `tfhub cache ls|rm|verify|prune`, on a real cache."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfhub.cli.main import main
from tfhub.resolving import handles
from tests.conftest import pack_bytes


@pytest.fixture
def served(http_server, tmp_path):
    """Two model-shaped archives on the test server; returns their URLs."""
    urls = []
    for name in ("a", "b"):
        root = tmp_path / f"model-{name}"
        (root / "variables").mkdir(parents=True)
        (root / "saved_model.pb").write_bytes(os.urandom(2000))
        (root / "variables" / "variables.index").write_bytes(b"index " + name.encode())
        urls.append(http_server.add(f"/models/{name}", body=pack_bytes(root)))
    return urls


def run(capsys, *argv) -> tuple:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_resolve_and_download(served, cache_dir, capsys, http_server):
    code, out, _ = run(capsys, "resolve", served[0])
    assert code == 0 and out.strip() == str(cache_dir / handles.cache_key(served[0]))
    code, out, _ = run(capsys, "download", served[0])
    assert code == 0 and len(http_server.gets()) == 1  # cached: nothing fetched
    code, out, _ = run(capsys, "download", "--force", served[0])
    assert code == 0 and len(http_server.gets()) == 2


def test_errors_are_one_line_and_a_non_zero_exit(tmp_path, capsys):
    code, _, err = run(capsys, "resolve", str(tmp_path / "missing"))
    assert code == 1
    assert err.splitlines()[0] == f"tfhub: error: {tmp_path / 'missing'} does not exist."
    assert "Traceback" not in err
    code, _, err = run(capsys, "--debug", "resolve", str(tmp_path / "missing"))
    assert code == 1 and "Traceback" in err


def test_ls_lists_entries_with_their_state(served, capsys):
    for url in served:
        run(capsys, "resolve", url)
    code, out, _ = run(capsys, "cache", "ls")
    assert code == 0 and "2 model(s)" in out
    for url in served:
        line = next(l for l in out.splitlines() if l.startswith(handles.cache_key(url)))
        assert line.endswith(url) and " ok " in line
    code, out, _ = run(capsys, "cache", "ls", "--json")
    listed = json.loads(out)
    assert sorted(e["handle"] for e in listed) == sorted(served)
    assert all(e["problem"] is None and e["verified"] for e in listed)


def test_verify_finds_a_damaged_entry_and_repair_downloads_it_again(served, capsys, http_server):
    path = Path(run(capsys, "resolve", served[0])[1].strip())
    run(capsys, "resolve", served[1])
    (path / "variables" / "variables.index").write_bytes(b"x")
    code, out, _ = run(capsys, "cache", "verify")
    assert code == 1
    assert "variables/variables.index' has 1 bytes" in out and "-> kept" in out
    assert "2 entries checked, 1 broken" in out
    code, out, _ = run(capsys, "cache", "verify", "--repair")
    assert code == 0 and "-> repaired" in out
    assert (path / "variables" / "variables.index").read_bytes() == b"index a"
    assert run(capsys, "cache", "verify")[0] == 0
    assert [r.path for r in http_server.gets()].count("/models/a") == 2


def test_rm_by_handle_and_by_key(served, cache_dir, capsys):
    for url in served:
        run(capsys, "resolve", url)
    assert run(capsys, "cache", "rm", served[0])[0] == 0
    assert run(capsys, "cache", "rm", handles.cache_key(served[1]))[0] == 0
    assert sorted(p.name for p in cache_dir.iterdir() if p.name != ".locks") == []
    code, _, err = run(capsys, "cache", "rm", served[0])
    assert code == 1 and "is not in the cache" in err


def test_prune_removes_leftovers_of_dead_processes(served, cache_dir, capsys):
    path = Path(run(capsys, "resolve", served[0])[1].strip())
    key = path.name
    dead_temp = cache_dir / f"{key}.0123abcd.tfhub-tmp"
    dead_temp.mkdir()
    (dead_temp / "partial").write_bytes(b"half")
    orphan = cache_dir / (handles.cache_key("http://gone/") + ".descriptor.txt")
    orphan.write_text("Module: http://gone/")
    code, out, _ = run(capsys, "cache", "prune", "--dry-run")
    assert code == 0 and "2 item(s) would be removed" in out and dead_temp.exists()
    code, out, _ = run(capsys, "cache", "prune")
    assert code == 0 and not dead_temp.exists() and not orphan.exists()
    assert path.is_dir()  # complete entries stay
    code, out, _ = run(capsys, "cache", "prune", "--older-than", "0")
    assert not path.exists()


def test_inspect_a_tf1_hub_module(tf1_hub_module_dir, capsys):
    code, out, _ = run(capsys, "inspect", str(tf1_hub_module_dir))
    assert code == 0
    assert "format:     TF1 Hub format" in out and "signature 'default'" in out
    assert "in   default: float32[?, 1]" in out and "variables:  2 (8 B)" in out
    code, out, _ = run(capsys, "inspect", "--json", str(tf1_hub_module_dir))
    description = json.loads(out)
    assert description["format"] == "TF1 Hub format"
    assert description["variants"][0]["signatures"]["default"]["outputs"]["default"]["dtype"] == "float32"


def test_the_console_script_starts_without_tensorflow(tmp_path):
    script = ("import sys\nfrom tfhub.cli.main import main\n"
              "code = main(['cache', 'ls'])\n"
              "assert 'tensorflow' not in sys.modules\nsys.exit(code)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=dict(os.environ, TFHUB_CACHE_DIR=str(tmp_path)), timeout=60)
    assert done.returncode == 0, done.stderr
    assert "0 model(s)" in done.stdout
