"""Every script under examples/migration runs (a subprocess each) and checks its numbers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples" / "migration"
TF2_LANE = ["load_and_call.py", "keras_sequential.py", "tf1_module_in_tf2.py",
            "tf2_in_compat_session.py", "save_from_compat.py", "fine_tune_training_arg.py"]


@pytest.mark.parametrize("script", TF2_LANE)
def test_migration_example_runs(script):
    result = subprocess.run([sys.executable, script], cwd=EXAMPLES, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.rstrip().endswith("ok")
