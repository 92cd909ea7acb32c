"""Fine-tuning ``hub.KerasLayer(trainable=True)`` with ParameterServerStrategy.

Run directly, it writes a tiny TF2 SavedModel and starts a cluster on
127.0.0.1: one parameter server and two workers (``tf.distribute.Server``
processes that wait for work) and a coordinator (this example's ``chief``
task). The coordinator builds the model inside ``strategy.scope()``, so the
hub model's variables live on the ps, and schedules training steps on the
workers with a ``ClusterCoordinator``::

    python examples/distributed/keras_parameter_server.py [WORKDIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cluster
import keras_training as kt

STEPS = 16


def _options(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("workdir", nargs="?")
    parser.add_argument("--model")
    return parser.parse_args(argv)


def serve(task: cluster.TaskArgs) -> None:
    """A ps or worker task: a server that runs what the coordinator sends."""
    cluster.start_server(task).join()


def coordinator(task: cluster.TaskArgs) -> Dict[str, Any]:
    """Builds the model on the ps, schedules STEPS steps, reports losses and placement."""
    import tensorflow as tf

    resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    strategy = tf.distribute.ParameterServerStrategy(resolver)
    scheduler = tf.distribute.coordinator.ClusterCoordinator(strategy)
    model, layer, optimizer = kt.build_model(strategy, _options(task.extra).model)
    initial = kt.full_loss(model)
    step = kt.replica_step(model, optimizer)

    @tf.function
    def train(iterator: Any) -> Any:
        x, y = next(iterator)
        return strategy.run(step, args=(x, y))

    iterator = iter(scheduler.create_per_worker_dataset(lambda: kt.dataset().shuffle(32, seed=0)))
    losses = [scheduler.schedule(train, args=(iterator,)) for _ in range(STEPS)]
    scheduler.join()
    return {"initial_loss": initial, "final_loss": kt.full_loss(model),
            "steps_done": sum(1 for loss in losses if loss.fetch() is not None),
            "variables": kt.hub_variables(layer), "devices": kt.hub_devices(layer),
            "keras": kt.keras_flavour()}


def launch(model: str, workdir: Path, timeout: float = 240.0) -> Dict[str, Any]:
    """Runs the cluster (chief, 1 ps, 2 workers); returns the coordinator's result."""
    spec = cluster.make_cluster({"chief": 1, "ps": 1, "worker": 2})
    results = cluster.run_cluster(Path(__file__), spec, workdir, wait_for=["chief"],
                                  args=["--model", model], timeout=timeout)
    return results[("chief", 0)]


def main(argv: Optional[List[str]] = None) -> None:
    """Writes the model, trains on a local cluster, prints what the coordinator saw."""
    options = _options(sys.argv[1:] if argv is None else argv)
    workdir = Path(options.workdir or tempfile.mkdtemp())
    result = launch(str(kt.write_model(workdir / "model")), workdir / "cluster")
    print(json.dumps(result, indent=1))
    if not result["final_loss"] < result["initial_loss"]:
        raise SystemExit("the loss did not drop")
    print("ok")


if __name__ == "__main__":
    cluster.script_main({"chief": coordinator, "ps": serve, "worker": serve}, main)
