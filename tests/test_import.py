"""`import tfhub` does not import TensorFlow (issue #2, acceptance 2), and names bind lazily."""

import subprocess
import sys

import pytest


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


def test_import_tfhub_does_not_import_tensorflow():
    done = _run("import tfhub, sys; assert 'tensorflow' not in sys.modules")
    assert done.returncode == 0, done.stderr


def test_resolving_a_local_path_does_not_import_tensorflow(tmp_path):
    done = _run(f"import tfhub, sys; tfhub.resolve({str(tmp_path)!r}); assert 'tensorflow' not in sys.modules")
    assert done.returncode == 0, done.stderr


@pytest.mark.tensorflow  # binding hub.Module and the rest imports TensorFlow
def test_every_public_name_binds_on_first_use():
    done = _run("import tfhub\nfor name in tfhub.__all__ + ['eval_function_for_module', '__version__']:\n"
                "    getattr(tfhub, name)\nprint(len(tfhub.__all__))")
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) >= 21
