"""Every script under examples/migration runs (a subprocess each) and checks its numbers.

The Estimator example needs tf.estimator (TF 2.15 lane); elsewhere it exits 77 and is skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.tensorflow  # the example scripts run TensorFlow in their subprocess
EXAMPLES = REPO_ROOT / "examples" / "migration"
TF2_LANE = ["load_and_call.py", "keras_sequential.py", "tf1_module_in_tf2.py",
            "tf2_in_compat_session.py", "save_from_compat.py", "fine_tune_training_arg.py"]


ESTIMATOR_LANE = ["estimator_keras_layer.py"]  # needs tf.estimator: TF 2.15 lane
SKIPPED = 77  # the exit code of an example that cannot run with this TensorFlow


def _run(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, script], cwd=EXAMPLES, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, timeout=300)


@pytest.mark.parametrize("script", TF2_LANE)
def test_migration_example_runs(script):
    result = _run(script)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.rstrip().endswith("ok")


@pytest.mark.parametrize("script", ESTIMATOR_LANE)
def test_estimator_example_runs_in_tf215_lane(script):
    result = _run(script)
    if result.returncode == SKIPPED:
        reasons = [line for line in result.stderr.splitlines() if line.startswith("skipped:")]
        pytest.skip(reasons[-1] if reasons else f"{script} exited {SKIPPED} (skipped)")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.rstrip().endswith("ok"), result.stdout
