"""`make demo` runs offline and ends with inference results."""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.tensorflow  # the demo builds and runs models
def test_demo_runs_and_ends_with_inference_results(tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path), TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("TFHUB_CACHE_DIR", None)  # the demo makes its own fresh cache
    done = subprocess.run([sys.executable, str(REPO_ROOT / "examples" / "demo.py")], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    tail = done.stdout[done.stdout.index("=== Inference results"):]
    assert "3x + 1   (TF2)        = [4.0, 7.0, 31.0]" in tail
    assert "0.5x + 2 (TF1 Hub)    = [2.5, 3.0, 7.0]" in tail
    assert "Downloading" in done.stderr and "100%" in done.stderr  # the progress bar
    assert "format:     TF1 Hub format" in done.stdout and "format:     TF2 SavedModel" in done.stdout
