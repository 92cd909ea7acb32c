"""`tfhub search` as a real subprocess against a real `tfhub serve` catalog."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys


def _search(*args: str, env: dict = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "TFHUB_SERVER"}
    return subprocess.run([sys.executable, "-m", "tfhub", "search", *args], capture_output=True, text=True,
                          timeout=120, env={**environment, **(env or {})})


def test_search_prints_a_table_and_json(catalog_server):
    done = _search("scaler", "--server", catalog_server.url)
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split() == ["HANDLE", "LATEST", "FORMAT", "HOSTED", "TITLE"]
    assert any(row.split()[:4] == ["acme/scaler", "2", "saved_model_2", "yes"] for row in rows)
    as_json = _search("--task", "image-classification", "--json", env={"TFHUB_SERVER": catalog_server.url})
    assert as_json.returncode == 0, as_json.stderr
    answer = json.loads(as_json.stdout)
    assert {m["handle"] for m in answer["models"]} == {"acme/halver", "zeta-lab/paper-only"}


def test_format_and_facet_filters(catalog_server):
    done = _search("--format", "hub", "--filter", "license=mit", "--json", "--server", catalog_server.url)
    assert done.returncode == 0, done.stderr
    assert [m["handle"] for m in json.loads(done.stdout)["models"]] == ["acme/halver"]
    refused = _search("--filter", "colour=red", "--server", catalog_server.url)
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[0].startswith("tfhub: error: The catalog refused the search: ")
    assert "'colour'" in refused.stderr


def test_unreachable_or_missing_server_is_one_clear_line():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    done = _search("bert", "--server", f"http://127.0.0.1:{port}")
    assert done.returncode == 1
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"tfhub: error: The catalog at http://127.0.0.1:{port}/ did not answer: cannot "
                            f"connect to 127.0.0.1:{port} (connection refused)"), first
    assert "Traceback" not in done.stderr
    unset = _search("bert")
    assert unset.returncode == 1 and "TFHUB_SERVER" in unset.stderr.splitlines()[0]
    wrong = _search("bert", "--server", "models.internal")
    assert wrong.returncode == 1 and "not an http(s) URL" in wrong.stderr.splitlines()[0]


def test_a_server_that_is_no_catalog_is_named(server):
    # `server` is a catalog too; an address that answers HTML (not the API) is the case here.
    done = _search("x", "--server", server.url + "demo/scaler/1/")
    assert done.returncode == 1
    assert "without a catalog" in done.stderr.splitlines()[0], done.stderr
