"""Progress bars, seen where a person sees them: on a real pseudo-terminal (`script`),
through a pipe, and refused by every documented switch."""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import pack_bytes

TFHUB = str(Path(sys.executable).parent / "tfhub")
pytestmark = pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux's `script` for a pty")


@pytest.fixture
def url(http_server, tmp_path):
    model = tmp_path / "model"
    (model / "variables").mkdir(parents=True)
    (model / "saved_model.pb").write_bytes(os.urandom(300_000))
    return http_server.add("/m", body=pack_bytes(model))


def _download(url: str, cache: Path, *, tty: bool, flags: tuple = (), **env: str) -> str:
    """Everything the command wrote (stdout and stderr, as a person would see it)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TFHUB_")} | env
    env["TFHUB_CACHE_DIR"] = str(cache)
    command = [TFHUB, *flags, "download", url]
    if tty:  # `script` gives the command a real pseudo-terminal (of a real size) as stdin/stdout/stderr
        command = ["script", "-qefc", "stty cols 120 rows 40; " + shlex.join(command), "/dev/null"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def _has_bar(text: str) -> bool:
    return "Downloading" in text and "100%" in text


def test_a_terminal_gets_a_bar_by_default(url, tmp_path):
    assert _has_bar(_download(url, tmp_path / "c", tty=True))


def test_a_pipe_gets_no_bar_unless_asked(url, tmp_path):
    assert not _has_bar(_download(url, tmp_path / "c1", tty=False))
    assert _has_bar(_download(url, tmp_path / "c2", tty=False, TFHUB_DOWNLOAD_PROGRESS="1"))


@pytest.mark.parametrize("switch", [
    {"TFHUB_DOWNLOAD_PROGRESS": "0"},
    {"TFHUB_DOWNLOAD_PROGRESS": "false"},
    {"TFHUB_DISABLE_PROGRESS_BARS": "1"},
    {"TFHUB_DISABLE_PROGRESS_BARS": "true", "TFHUB_DOWNLOAD_PROGRESS": "1"},
    {"flags": ("--quiet",)},
], ids=["progress-0", "progress-false", "disable", "disable-wins", "quiet"])
def test_every_switch_turns_the_bar_off_even_on_a_terminal(url, tmp_path, switch):
    switch = dict(switch)
    flags = switch.pop("flags", ())
    out = _download(url, tmp_path / "c", tty=True, flags=flags, **switch)
    assert not _has_bar(out) and out.strip().endswith(os.path.basename(out.strip()))


def test_a_notebook_kernel_gets_a_bar_though_its_stderr_is_no_terminal(url, tmp_path):
    """A real Jupyter kernel (ipykernel through jupyter_client), as a notebook runs it."""
    from jupyter_client.manager import KernelManager

    env = {k: v for k, v in os.environ.items() if not k.startswith("TFHUB_")}
    env["TFHUB_CACHE_DIR"] = str(tmp_path / "c")
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=env, cwd=str(tmp_path))
    client = manager.client()
    client.start_channels()
    streams, results = [], []

    def collect(message):
        if message["msg_type"] == "stream":
            streams.append((message["content"]["name"], message["content"]["text"]))
        elif message["msg_type"] == "error":
            results.append(message["content"]["evalue"])

    try:
        client.wait_for_ready(timeout=120)
        code = f"import sys, tfhub; print(sys.stderr.isatty()); print(tfhub.resolve({url!r}))"
        client.execute_interactive(code, output_hook=collect, timeout=120)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert results == []
    out = "".join(text for name, text in streams if name == "stdout")
    err = "".join(text for name, text in streams if name == "stderr")
    assert out.startswith("False\n") and str(tmp_path / "c") in out
    assert _has_bar(err)
