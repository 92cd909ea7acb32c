"""Run the same snippet with ``tensorflow_hub`` and with ``tfhub``, each in a fresh process.

The snippet sees ``hub`` (the library under test) and ``emit(**values)``, which
reports JSON-serialisable outcomes back to the test. Comparing the two reports is
how parity is checked: by running tensorflow_hub, not by reading our code.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
from typing import Any, Dict, Optional

import pytest

_PRELUDE = """\
import json as _json, sys as _sys
import {library} as hub
def emit(**values):
    print("PEER-RESULT " + _json.dumps(values, sort_keys=True, default=repr), flush=True)
"""


def peer_version() -> Optional[str]:
    """The installed tensorflow_hub version in this lane, or None."""
    try:
        return importlib.metadata.version("tensorflow_hub")
    except importlib.metadata.PackageNotFoundError:
        return None


def require_peer(tf1_api: bool = False) -> str:
    """Skips the test unless tensorflow_hub (with the TF1 API if asked) is installed."""
    version = peer_version()
    if version is None:
        pytest.skip("tensorflow_hub is not installed in this lane")
    if tf1_api and tuple(int(p) for p in version.split(".")[:2]) >= (0, 16):
        pytest.skip(f"tensorflow_hub {version} has no TF1 Hub format API (the TF 2.15 lane has 0.15)")
    return version


def run_snippet(library: str, code: str, env: Optional[Dict[str, Optional[str]]] = None,
                cwd: Optional[str] = None, args: tuple = (), timeout: float = 300
                ) -> Dict[str, Any]:
    """Runs ``code`` with ``hub`` bound to ``library``; returns what it emitted (merged).

    ``env`` entries override the environment; a value of None unsets the variable.
    """
    script = _PRELUDE.format(library=library) + textwrap.dedent(code)
    run_env = dict(os.environ)
    run_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for name, value in (env or {}).items():  # None unsets a variable
        if value is None:
            run_env.pop(name, None)
        else:
            run_env[name] = value
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          env=run_env, cwd=cwd, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"the snippet failed with {library} (exit {done.returncode}):\n"
                             f"{done.stderr[-3000:]}")
    results: Dict[str, Any] = {}
    for line in done.stdout.splitlines():
        if line.startswith("PEER-RESULT "):
            results.update(json.loads(line[len("PEER-RESULT "):]))
    return results
