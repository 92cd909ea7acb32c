"""Keeps benchmarks/ from rotting: a --quick run of two figures (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_run_prints_a_json_line_per_figure_and_a_table(tmp_path: Path) -> None:
    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve():
        pytest.skip("the harness is checked once, from the main lane (.venv)")
    report = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--only", "import,cold_resolve",
         "--docs", str(report)],
        capture_output=True, text=True, cwd=REPO, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"figure"')]
    assert [f["figure"] for f in figures] == ["import", "cold_resolve_2mb", "cold_resolve_8mb"]
    for fig in figures:
        assert fig["status"] in ("met", "missed", "info", "n/a")
        assert fig["rows"] and all(row["n"] >= 1 and row["median"] is not None for row in fig["rows"])
    subjects = {row["subject"] for row in figures[1]["rows"]}
    assert any(s.startswith("tfhub") for s in subjects)
    assert any(s.startswith("tensorflow_hub") for s in subjects)
    imports = {row["subject"]: row for row in figures[0]["rows"]}
    assert imports["tfhub (TF 2.21)"]["tensorflow_imported"] is False
    assert "== import time" in done.stdout  # the table
    text = report.read_text()
    assert "## Machine and run" in text and "cold resolve of a 8 MB module" in text
