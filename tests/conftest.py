"""Fixtures shared by the whole suite.

Every test gets its own cache directory (TFHUB_CACHE_DIR) and a clean set of
tfhub environment variables, so no test sees another's downloads.

In a venv without TensorFlow (the no-TF lane, `make test-fast`) the whole suite
is collected; a test file, fixture or test that imports TensorFlow is skipped,
naming the file and the import (tests/support/tensorflow_free.py). Everything
else runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import tally, tensorflow_free

tensorflow_free.skip_tests_that_import_tensorflow(Path(__file__).resolve().parent)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """@pytest.mark.tensorflow: TensorFlow is needed where no import in tests/ shows it."""
    if item.get_closest_marker("tensorflow") and not tensorflow_free.tensorflow_installed():
        pytest.skip("needs TensorFlow (marked tensorflow: a subprocess or tfhub imports it); this venv has none")

# Directories and files whose session or module fixtures are costly and shared by all their
# tests: under pytest-xdist each is one group (`--dist loadgroup`), so its setup runs on one
# worker only. differential: `outcomes` runs every selected scenario, both libraries, in TF
# subprocesses; convert: `tf1_modules` builds seven TF1 Hub format modules; the two shared-tree
# files load (and serve) the whole tfhub.dev documentation tree.
_ONE_WORKER = ("differential", "convert", "hubdocs/test_shared_tree.py", "server/test_catalog_shared_tree.py")


def pytest_collection_modifyitems(items: "list[pytest.Item]") -> None:
    """Marks the tests under each :data:`_ONE_WORKER` path with that path's xdist_group."""
    tests_dir = Path(__file__).resolve().parent
    for item in items:
        relative = Path(item.fspath).resolve().relative_to(tests_dir).as_posix()
        group = next((p for p in _ONE_WORKER if relative == p or relative.startswith(p + "/")), None)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker hands its tally to the controller (xdist sends workeroutput)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["tfhub_tally"] = tally.snapshot()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # an xdist hook, on the controller
    """Adds a finished worker's tally to the controller's."""
    tally.merge(getattr(node, "workeroutput", {}).get("tfhub_tally", {}))


def pytest_terminal_summary(terminalreporter) -> None:  # pytest's reporter
    """The kill points, processes and generated inputs the reliability and fuzz suites ran.

    Printed here, not in those directories' conftests: under xdist the controller collects
    nothing, so only this conftest (loaded for the rootdir's test paths) runs there.
    """
    for suite in ("reliability", "fuzz"):
        tally.report(terminalreporter, suite)


_TFHUB_VARS = (
    "TFHUB_CACHE_DIR",
    "TFHUB_MODEL_LOAD_FORMAT",
    "TFHUB_DOWNLOAD_PROGRESS",
    "TFHUB_DISABLE_PROGRESS_BARS",
    "TFHUB_DISABLE_CERT_VALIDATION",
    "TFHUB_OFFLINE",
    "TFHUB_HTTP_CONNECT_TIMEOUT",
    "TFHUB_HTTP_READ_TIMEOUT",
    "TFHUB_HTTP_RETRIES",
    "TFHUB_HTTP_RETRY_AFTER_MAX",
    "TFHUB_HTTP_LOW_SPEED_LIMIT",
    "TFHUB_HTTP_LOW_SPEED_TIME",
    "TFHUB_MIRROR",
    "TFHUB_HTTP_HEADERS",
    "TFHUB_PIN_FILE",
    "TFHUB_CACHE_LOCKS",
    "TFHUB_SERVER",
    "TFHUB_TEST_KILL_AT",
    "TFHUB_TEST_DOOR_LOG",
)

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_testdata_path() -> Path:
    """../shared/testdata beside the checkout, or $TFHUB_TESTDATA."""
    return Path(os.environ.get("TFHUB_TESTDATA", REPO_ROOT.parent / "shared" / "testdata"))


@pytest.fixture(autouse=True)
def isolated_tfhub_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh cache directory and no stray tfhub settings for each test."""
    for name in _TFHUB_VARS:
        monkeypatch.delenv(name, raising=False)
    cache = tmp_path / "tfhub_cache"
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def cache_dir(isolated_tfhub_env: Path) -> Path:
    """The test's TFHUB_CACHE_DIR."""
    return isolated_tfhub_env


@pytest.fixture
def shared_testdata() -> Path:
    """The real artifacts in ../shared/testdata; skips with a reason when absent."""
    path = shared_testdata_path()
    if not (path / "realmodels" / "MANIFEST.json").exists():
        pytest.skip(f"real test artifacts not found at {path} (set TFHUB_TESTDATA to use them)")
    return path


@pytest.fixture
def half_plus_two_dir(shared_testdata: Path, tmp_path: Path) -> Path:
    """The real TF 1.x module half_plus_two_v1 (shared testdata), extracted into tmp."""
    import tarfile

    target = tmp_path / "half_plus_two_v1"
    target.mkdir()
    with tarfile.open(shared_testdata / "half_plus_two_v1.tar.gz") as archive:
        archive.extractall(target)
    return target


@pytest.fixture
def http_server():
    """A real HTTP server on 127.0.0.1 (port 0) with routes to order."""
    from tests.support.http_server import TestServer

    server = TestServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def example_models_module():
    """examples/example_models.py, imported (needs TensorFlow)."""
    import importlib.util

    pytest.importorskip("tensorflow", reason="building the example models needs TensorFlow")

    spec = importlib.util.spec_from_file_location("example_models", REPO_ROOT / "examples" / "example_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tf2_model_dir(tmp_path_factory, example_models_module) -> Path:
    """A tiny reusable TF2 SavedModel: x * 3 + 1."""
    return example_models_module.write_tf2_saved_model(tmp_path_factory.mktemp("tf2") / "model")


@pytest.fixture(scope="session")
def tf1_hub_module_dir(tmp_path_factory, example_models_module) -> Path:
    """A tiny TF1 Hub format module: x * 0.5 + 2 (signature default)."""
    return example_models_module.write_tf1_hub_module(tmp_path_factory.mktemp("tf1") / "module")


def pack_bytes(directory: Path) -> bytes:
    """A model directory as tar.gz bytes (tfhub's deterministic packer)."""
    import io

    from tfhub.resolving import archive

    out = io.BytesIO()
    archive.pack(directory, out)
    return out.getvalue()
