"""Session fixtures: the tiny models, an HTTP server for them, and every scenario's outcomes.

Outcomes are computed once per session: for each group, one child process per library
(both at once), each running all of the group's scenarios that apply to this lane.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
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


@pytest.fixture(scope="session")
def differential_context(tmp_path_factory) -> Dict:
    pytest.importorskip("tensorflow")
    if peer_version() is None:
        pytest.skip("tensorflow_hub is not installed in this lane")
    root = tmp_path_factory.mktemp("differential")
    result = subprocess.run([sys.executable, "-m", "tests.differential.models", str(root / "models")],
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=600,
                            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert result.returncode == 0, result.stderr[-4000:]
    models = json.loads(result.stdout.strip().splitlines()[-1])
    from tests.support.http_server import TestServer
    server = TestServer().start()
    server.add("/models/reusable", body=pack_bytes(Path(models["reusable"])))
    yield {"models": models, "url": server.url("/models"), "root": str(root)}
    server.stop()


def _run_group(library: str, group: str, names: List[str], context: Dict) -> Dict[str, Dict]:
    root = Path(context["root"])
    context_file = root / f"context-{library}-{group}.json"
    context_file.write_text(json.dumps({"models": context["models"], "url": context["url"]}))
    out = root / f"outcomes-{library}-{group}.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TFHUB_")}
    tf_version = tuple(int(p) for p in metadata.version("tensorflow").split(".")[:2])
    env.update(GROUP_ENV[group] if tf_version >= (2, 16) else {}, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        [sys.executable, "-m", "tests.differential.harness", library, str(context_file), str(out),
         *names], capture_output=True, text=True, cwd=root, env=env, timeout=900)
    records = {}
    if out.exists():
        records = {r["name"]: r for r in map(json.loads, out.read_text().splitlines())}
    for name in names:  # a crash leaves the rest of the group without an outcome
        records.setdefault(name, {"outcome": {"crashed": result.returncode},
                                  "traceback": result.stderr[-3000:]})
    return records


@pytest.fixture(scope="session")
def outcomes(differential_context) -> Dict[str, Dict[str, Dict]]:
    """library -> scenario name -> {"outcome": ..., "traceback": ...}."""
    version = peer_version()
    groups: Dict[str, List[str]] = {}
    for item in SCENARIOS.values():
        if version in item.hub_versions:
            groups.setdefault(item.group, []).append(item.name)
    jobs = [(lib, group, names) for group, names in groups.items() for lib in LIBRARIES]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(lambda job: _run_group(*job, differential_context), jobs))
    merged: Dict[str, Dict[str, Dict]] = {lib: {} for lib in LIBRARIES}
    for (lib, _, _), records in zip(jobs, results):
        merged[lib].update(records)
    return merged
