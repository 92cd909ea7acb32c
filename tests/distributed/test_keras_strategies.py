"""hub.KerasLayer(trainable=True) under MultiWorkerMirroredStrategy and ParameterServerStrategy.

Real processes on 127.0.0.1: two MWMS workers; a coordinator, one ps and two
workers for PSS. Keras 3 in the TF 2.21 lane (a custom training loop, because
Keras 3's ``model.fit`` fails under MWMS for any model), Keras 2 in the TF 2.15
lane (``model.fit`` under MWMS).
"""

from __future__ import annotations

import pytest

pytest.importorskip("tensorflow")

INITIAL = {"scale:0": [[3.0]], "offset:0": [1.0]}


def test_multi_worker_mirrored_fine_tuning(example, keras_flavour, tf2_model_dir, tmp_path):
    mode = "loop" if keras_flavour == "keras3" else "fit"
    results = example("keras_multi_worker").launch(str(tf2_model_dir), tmp_path, mode=mode)
    first, second = results[("worker", 0)], results[("worker", 1)]
    for result in (first, second):
        assert result["keras"] == keras_flavour
        assert result["replicas"] == 2
        assert result["final_loss"] < 0.5 * result["initial_loss"], result
    # Mirrored variables: every worker ends with exactly the same values.
    assert first["variables"] == second["variables"] != INITIAL


def test_parameter_server_fine_tuning(example, keras_flavour, tf2_model_dir, tmp_path):
    module = example("keras_parameter_server")
    result = module.launch(str(tf2_model_dir), tmp_path)
    assert result["keras"] == keras_flavour
    assert result["steps_done"] == module.STEPS
    assert all(d.startswith("/job:ps/") for d in result["devices"].values()), result
    assert result["final_loss"] < 0.5 * result["initial_loss"], result
    assert result["variables"] != INITIAL
