"""Run one of the project's example scripts as a real subprocess, the way a user would.

Every example test used to carry its own ``subprocess.run`` with its own environment;
this is the one copy. A script that cannot run with this TensorFlow exits with
:data:`SKIPPED` after printing ``skipped: <reason>`` on stderr, and the test skips
with that reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional, Union

import pytest

from tests.conftest import REPO_ROOT

SKIPPED = 77  # the exit code of an example that cannot run with this TensorFlow


def run_example(script: Union[str, Path], *args: str, env: Optional[Dict[str, Optional[str]]] = None,
                cwd: Optional[Union[str, Path]] = None, tmp_path: Optional[Path] = None,
                timeout: float = 300, ends_with: Optional[str] = None) -> subprocess.CompletedProcess:
    """Runs ``script`` with this interpreter; fails the test unless it exits 0.

    Args:
        script: the script's path.
        *args: its command-line arguments.
        env: entries over this process's environment; None unsets one.
        cwd: its working directory (default: this process's).
        tmp_path: its TMPDIR, so it leaves nothing in the machine's /tmp.
        timeout: seconds before the run counts as hung.
        ends_with: the last stdout line must end with this (e.g. "ok").

    Returns:
        the finished process (stdout and stderr as text), for further checks.
    """
    run_env = dict(os.environ)
    run_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), run_env.get("PYTHONPATH")]))
    run_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if tmp_path is not None:
        run_env["TMPDIR"] = str(tmp_path)
    for name, value in (env or {}).items():
        if value is None:
            run_env.pop(name, None)
        else:
            run_env[name] = value
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True,
                          text=True, env=run_env, cwd=cwd, timeout=timeout)
    if done.returncode == SKIPPED:
        reasons = [line for line in done.stderr.splitlines() if line.startswith("skipped:")]
        pytest.skip(reasons[-1] if reasons else f"{Path(script).name} exited {SKIPPED} (skipped)")
    assert done.returncode == 0, f"{Path(script).name} exited {done.returncode}:\n{done.stderr[-4000:]}"
    if ends_with is not None:
        assert done.stdout.rstrip().endswith(ends_with), done.stdout[-2000:]
    return done
