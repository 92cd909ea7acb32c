"""Fails unless this interpreter's environment holds exactly the packages of a lock file.

Usage: ``<venv>/bin/python tools/check_lock.py requirements/lock-tf221.txt``. Run by
``make`` after each lane is installed, so a lane that drifted from its lock (a stale venv,
a package installed by hand, a resolver that picked something else) is caught at once
instead of as a puzzling test failure. The project itself, installed editable, is left out.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def _normalise(name: str) -> str:
    """PEP 503 name normalisation: ``Tf_Keras`` and ``tf-keras`` are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins_of(text: str) -> dict[str, str]:
    """``{name: version}`` of every ``name==version`` line in a requirements or freeze text."""
    return {_normalise(m[1]): m[2] for m in map(_PIN.match, text.splitlines()) if m}


def installed() -> dict[str, str]:
    """``{name: version}`` of what ``pip freeze --all`` lists, editable installs excluded."""
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all", "--exclude-editable"],
                            check=True, capture_output=True, text=True).stdout
    return pins_of(frozen)


def main() -> int:
    lock_path = Path(sys.argv[1])
    locked, have = pins_of(lock_path.read_text()), installed()
    problems = [f"  {name}: locked {locked.get(name, '(absent)')}, installed {have.get(name, '(absent)')}"
                for name in sorted(locked.keys() | have.keys()) if locked.get(name) != have.get(name)]
    if problems:
        print(f"{sys.prefix} differs from {lock_path}:", *problems,
              "Fix: `make clean` and run the target again (or `make lock` if the lock is stale).",
              sep="\n", file=sys.stderr)
        return 1
    print(f"== {sys.prefix}: {len(have)} packages, exactly {lock_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
