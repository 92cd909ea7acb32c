"""Acceptance 5: every TF1 Hub format guide snippet runs as a script."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.examples import run_example

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tf1"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))


def test_every_guide_snippet_has_a_script():
    assert {"create_module.py", "use_module.py", "fruit_to_pet.py", "fine_tuning.py",
            "export_from_checkpoint.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs(script, tmp_path):
    run_example(EXAMPLES / script, tmp_path=tmp_path, ends_with="OK")
