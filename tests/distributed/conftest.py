"""Fixtures for the distributed tests: the examples' cluster launcher and scripts.

Every setup runs as real processes on 127.0.0.1, started by
``examples/distributed/cluster.py`` (free ports, TF_CONFIG, per-run deadline,
every process killed afterwards); the tests call each example's ``launch``
and check the numbers its tasks report.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Callable

import pytest

from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples" / "distributed"


def _import(name: str) -> ModuleType:
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    return importlib.import_module(name)


@pytest.fixture(scope="session")
def example() -> Callable[[str], ModuleType]:
    """Imports a module of examples/distributed by name (e.g. "ps_hub_load")."""
    return _import


@pytest.fixture(scope="session")
def cluster() -> ModuleType:
    """examples/distributed/cluster.py: make_cluster, run_cluster, ClusterError, ..."""
    return _import("cluster")


@pytest.fixture(scope="session")
def keras_flavour() -> str:
    """"keras3" or "keras2": the Keras that tf.keras is in this lane."""
    pytest.importorskip("tensorflow")
    return _import("keras_training").keras_flavour()
