"""Fine-tuning ``hub.KerasLayer(trainable=True)`` with MultiWorkerMirroredStrategy.

Run directly, it writes a tiny TF2 SavedModel and starts two worker processes
on 127.0.0.1 (``TF_CONFIG`` names the cluster); each builds the model inside
``strategy.scope()`` and trains its shard of every global batch, the gradients
all-reduced between the workers, so both end with the same weights::

    python examples/distributed/keras_multi_worker.py [WORKDIR] [--mode loop|fit]

``--mode loop`` (the default) is a custom training loop and works with Keras 3
and Keras 2. ``--mode fit`` uses ``model.fit``, which works with Keras 2 only:
Keras 3's ``fit`` fails under MultiWorkerMirroredStrategy for every model
("Attempt to convert a value (PerReplica:...) with an unsupported type";
keras-team/keras#20585).
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

STEPS = 12  # three passes over the 4 global batches


def _options(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("workdir", nargs="?")
    parser.add_argument("--model")
    parser.add_argument("--mode", choices=("loop", "fit"), default="loop")
    return parser.parse_args(argv)


def worker(task: cluster.TaskArgs) -> Dict[str, Any]:
    """One worker: trains, then reports losses and the hub model's variables."""
    import tensorflow as tf

    options = _options(task.extra)
    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG
    model, layer, optimizer = kt.build_model(strategy, options.model)
    initial = kt.full_loss(model)
    if options.mode == "fit":
        _fit(strategy, model, optimizer)
    else:
        _custom_loop(strategy, model, optimizer)
    return {"initial_loss": initial, "final_loss": kt.full_loss(model),
            "variables": kt.hub_variables(layer), "keras": kt.keras_flavour(),
            "replicas": strategy.num_replicas_in_sync}


def _custom_loop(strategy: Any, model: Any, optimizer: Any) -> None:
    import tensorflow as tf

    step = kt.replica_step(model, optimizer)

    @tf.function
    def train(iterator: Any) -> None:
        x, y = next(iterator)
        strategy.run(step, args=(x, y))

    iterator = iter(strategy.experimental_distribute_dataset(kt.dataset()))
    for _ in range(STEPS):
        train(iterator)


def _fit(strategy: Any, model: Any, optimizer: Any) -> None:
    with strategy.scope():
        model.compile(optimizer, "mse")
    model.fit(kt.dataset(repeat=False), epochs=STEPS // 4, verbose=0)


def launch(model: str, workdir: Path, mode: str = "loop", timeout: float = 240.0
           ) -> Dict[cluster.TaskId, Dict[str, Any]]:
    """Runs two workers; returns each one's result."""
    spec = cluster.make_cluster({"worker": 2})
    return cluster.run_cluster(Path(__file__), spec, workdir, wait_for=["worker"],
                               args=["--model", model, "--mode", mode], timeout=timeout)


def main(argv: Optional[List[str]] = None) -> None:
    """Writes the model, trains on a local cluster, prints what each worker saw."""
    options = _options(sys.argv[1:] if argv is None else argv)
    workdir = Path(options.workdir or tempfile.mkdtemp())
    model = kt.write_model(workdir / "model")
    results = launch(str(model), workdir / "cluster", options.mode)
    for (job, index), result in sorted(results.items()):
        print(f"{job}:{index}", json.dumps(result, indent=1))
    first, second = results[("worker", 0)], results[("worker", 1)]
    if not first["final_loss"] < first["initial_loss"] or first["variables"] != second["variables"]:
        raise SystemExit("the loss did not drop, or the workers disagree")
    print("ok")


if __name__ == "__main__":
    cluster.script_main({"worker": worker}, main)
