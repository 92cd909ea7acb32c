"""Session fixture: every scenario's outcome with each library.

For each group of scenarios (one environment), one child process per library runs all the
group's scenarios that apply to this lane. The children start at once and import their
library while the tiny models are still being written; they begin when the context file
(the models' paths and the HTTP server's URL) appears.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from tests.conftest import REPO_ROOT, pack_bytes
from tests.differential.harness import GROUP_ENV, SCENARIOS

LIBRARIES = ("tensorflow_hub", "tfhub")


def peer_version() -> Optional[str]:
    """tensorflow_hub's "major.minor" in this lane (read without importing it), or None."""
    try:
        return ".".join(metadata.version("tensorflow_hub").split(".")[:2])
    except metadata.PackageNotFoundError:
        return None


def _group_env(group: str) -> Dict[str, str]:
    tf_version = tuple(int(p) for p in metadata.version("tensorflow").split(".")[:2])
    return GROUP_ENV[group] if tf_version >= (2, 16) else {}


def _start(library: str, env: Dict[str, str], names: List[str], root: Path, tag: str):
    out = root / f"outcomes-{library}-{tag}.jsonl"
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("TFHUB_")}
    child_env.update(env, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="2")
    with open(root / f"{library}-{tag}.err", "w") as stderr:  # the child keeps its own copy
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.differential.harness", library, str(root / "context.json"),
             str(out), *names], stdout=subprocess.DEVNULL, stderr=stderr, cwd=root, env=child_env)
    return process, out, names


def _collect(process, out: Path, names: List[str]) -> Dict[str, Dict]:
    returncode = process.wait(timeout=900)
    records = {}
    if out.exists():
        records = {r["name"]: r for r in map(json.loads, out.read_text().splitlines())}
    stderr = Path(str(out).replace("outcomes-", "").replace(".jsonl", ".err")).read_text()
    for name in names:  # a crash leaves the rest of the group without an outcome
        records.setdefault(name, {"outcome": {"crashed": returncode}, "traceback": stderr[-3000:]})
    return records


@pytest.fixture(scope="session")
def outcomes(request, tmp_path_factory) -> Dict[str, Dict[str, Dict]]:
    """library -> scenario name -> {"outcome": ..., "traceback": ..., "seconds": ...}.

    Runs only the scenarios this pytest session selected (``-k NAME`` is quick), plus
    ``api_surface``, which the coverage test reads.
    """
    pytest.importorskip("tensorflow")
    version = peer_version()
    if version is None:
        pytest.skip("tensorflow_hub is not installed in this lane")
    root = tmp_path_factory.mktemp("differential")
    groups: Dict[str, List[str]] = {}  # environment (as JSON) -> scenario names
    selected = {"api_surface"} | {
        test.callspec.params["item"].name for test in request.session.items
        if "item" in getattr(getattr(test, "callspec", None), "params", {})}
    for item in SCENARIOS.values():
        if version in item.hub_versions and item.name in selected:
            groups.setdefault(json.dumps(_group_env(item.group), sort_keys=True), []).append(item.name)
    children = [_start(lib, json.loads(env), names, root, str(i))
                for i, (env, names) in enumerate(groups.items()) for lib in LIBRARIES]
    models = subprocess.run([sys.executable, "-m", "tests.differential.models", str(root / "models")],
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    from tests.support.http_server import TestServer
    server = TestServer().start()
    try:
        if models.returncode != 0:
            for process, _, _ in children:
                process.kill()
            pytest.fail(f"writing the models failed: {models.stderr[-4000:]}")
        paths = json.loads(models.stdout.strip().splitlines()[-1])
        server.add("/models/reusable", body=pack_bytes(Path(paths["reusable"])))
        partial = root / "context.json.partial"
        partial.write_text(json.dumps({"models": paths, "url": server.url("/models")}))
        os.replace(partial, root / "context.json")  # the children start now
        merged: Dict[str, Dict[str, Dict]] = {lib: {} for lib in LIBRARIES}
        for (process, out, names), lib in zip(children, LIBRARIES * len(groups)):
            merged[lib].update(_collect(process, out, names))
        yield merged
    finally:
        server.stop()
