"""Acceptance 5: every TF1 Hub format guide snippet runs as a script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tf1"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py"))


def test_every_guide_snippet_has_a_script():
    assert {"create_module.py", "use_module.py", "fruit_to_pet.py", "fine_tuning.py",
            "export_from_checkpoint.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs(script, tmp_path):
    env = dict(os.environ, TMPDIR=str(tmp_path), TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, str(EXAMPLES / script)], capture_output=True,
                            text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("OK")
