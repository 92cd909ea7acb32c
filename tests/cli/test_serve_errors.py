"""`tfhub serve` refusing to start says why in one line: a taken port, a missing extra."""

import socket
import subprocess
import sys

import pytest


def _serve(*args: str, prelude: str = "") -> subprocess.CompletedProcess:
    code = prelude + "import sys; from tfhub.cli.main import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, "serve", *args], capture_output=True, text=True,
                          timeout=120)


def test_a_port_in_use_is_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve(str(tmp_path), "--port", str(port))
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first == (f"tfhub: error: tfhub serve cannot listen on 127.0.0.1:{port}: another program already "
                     "listens there. Choose another --port (--port 0 takes any free one).")
    assert "Errno" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("missing", ["starlette", "uvicorn"])
def test_without_the_serve_extra_the_install_command_is_named(tmp_path, missing):
    # None in sys.modules: importing it fails as for a package that is not installed.
    done = _serve(str(tmp_path), prelude=f"import sys; sys.modules[{missing!r}] = None; ")
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (f"tfhub: error: `tfhub serve` needs {missing}, which is not "
                                          'installed: pip install "tfhub[serve]"')


@pytest.mark.parametrize("upstream, shown", [
    ("ftp://hub.example", "ftp://hub.example"),
    ("tfhub.dev", "tfhub.dev"),
    ("https://user:pw@hub.example", "https://<credentials>@hub.example"),
    ("https://hub.example/?x=1", "https://hub.example/?x=1"),
])
def test_an_upstream_that_is_no_hub_url_is_one_clear_line(tmp_path, upstream, shown):
    done = _serve(str(tmp_path), "--port", "0", "--upstream", upstream)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0].startswith(f"tfhub: error: --upstream {shown!r} is not the base URL of a hub")
    assert ":pw@" not in done.stderr and "Traceback" not in done.stderr
    assert "tfhub serve: http://" not in done.stdout, "refused before listening"


def test_a_missing_docs_tree_is_one_clear_line(tmp_path):
    done = _serve(str(tmp_path), "--port", "0", "--docs", str(tmp_path / "no-such-docs"))
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"tfhub: error: {tmp_path / 'no-such-docs'} is not a directory"), first
    assert "assets/docs/" in first and "Traceback" not in done.stderr
