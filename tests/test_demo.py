"""`make demo` runs offline and ends with inference results."""

import pytest

from tests.conftest import REPO_ROOT
from tests.support.examples import run_example


@pytest.mark.tensorflow  # the demo builds and runs models
def test_demo_runs_and_ends_with_inference_results(tmp_path):
    done = run_example(REPO_ROOT / "examples" / "demo.py", tmp_path=tmp_path, timeout=600,
                       env={"TFHUB_CACHE_DIR": None})  # the demo makes its own fresh cache
    tail = done.stdout[done.stdout.index("=== Inference results"):]
    assert "3x + 1   (TF2)        = [4.0, 7.0, 31.0]" in tail
    assert "0.5x + 2 (TF1 Hub)    = [2.5, 3.0, 7.0]" in tail
    assert "Downloading" in done.stderr and "100%" in done.stderr  # the progress bar
    assert "format:     TF1 Hub format" in done.stdout and "format:     TF2 SavedModel" in done.stdout
