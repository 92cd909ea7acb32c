"""A local TF Hub for the tutorial scripts: stand-in models behind the tutorials' own handles.

tfhub.dev cannot be reached from the test machines, and the tutorials' models are
hundreds of megabytes. :func:`serve` builds small stand-ins (same signatures, dtypes,
output structures and variables as the real models), serves them with ``tfhub serve``
on 127.0.0.1, and points ``TFHUB_MIRROR`` at it, so the tutorial code keeps its
``https://tfhub.dev/...`` handles exactly as written. Everything lives in one temp
directory (models, archives, ``TFHUB_CACHE_DIR``, ``KERAS_HOME``), removed when the script exits.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path
from typing import Callable, Mapping

#: The hosts whose handles the tutorials use; all are routed to the local hub.
TUTORIAL_HOSTS = ("https://tfhub.dev", "https://www.kaggle.com/models")


def serve(models: Mapping[str, Callable[[str], None]]) -> Path:
    """Serves stand-ins under the handles the tutorial uses; returns the script's temp dir.

    Args:
        models: handle (as in the tutorial) -> a function writing the stand-in
            SavedModel into the directory it is given.

    Raises:
        RuntimeError: ``tfhub serve`` did not start (its log is in the message).
    """
    work = tempfile.mkdtemp(prefix="tfhub-tutorial-")
    atexit.register(shutil.rmtree, work, True)
    root = os.path.join(work, "models")
    for handle, build in models.items():
        build(os.path.join(root, _model_path(handle)))
    log_path = os.path.join(work, "serve.log")
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "tfhub", "serve", root, "--port", "0",
             "--archive-dir", os.path.join(work, "archives")],
            stdout=subprocess.PIPE, stderr=log, text=True)
    atexit.register(_stop, server)
    first = server.stdout.readline() if server.stdout else ""
    if not first.startswith("tfhub serve: http"):
        with open(log_path) as log:
            raise RuntimeError(f"tfhub serve did not start: {first}{log.read()[-2000:]}")
    address = first.split()[2].rstrip("/")
    os.environ["TFHUB_MIRROR"] = ",".join(f"{host}={address}" for host in TUTORIAL_HOSTS)
    os.environ["TFHUB_CACHE_DIR"] = os.path.join(work, "cache")
    os.environ["KERAS_HOME"] = os.path.join(work, "keras")  # tf.keras.utils.get_file's cache
    return Path(work)


def _model_path(handle: str) -> str:
    """The path under the served root that a handle maps to (its URL path)."""
    for host in TUTORIAL_HOSTS:
        if handle.startswith(host + "/"):
            return urllib.parse.urlsplit(handle[len(host):]).path.strip("/")
    raise ValueError(f"{handle!r} is not on one of {TUTORIAL_HOSTS}")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def keras3() -> bool:
    """Whether ``tf.keras`` is Keras 3 here (TF 2.16+ without ``TF_USE_LEGACY_KERAS=1``).

    The tutorials' ``model.save(directory)`` writes a SavedModel with Keras 2; Keras 3
    refuses a path without ``.keras`` and exports SavedModels with ``model.export``.
    """
    from tfhub.keras import flavour

    return flavour.which_keras() == flavour.KERAS3
