"""Issue 14 item 9: archives that `tfhub serve` and `tfhub pack` write carry no absolute links.

An absolute link used to be archived as is: the archive showed the server's
paths, and TF Hub clients refused the model. A link inside the model is now
archived relative; one that leads outside is refused with a message that
names the link, not where it points. A model page whose saved_model.pb cannot
be read explains itself instead of failing with a traceback.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import requests

import tfhub as hub
from tests.server.conftest import TF2_PATH

COMPRESSED = "?tf-hub-format=compressed"


def _links(archive_bytes: bytes) -> dict:
    with tarfile.open(fileobj=io.BytesIO(archive_bytes), mode="r:gz") as archive:
        return {m.name: m.linkname for m in archive.getmembers() if m.issym()}


def _with_absolute_links(serve_root: Path, tf2_model_dir: Path, path: str) -> Path:
    model = serve_root / path
    shutil.copytree(tf2_model_dir, model)
    (model / "assets").mkdir(exist_ok=True)
    os.symlink(model.resolve() / "saved_model.pb", model / "assets" / "graph.pb")  # absolute, inside
    os.symlink(model.resolve() / "variables", model / "vars")  # absolute, to a directory inside
    return model


def test_served_archive_rewrites_absolute_links_inside_the_model(server, serve_root, tf2_model_dir, cache_dir):
    model = _with_absolute_links(serve_root, tf2_model_dir, "links/inside/1")
    response = requests.get(server.url + "links/inside/1" + COMPRESSED, timeout=60)
    assert response.status_code == 200, response.text
    assert _links(response.content) == {"assets/graph.pb": "../saved_model.pb", "vars": "variables"}
    assert str(serve_root.resolve()).encode() not in gzip.decompress(response.content)  # no server path
    local = Path(hub.resolve(server.url + "links/inside/1"))  # a tfhub client takes the model
    assert (local / "assets" / "graph.pb").read_bytes() == (model / "saved_model.pb").read_bytes()
    assert sorted(os.listdir(local / "vars")) == sorted(os.listdir(model / "variables"))


def test_served_archive_refuses_links_that_leave_the_model(app, serve_root, tf2_model_dir):
    model = serve_root / "links/outside/1"
    shutil.copytree(tf2_model_dir, model)
    secret = serve_root.parent / "secret.txt"
    secret.write_text("top secret")
    os.symlink(secret, model / "notes.txt")
    for _ in range(2):  # the second answer comes from the remembered failure
        response = app.get("links/outside/1" + COMPRESSED)
        assert response.status_code == 500
        assert "'notes.txt'" in response.text and "link to a path outside" in response.text
        assert str(secret) not in response.text and "top secret" not in response.text
        assert "Traceback" not in response.text
    # The rest of the root is served as before.
    assert app.get(TF2_PATH + COMPRESSED).status_code == 200


def _pack(directory: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tfhub", "pack", str(directory), str(out)],
                          capture_output=True, text=True, timeout=120)


def test_pack_rewrites_inside_links_and_refuses_outside_ones(tmp_path, tf2_model_dir):
    model = _with_absolute_links(tmp_path / "root", tf2_model_dir, "m")
    result = _pack(model, tmp_path / "m.tar.gz")
    assert result.returncode == 0, result.stderr
    assert "assets/graph.pb" in result.stderr and "relative link" in result.stderr
    assert _links((tmp_path / "m.tar.gz").read_bytes()) == {"assets/graph.pb": "../saved_model.pb",
                                                            "vars": "variables"}
    os.symlink("/etc/hostname", model / "host")
    result = _pack(model, tmp_path / "bad.tar.gz")
    assert result.returncode != 0
    assert "'host'" in result.stderr and "outside" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "bad.tar.gz").exists()
    os.unlink(model / "host")
    os.mkfifo(model / "pipe")
    result = _pack(model, tmp_path / "fifo.tar.gz")
    assert result.returncode != 0 and "'pipe'" in result.stderr and "FIFO" in result.stderr
    assert "Traceback" not in result.stderr


def test_model_page_of_an_unreadable_saved_model_explains(app, serve_root, tf2_model_dir):
    for path, data in (("broken/garbage/1", b"\xff\xfe not a protobuf \x00" * 10),
                       ("broken/truncated/1", (tf2_model_dir / "saved_model.pb").read_bytes()[:100])):
        shutil.copytree(tf2_model_dir, serve_root / path)
        (serve_root / path / "saved_model.pb").write_bytes(data)
        page = app.get(path)
        assert page.status_code == 500
        assert f"cannot read the SavedModel at '/{path}'" in page.text, page.text
        assert "Traceback" not in page.text and str(serve_root.resolve()) not in page.text
    good = app.get(TF2_PATH)
    assert good.status_code == 200 and "Signature" in good.text
