"""hub.KerasLayer side by side with tensorflow_hub (issue #13, items 1-8).

Each lane runs tests/keras/parity_scenarios.py once per (library, Keras) in a
fresh interpreter and compares the outcomes: tfhub on a Keras must give what
tensorflow_hub gives on the Keras 2 of that lane (tensorflow_hub has no Keras 3
layer, so tfhub on Keras 3 is held to tensorflow_hub on tf_keras).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

from tests.conftest import REPO_ROOT
from tests.keras import parity_scenarios

tf = pytest.importorskip("tensorflow")
if importlib.util.find_spec("tensorflow_hub") is None:  # not imported here: see _env
    pytest.skip("the side-by-side runs need tensorflow_hub", allow_module_level=True)

SCRIPT = Path(parity_scenarios.__file__)
TF216 = tuple(int(p) for p in tf.__version__.split(".")[:2]) >= (2, 16)
LEGACY = {"TF_USE_LEGACY_KERAS": "1"}

# (Keras for tfhub, Keras for tensorflow_hub, extra environment) of this lane.
if TF216:
    CASES = [("tf_keras", "tf_keras", {}), ("keras", "tf_keras", {}),
             ("tf_keras", "tf_keras", LEGACY)]
else:
    CASES = [("tf.keras", "tf.keras", {})]
CASE_IDS = [f"{k}{'-legacy' if env else ''}" for k, _, env in CASES]
# Loading in fresh processes is slow; TF_USE_LEGACY_KERAS adds nothing to it.
LOAD_CASES = [case for case in CASES if not case[2]]
LOAD_IDS = [k for k, _, _ in LOAD_CASES]


def _env(**extra: str) -> Dict[str, str]:
    path = [str(REPO_ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    return {**env, "PYTHONPATH": os.pathsep.join(path), **extra}


def run_python(args: list, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                          env=_env(**env), timeout=500)


class Outcomes:
    """Runs the scenario script at most once per (library, Keras, environment)."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._runs: Dict[Tuple[str, str, str], Tuple[Path, Dict[str, Any]]] = {}

    def get(self, hub: str, keras: str, env: Dict[str, str]) -> Tuple[Path, Dict[str, Any]]:
        key = (hub, keras, json.dumps(env))
        if key not in self._runs:
            workdir = self._root / f"{hub}-{keras}-{len(self._runs)}"
            workdir.mkdir()
            result = run_python([str(SCRIPT), hub, keras, str(workdir)], **env)
            lines = [line.split(" ", 2) for line in result.stdout.splitlines()
                     if line.startswith("OUTCOME ")]
            assert lines, result.stderr[-4000:]
            self._runs[key] = (workdir, {name: json.loads(value) for _, name, value in lines})
        return self._runs[key]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Outcomes:
    return Outcomes(tmp_path_factory.mktemp("parity"))


@pytest.mark.parametrize("scenario", sorted(parity_scenarios.SCENARIOS))
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_tfhub_does_what_tensorflow_hub_does(outcomes, scenario, case):
    ours_keras, theirs_keras, env = case
    theirs = outcomes.get("tensorflow_hub", theirs_keras, env)[1][scenario]
    ours = outcomes.get("tfhub", ours_keras, env)[1][scenario]
    assert "error" not in theirs, theirs
    if ours_keras == "keras" and isinstance(theirs, dict):
        theirs = {k: v for k, v in theirs.items() if k != ".h5"}  # Keras 3 saves no h5 config
    assert ours == theirs


def _load_script(model: Path, imports: str) -> str:
    return (f"{imports}\nimport numpy as np\n"
            f"model = keras.models.load_model({str(model)!r})\n"
            "print('PREDICT', model.predict(np.ones((1, 1), 'float32'), verbose=0).tolist())")


FRESH_LOADS = {  # Keras of the saved model -> {name: import lines of the loading program}
    "keras": {"keras-then-tfhub": "import keras, tfhub",
              "tfhub-then-keras": "import tfhub, keras",
              "tfhub-then-tf.keras": "import tfhub\nimport tensorflow as tf\nkeras = tf.keras"},
    "tf_keras": {"tf_keras-then-tfhub": "import tf_keras as keras, tfhub",
                 "tfhub-then-tf_keras": "import tfhub, tf_keras as keras"},
    "tf.keras": {"tf-then-tfhub": "import tensorflow as tf, tfhub\nkeras = tf.keras",
                 "tfhub-then-tf": "import tfhub\nimport tensorflow as tf\nkeras = tf.keras"},
}


@pytest.mark.parametrize("case", LOAD_CASES, ids=LOAD_IDS)
def test_saved_model_loads_in_a_fresh_process(outcomes, case):
    """Item 8: .keras (and .h5 on Keras 2) files load after `import tfhub`, in either
    order, without touching hub.KerasLayer (tensorflow_hub needs custom_objects)."""
    keras, _, env = case
    workdir, results = outcomes.get("tfhub", keras, env)
    assert results["save_for_fresh_load"] == [[3.0]]
    saved = workdir / "save_for_fresh_load"
    files = ["model.keras"] if keras == "keras" else ["model.keras", "model.h5"]
    for file in files:
        for name, imports in FRESH_LOADS[keras].items():
            result = run_python(["-c", _load_script(saved / file, imports)], **env)
            assert "PREDICT [[3.0]]" in result.stdout, (file, name, result.stderr[-3000:])


@pytest.mark.parametrize("case", LOAD_CASES, ids=LOAD_IDS)
def test_missing_handle_directory_is_named_when_loading(outcomes, case, tmp_path):
    """Item 8: the error of a model whose handle directory is gone says so."""
    keras, _, env = case
    workdir, _ = outcomes.get("tfhub", keras, env)
    saved = tmp_path / "saved"
    shutil.copytree(workdir / "save_for_fresh_load", saved)
    handle = workdir / "save_for_fresh_load" / "handle"
    moved = tmp_path / "moved"
    shutil.move(str(handle), str(moved))
    try:
        imports = next(iter(FRESH_LOADS[keras].values()))
        result = run_python(["-c", _load_script(saved / "model.keras", imports)], **env)
    finally:
        shutil.move(str(moved), str(handle))
    assert result.returncode != 0
    assert str(handle) in result.stderr and "does not exist" in result.stderr, \
        result.stderr[-3000:]
