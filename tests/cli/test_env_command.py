"""`tfhub env`, run as the real command: versions, cache, settings with secrets masked."""

import importlib.metadata as md
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TFHUB = str(Path(sys.executable).parent / "tfhub")


def run_env(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([TFHUB, "env", *args], env=dict(os.environ, **env), capture_output=True,
                          text=True, timeout=60)


@pytest.mark.tensorflow  # it compares the reported TensorFlow version with the installed one
def test_env_reports_versions_cache_and_settings_without_secrets(cache_dir):
    (cache_dir / "k").mkdir(parents=True)
    (cache_dir / "k" / "f").write_bytes(b"x" * 3000)
    done = run_env("--json", TFHUB_HTTP_HEADERS="Authorization: Bearer s3cret-token",
                   TFHUB_MIRROR="https://tfhub.dev=https://bob:hunter2@models.internal/hub",
                   TFHUB_OFFLINE="1")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["packages"]["TensorFlow"] == md.version("tensorflow")
    assert report["packages"]["tensorflow_hub"] == md.version("tensorflow-hub")
    assert report["cache_dir"] == str(cache_dir) and report["cache_bytes"] == 3000
    assert report["settings"]["TFHUB_OFFLINE"] == "1"
    assert "s3cret" not in done.stdout and "hunter2" not in done.stdout
    assert report["settings"]["TFHUB_MIRROR"] == "https://tfhub.dev=https://<hidden>@models.internal/hub"


def test_env_text_is_a_pasteable_block_and_imports_no_tensorflow(cache_dir):
    done = run_env(TFHUB_CACHE_DIR=str(cache_dir / "absent"), PYTHONWARNINGS="error")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("tfhub:") and "does not exist yet" in done.stdout
    assert "TFHUB_ settings:" in done.stdout and done.stderr == ""
    probe = subprocess.run([sys.executable, "-c",
                            "import sys; from tfhub.cli.main import main; main(['env']); "
                            "print('tensorflow' in sys.modules)"], capture_output=True, text=True, timeout=60)
    assert probe.stdout.strip().endswith("False")


def test_a_reader_that_closes_the_pipe_gets_no_error_message():
    """`tfhub env | head -0`: the closed pipe is no error worth a traceback or a message."""
    child = subprocess.Popen([TFHUB, "env", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    child.stdout.close()  # the reader is gone before the first write
    _, err = child.communicate(timeout=60)
    assert err == b"" and child.returncode == 141


def test_global_options_work_after_the_command_too(tmp_path):
    """`tfhub env --cache-dir D` as `tfhub --cache-dir D env`; the later one wins."""
    for argv in (["env", "--json", "--cache-dir", str(tmp_path)],
                 ["--cache-dir", "/elsewhere", "env", "--json", "--cache-dir", str(tmp_path)],
                 ["--cache-dir", str(tmp_path), "env", "--json"]):
        done = subprocess.run([TFHUB, *argv], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["cache_dir"] == str(tmp_path)
    quiet = subprocess.run([TFHUB, "env", "-q", "--debug"], capture_output=True, text=True, timeout=60)
    assert quiet.returncode == 0, quiet.stderr
