"""Keeps TensorFlow's start-up chatter out of the CLI's output.

TensorFlow's C++ core writes to file descriptor 2 while it is imported (oneDNN,
CUDA probes, absl's "before InitializeLog" line), and on TF 2.16+ some of it
ignores ``TF_CPP_MIN_LOG_LEVEL``. The CLI imports TensorFlow only when a command
needs it, at an unknown place, so instead of importing it early (slow for every
command) a finder on ``sys.meta_path`` wraps that one import: descriptor 2 points
at /dev/null while it runs, then is restored. Python exceptions are unaffected,
so a failed import still reports itself. ``--verbose`` and ``--debug`` skip this.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import sys
from typing import Iterator, Optional, Sequence

_QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3"}


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self._inner = inner

    def create_module(self, spec):  # the Loader protocol
        return self._inner.create_module(spec)

    def exec_module(self, module) -> None:
        with _stderr_silenced():
            self._inner.exec_module(module)


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` as the other finders would, with a silencing loader."""

    def find_spec(self, name: str, path: Optional[Sequence[str]], target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once: later imports are cache hits anyway
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def install() -> None:
    """Silences the next import of TensorFlow in this process (a no-op once it is imported)."""
    for name, value in _QUIET_ENV.items():
        os.environ.setdefault(name, value)
    if "tensorflow" not in sys.modules and not any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowFinder())
