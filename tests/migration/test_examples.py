"""Every script under examples/migration runs (a subprocess each) and checks its numbers.

The Estimator example needs tf.estimator (TF 2.15 lane); elsewhere it exits 77 and is skipped.
"""

from __future__ import annotations

import pytest

from tests.conftest import REPO_ROOT
from tests.support.examples import run_example

pytestmark = pytest.mark.tensorflow  # the example scripts run TensorFlow in their subprocess
EXAMPLES = REPO_ROOT / "examples" / "migration"
TF2_LANE = ["load_and_call.py", "keras_sequential.py", "tf1_module_in_tf2.py",
            "tf2_in_compat_session.py", "save_from_compat.py", "fine_tune_training_arg.py"]


ESTIMATOR_LANE = ["estimator_keras_layer.py"]  # needs tf.estimator: TF 2.15 lane


@pytest.mark.parametrize("script", TF2_LANE)
def test_migration_example_runs(script):
    run_example(EXAMPLES / script, cwd=EXAMPLES, ends_with="ok")


@pytest.mark.parametrize("script", ESTIMATOR_LANE)
def test_estimator_example_runs_in_tf215_lane(script):
    run_example(EXAMPLES / script, cwd=EXAMPLES, ends_with="ok")
