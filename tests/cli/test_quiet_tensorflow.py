"""TensorFlow's start-up chatter stays out of the CLI's output unless --verbose asks for it."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

TFHUB = str(Path(sys.executable).parent / "tfhub")


def _tfhub(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return subprocess.run([TFHUB, *args], env=env, capture_output=True, text=True, timeout=300)


def test_inspect_prints_no_tensorflow_chatter(shared_testdata):
    model = shared_testdata / "realmodels" / "01_tf1_mnist_customtag_nosig"
    quiet = _tfhub("inspect", str(model))
    assert quiet.returncode == 0 and quiet.stdout.startswith("handle:")
    assert quiet.stderr == ""
    verbose = _tfhub("-v", "inspect", str(model))
    assert verbose.returncode == 0 and verbose.stdout == quiet.stdout


@pytest.mark.tensorflow  # the subprocess imports TensorFlow
def test_stderr_is_back_after_the_silenced_import():
    """Only the import is silenced: what is written to descriptor 2 afterwards arrives."""
    code = ("import os, sys; from tfhub.cli import quiet_tensorflow as q; q.install(); "
            "import tensorflow as tf; tf.constant(1.0); os.write(2, b'after\\n'); "
            "print('tensorflow' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert done.stdout.strip() == "True"
    assert done.stderr.endswith("after\n")
    assert "oneDNN" not in done.stderr and "InitializeLog" not in done.stderr


def test_a_failing_tensorflow_import_still_reports_itself(tmp_path):
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text("raise ImportError('broken build: libfoo.so missing')\n")
    code = "from tfhub.cli import quiet_tensorflow as q; q.install(); import tensorflow"
    done = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(tmp_path)),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "broken build: libfoo.so missing" in done.stderr


@pytest.mark.parametrize("flag", ["-v", "--debug"])
def test_verbose_and_debug_leave_tensorflow_alone(flag):
    from tfhub.cli import main as cli_main

    logger = logging.getLogger("tfhub")
    before, level, handlers = list(sys.meta_path), logger.level, list(logger.handlers)
    try:
        cli_main._configure_logging(debug=flag == "--debug", verbose=flag == "-v")
        assert sys.meta_path == before
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)
