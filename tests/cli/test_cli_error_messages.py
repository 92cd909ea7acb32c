"""The real `tfhub` command's errors and logs: one complete, true line, and soon (issue #15 item 4)."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import pack_bytes

TFHUB = str(Path(sys.executable).parent / "tfhub")
OTHER_DIGEST = "0" * 64


def tfhub(cache_dir: Path, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, TFHUB_CACHE_DIR=str(cache_dir))
    return subprocess.run([TFHUB, *argv], capture_output=True, text=True, env=env, timeout=timeout)


def error_line(done: subprocess.CompletedProcess) -> str:
    """The error line; asserts it is the only one besides the --debug hint."""
    lines = done.stderr.splitlines()
    assert done.returncode == 1 and len(lines) == 2, done.stderr
    assert lines[1] == "tfhub: (run with --debug for the details)"
    return lines[0]


@pytest.fixture
def model_url(http_server, tmp_path):
    root = tmp_path / "model"
    (root / "variables").mkdir(parents=True)
    (root / "saved_model.pb").write_bytes(os.urandom(2000))
    (root / "variables" / "variables.index").write_bytes(b"index")
    return http_server.add("/models/m/1", body=pack_bytes(root))


def test_an_unknown_scheme_is_refused_without_importing_tensorflow(tmp_path):
    start = time.monotonic()
    line = error_line(tfhub(tmp_path, "resolve", "htp://foo/bar"))
    assert "has the scheme 'htp://', which neither tfhub nor any installed tf.io.gfile" in line
    script = ("import sys\nfrom tfhub.cli.main import main\n"
              "code = main(['resolve', 'htp://foo/bar'])\n"
              "assert 'tensorflow' not in sys.modules, 'imported TensorFlow'\nsys.exit(code)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, TFHUB_CACHE_DIR=str(tmp_path)))
    assert done.returncode == 1 and "imported TensorFlow" not in done.stderr, done.stderr
    assert time.monotonic() - start < 30


def test_a_refused_connection_fails_fast_naming_host_and_port(tmp_path):
    with socket.socket() as closed:  # bound, never listening: connecting is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        start = time.monotonic()
        line = error_line(tfhub(tmp_path, "resolve", f"http://127.0.0.1:{port}/x/1"))
        elapsed = time.monotonic() - start
    assert f"cannot connect to 127.0.0.1:{port} (connection refused): is the server running" in line
    assert "HTTPConnectionPool" not in line and "Max retries" not in line
    assert elapsed < 8, f"{elapsed:.1f} s: retried with backoff"  # was 15 s of retries


def test_an_unknown_host_is_named(tmp_path):
    try:
        socket.getaddrinfo("tfhub-test.invalid", 80)
        pytest.skip("this machine's resolver answers for .invalid names")
    except socket.gaierror:
        pass
    start = time.monotonic()
    line = error_line(tfhub(tmp_path, "resolve", "http://tfhub-test.invalid/x/1"))
    assert "cannot resolve host 'tfhub-test.invalid'" in line and "NameResolutionError" not in line
    assert time.monotonic() - start < 8


def test_verify_repair_counts_what_it_repaired_and_exits_by_what_remains(model_url, tmp_path):
    cache = tmp_path / "cache"
    path = Path(tfhub(cache, "resolve", model_url).stdout.strip())
    (path / "variables" / "variables.index").write_bytes(b"x")
    done = tfhub(cache, "cache", "verify")
    assert done.returncode == 1 and done.stdout.splitlines()[-1] == "1 entries checked, 1 broken"
    done = tfhub(cache, "cache", "verify", "--repair")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "1 entries checked, 1 broken, 1 repaired"


def test_verify_repair_says_what_it_could_not_repair(model_url, http_server, tmp_path):
    cache = tmp_path / "cache"
    path = Path(tfhub(cache, "resolve", model_url).stdout.strip())
    (path / "saved_model.pb").write_bytes(b"x")
    http_server.add("/models/m/1", status=404)
    done = tfhub(cache, "cache", "verify", "--repair")
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1] == "1 entries checked, 1 broken, 1 not repaired"


def test_refetch_logs_say_why(model_url, tmp_path):
    cache = tmp_path / "cache"
    tfhub(cache, "resolve", model_url)
    done = tfhub(cache, "-v", "download", "--force", model_url)
    assert done.returncode == 0, done.stderr
    assert "again, as asked (force)" in done.stderr and "incomplete" not in done.stderr
    done = tfhub(cache, "download", "--sha256", OTHER_DIGEST, model_url)
    assert done.returncode == 1
    assert "is complete, but was not verified against the pinned SHA-256" in done.stderr
    assert "downloading it to check the pin" in done.stderr and "incomplete" not in done.stderr


@pytest.mark.parametrize("damage", ["truncated", "garbage", "text"])
def test_a_corrupt_bundle_is_named_in_one_complete_line(model_url, tmp_path, damage):
    cache = tmp_path / "cache"
    tfhub(cache, "resolve", model_url)
    bundle = tmp_path / "bundle.tar.gz"
    assert tfhub(cache, "cache", "export", model_url, "-o", str(bundle)).returncode == 0
    data = bundle.read_bytes()
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes({"truncated": data[:len(data) // 2], "garbage": os.urandom(3000),
                     "text": b"hello\nworld\n"}[damage])
    line = error_line(tfhub(tmp_path / "other", "cache", "import", str(bad)))
    assert line.startswith(f"tfhub: error: {bad} is not a valid tfhub cache bundle: ")
    assert line.endswith("Nothing was imported; make the bundle again with `tfhub cache export`.")
