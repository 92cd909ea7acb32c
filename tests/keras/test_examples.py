"""The examples under examples/keras run and succeed."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples" / "keras"


def _run(script: str, *args: str) -> None:
    result = subprocess.run([sys.executable, str(EXAMPLES / script), *args], capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
                            timeout=400)
    assert result.returncode == 0, result.stderr[-4000:]
    assert result.stdout.rstrip().endswith("ok")


def test_fine_tune_savedmodel_example(tmp_path):
    _run("fine_tune_savedmodel.py", str(tmp_path))


def test_fine_tune_tf1_module_example(tf1_bn_module):
    _run("fine_tune_tf1_module.py", tf1_bn_module)
