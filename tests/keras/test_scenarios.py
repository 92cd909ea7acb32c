"""Keras 2 (acceptance 2) and MirroredStrategy (acceptance 5), each in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

SCRIPT = Path(__file__).with_name("scenarios.py")


def _run(name: str, tmp_path: Path, **env: str) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), name, str(tmp_path)], capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **env}, timeout=400)
    assert result.returncode == 0, result.stderr[-4000:]
    assert f"{name} ok" in result.stdout


def test_keras2_fit_and_round_trip(tmp_path):
    tf = pytest.importorskip("tensorflow")
    env = {}
    if tuple(int(p) for p in tf.__version__.split(".")[:2]) >= (2, 16):
        pytest.importorskip("tf_keras", reason="Keras 2 on TF 2.16+ needs tf_keras")
        env["TF_USE_LEGACY_KERAS"] = "1"  # on TF 2.15 tf.keras is Keras 2 already
    _run("keras2", tmp_path, **env)


def test_fit_under_mirrored_strategy_on_two_cpus(tmp_path):
    _run("mirrored", tmp_path)
