"""The no-TF lane's rule: a test that imports TensorFlow is skipped, with the reason.

Without TensorFlow installed, ``import tensorflow`` written in a test file (at the
top, in a fixture, or in a test) raises pytest's skip instead of
ModuleNotFoundError: the file (or the test) is reported as skipped, naming the
file and the import, and every test that needs no TensorFlow runs. Only imports
written in tests/ are turned into skips; when tfhub itself imports TensorFlow,
its own error stays, so a test of that error still runs and still checks it.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from pathlib import Path
from typing import Optional, Sequence

import pytest

# Packages the lanes install only with TensorFlow (Keras 3's backend here is TF; numpy
# comes with TensorFlow, and the tests use it to check what a model computes).
_NEEDS_TENSORFLOW = ("tensorflow", "tensorflow_hub", "tensorflow_estimator", "tf_keras", "keras", "numpy")


@functools.lru_cache(maxsize=None)
def tensorflow_installed() -> bool:
    """Asked first before the rule is installed (the answer is kept: later asks would meet the rule)."""
    return importlib.util.find_spec("tensorflow") is not None


class _SkipTensorFlowImports(importlib.abc.MetaPathFinder):
    """Last on sys.meta_path: asked only about modules no other finder has."""

    def __init__(self, tests_dir: Path) -> None:
        self._tests_dir = str(tests_dir) + "/"

    def find_spec(self, fullname: str, path: Optional[Sequence[str]],
                  target: Optional[types.ModuleType] = None) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname.split(".")[0] not in _NEEDS_TENSORFLOW:
            return None
        importer = self._importing_test_file()
        if importer is None:
            return None  # tfhub's own import: its error is what the caller sees
        raise pytest.skip.Exception(f"needs TensorFlow: {importer} imports {fullname}, which this venv "
                                    "installs only with TensorFlow (the TF lanes run it)", allow_module_level=True)

    def _importing_test_file(self) -> Optional[str]:
        """The tests/ file whose import statement asked for the module, or None."""
        frame = sys._getframe(2)
        while frame is not None and (frame.f_code.co_filename.startswith("<frozen")
                                     or "importlib" in frame.f_code.co_filename):
            frame = frame.f_back
        if frame is None or not frame.f_code.co_filename.startswith(self._tests_dir):
            return None
        return frame.f_code.co_filename[len(self._tests_dir) - len("tests/"):]


def skip_tests_that_import_tensorflow(tests_dir: Path) -> None:
    """Installs the rule, once, when TensorFlow is not installed (a no-op in the TF lanes)."""
    if tensorflow_installed() or any(isinstance(f, _SkipTensorFlowImports) for f in sys.meta_path):
        return
    sys.meta_path.append(_SkipTensorFlowImports(tests_dir))
