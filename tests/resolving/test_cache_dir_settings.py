"""Where the cache goes: TFHUB_CACHE_DIR, the absl flag --tfhub_cache_dir, file:// URLs.

Each scenario resolves a real download from 127.0.0.1 in a fresh process, once
with tfhub and once with the lane's tensorflow_hub, and checks that both put
the module in the same directory (issue 13, items 9 and 10).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from tfhub import config, errors
from tests.conftest import pack_bytes
from tests.support import peer_run

pytest.importorskip("absl.flags")

SCENARIOS = [  # name, TFHUB_CACHE_DIR, --tfhub_cache_dir, where the cache must be
    ("flag", None, "{a}", "a"),             # the flag alone
    ("empty-env", "", "{a}", "a"),          # an empty variable counts as unset
    ("env-wins", "{b}", "{a}", "b"),        # the variable beats the flag
    ("file-env", "file://{b}", None, "b"),  # a file:// URL is that local directory
    ("file-flag", None, "file://{a}", "a"),
]

# Every scenario in one process per library order (TensorFlow loads slowly); the
# settings are changed between resolves, which both libraries read on each call.
RESOLVE = """
import importlib, json, os
from absl import flags
libraries = [importlib.import_module(name) for name in _sys.argv[1].split(",")]
base_url, work, scenarios = _sys.argv[2], _sys.argv[3], json.loads(_sys.argv[4])
flags.FLAGS(["prog"])
for name, env_value, flag_value in scenarios:
    if env_value is None:
        os.environ.pop("TFHUB_CACHE_DIR", None)
    else:
        os.environ["TFHUB_CACHE_DIR"] = env_value
    flags.FLAGS["tfhub_cache_dir"].value = flag_value
    for library in libraries:
        cwd = os.path.join(work, "cwd", name, library.__name__)
        os.makedirs(cwd)
        os.chdir(cwd)
        path = library.resolve(f"{base_url}/{name}/{library.__name__}")
        emit(**{f"{name} {library.__name__}": {"path": path, "cwd": os.listdir(cwd)}})
"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> bytes:
    root = tmp_path_factory.mktemp("model")
    (root / "saved_model.pb").write_bytes(b"not looked at by resolve")
    return pack_bytes(root)


def _local(path: str) -> str:
    return os.path.realpath(path[len("file://"):] if path.startswith("file://") else path)


@pytest.mark.parametrize("order", [
    "tfhub",                   # tfhub alone: its own flag
    "tfhub,tensorflow_hub",    # tensorflow_hub imported after tfhub replaces tfhub's flag
    "tensorflow_hub,tfhub",    # tfhub imported after tensorflow_hub shares its flag
])
def test_cache_directory_precedence(http_server, archive, tmp_path, order):
    libraries = order.split(",")
    if "tensorflow_hub" in libraries:
        peer_run.require_peer()
    dirs = {"a": tmp_path / "flag_dir", "b": tmp_path / "env_dir"}
    fill = {k: str(v) for k, v in dirs.items()}
    scenarios = [(name, None if env is None else env.format(**fill),
                  None if flag is None else flag.format(**fill)) for name, env, flag, _ in SCENARIOS]
    for name, *_ in SCENARIOS:
        for library in libraries:
            http_server.add(f"/{name}/{library}", body=archive)
    report = peer_run.run_snippet(
        libraries[0], RESOLVE, env={"TFHUB_CACHE_DIR": None},
        args=(order, http_server.url(""), str(tmp_path), json.dumps(scenarios)))
    for name, _, _, winner in SCENARIOS:
        for library in libraries:
            url = http_server.url(f"/{name}/{library}")
            expected = dirs[winner] / hashlib.sha1(url.encode()).hexdigest()
            outcome = report[f"{name} {library}"]
            assert _local(outcome["path"]) == str(expected), (name, library)
            assert (expected / "saved_model.pb").is_file(), (name, library)
            assert outcome["cwd"] == [], f"{library} wrote into the working directory ({name})"


ORDERS = """
import sys
{before}
import tfhub
{after}
from absl import flags
from tfhub import config
flags.FLAGS(["prog", "--tfhub_cache_dir=/flag/dir", "--tfhub_model_load_format=UNCOMPRESSED"])
emit(cache=str(config.cache_dir()), load_format=config.model_load_format().value,
     tensorflow="tensorflow" in sys.modules)
"""


@pytest.mark.parametrize("before, after", [
    ("", ""),                       # absl first imported after tfhub: the import hook defines it
    ("from absl import app", ""),   # absl already there at import tfhub
    ("", "import absl.logging"),
])
def test_flags_are_defined_whatever_the_import_order_without_tensorflow(before, after):
    report = peer_run.run_snippet("tfhub", ORDERS.format(before=before, after=after),
                                  env={"TFHUB_CACHE_DIR": None, "TFHUB_MODEL_LOAD_FORMAT": None})
    assert report == {"cache": "/flag/dir", "load_format": "UNCOMPRESSED", "tensorflow": False}


def test_a_non_local_cache_url_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("TFHUB_CACHE_DIR", "gs://bucket/cache")
    with pytest.raises(ValueError, match=r"TFHUB_CACHE_DIR='gs://bucket/cache'.*local") as info:
        config.cache_dir()
    assert isinstance(info.value, errors.ConfigError)


def test_file_url_cache_dir_in_process(monkeypatch, tmp_path):
    monkeypatch.setenv("TFHUB_CACHE_DIR", f"file://{tmp_path}/c")
    assert config.cache_dir() == str(Path(tmp_path, "c"))
