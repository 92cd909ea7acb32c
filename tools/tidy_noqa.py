"""Drops the codes of rules `make lint` does not run from `# noqa` comments; keeps their reasons.

`ruff check --fix` also removes a `noqa` that suppresses nothing (RUF100), but it takes
the reason written after it along. This keeps the reason as a plain comment:
``import x  # noqa: PLC0415 - only the CLI needs it`` becomes ``import x  # only the CLI needs it``.

Usage (from the checkout): ``python tools/tidy_noqa.py`` rewrites tracked *.py files in place,
then ``make lint`` (RUF100) reports any `noqa` of an enabled rule that is no longer needed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

# The rule families selected in pyproject.toml ([tool.ruff.lint] select).
ENABLED = re.compile(r"(F|E|W|B|RUF)[0-9]+$")
NOQA = re.compile(r"\s*#\s*noqa:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)(.*)$")


def tidy(line: str) -> Optional[str]:
    """The line without the codes ruff does not check, or None when nothing changes."""
    found = NOQA.search(line)
    if found is None:
        return None
    codes = [code.strip() for code in found.group(1).split(",")]
    kept = [code for code in codes if ENABLED.match(code)]
    if kept == codes:
        return None
    rest = found.group(2).strip()
    head = line[: found.start()]
    if kept:
        return f"{head}  # noqa: {', '.join(kept)}" + (f" {rest}" if rest else "")
    reason = re.sub(r"^[-:]\s*", "", rest)
    return f"{head}  # {reason}" if reason else head.rstrip()


def main(argv: List[str]) -> int:
    files = argv or subprocess.run(["git", "ls-files", "*.py"], capture_output=True, text=True,
                                   check=True).stdout.split()
    changed = 0
    for name in files:
        path = Path(name)
        if path.resolve() == Path(__file__).resolve():
            continue  # its docstring shows a comment to tidy
        lines = path.read_text(encoding="utf-8").split("\n")
        tidied = [tidy(line) for line in lines]
        if any(t is not None for t in tidied):
            changed += sum(t is not None for t in tidied)
            path.write_text("\n".join(t if t is not None else line for t, line in zip(tidied, lines)),
                            encoding="utf-8")
    print(f"tidy_noqa: {changed} comments rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
