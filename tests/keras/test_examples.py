"""The examples under examples/keras run and succeed."""

from __future__ import annotations

from tests.conftest import REPO_ROOT
from tests.support.examples import run_example

EXAMPLES = REPO_ROOT / "examples" / "keras"


def test_fine_tune_savedmodel_example(tmp_path):
    run_example(EXAMPLES / "fine_tune_savedmodel.py", str(tmp_path), timeout=400, ends_with="ok")


def test_fine_tune_tf1_module_example(tf1_bn_module):
    run_example(EXAMPLES / "fine_tune_tf1_module.py", tf1_bn_module, timeout=400, ends_with="ok")
