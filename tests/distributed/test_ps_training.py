"""TF1 between-graph training on a ps/worker cluster (1 ps, 2 workers, real processes).

* a TF2 SavedModel through ``hub.load`` in a TF1 graph, variables on the ps,
  Sessions with ``share_cluster_devices_in_session``; without it, the chief
  shows the InternalError TensorFlow raises;
* a TF1 Hub format module through ``hub.Module(trainable=True)``.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest

pytest.importorskip("tensorflow")

STEPS_PER_WORKER = 8


def _check_shared_training(results: Dict[Any, Dict[str, Any]], initial: Dict[str, Any]) -> None:
    """Both workers trained the same ps-held variables, and the loss dropped."""
    chief, other = results[("worker", 0)], results[("worker", 1)]
    assert chief["final_loss"] < 0.5 * chief["initial_loss"], chief
    for result in (chief, other):
        assert result["global_step"] == 2 * STEPS_PER_WORKER
        assert all(d.startswith("/job:ps/task:0") for d in result["devices"].values()), result
    assert chief["variables"] == other["variables"]
    assert chief["final_loss"] == other["final_loss"]
    assert chief["variables"] != initial


def test_hub_load_in_tf1_graph_with_variables_on_ps(example, tf2_model_dir, tmp_path):
    results = example("ps_hub_load").launch(str(tf2_model_dir), tmp_path)
    _check_shared_training(results, {"scale": [[3.0]], "offset": [1.0]})
    without = results[("worker", 0)]["without_share_cluster_devices"]
    # The model's functions cannot reach /job:ps from the worker's function runtime.
    for fetch in ("loss", "gradients"):
        assert without[fetch].startswith("InternalError"), without
        assert "does not match any device" in without[fetch]
        assert "share_cluster_devices_in_session" in without[fetch]


def test_hub_module_between_graph_replicated(example, tf1_hub_module_dir, tmp_path):
    results = example("ps_hub_module").launch(str(tf1_hub_module_dir), tmp_path)
    _check_shared_training(results, {"module/slope": [[0.5]], "module/intercept": [2.0]})
    # hub.Module imports plain graph ops (no functions): no setting is needed.
    assert results[("worker", 0)]["without_share_cluster_devices"] == {
        "loss": "ok", "gradients": "ok"}
