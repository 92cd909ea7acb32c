"""TF1 between-graph replicated training on a ps/worker cluster (shared by two examples).

Every worker process builds the same graph under
``tf.compat.v1.train.replica_device_setter``, so the model's variables live on
the ``ps`` job and all workers train the same copy. The chief (worker 0)
initialises them; the others wait until it has. Each worker then takes a few
SGD steps on its own shard of the data, and all wait for each other before
reading the final values, which are therefore the same on every worker.

``build_model(x)`` supplies the hub model: it returns the prediction for the
placeholder ``x`` and the variables to train.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np

import cluster
from cluster import TaskArgs, start_server

BuildModel = Callable[[Any], Tuple[Any, Sequence[Any]]]
STEPS = 8
LEARNING_RATE = 0.1
WAIT_SECONDS = 90.0


def dataset() -> Tuple[np.ndarray, np.ndarray]:
    """The regression data: y = 2x + 0.5 for 16 points in [0, 1]."""
    x = np.linspace(0.0, 1.0, 16, dtype=np.float32).reshape(-1, 1)
    return x, 2.0 * x + 0.5


@dataclasses.dataclass
class Graph:
    """The ops of one worker's replica of the training graph."""

    graph: Any
    x: Any
    y_true: Any
    loss: Any
    gradients: List[Any]
    train_op: Any
    global_step: Any
    ready: Any
    open_gate: Any
    done: Any
    mark_done: Any
    variables: List[Any]
    init: Any
    uninitialized: Any


def build_graph(task: TaskArgs, build_model: BuildModel) -> Graph:
    """This worker's graph: the model and the shared counters on ``ps``."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    setter = v1.train.replica_device_setter(
        cluster=task.cluster, worker_device=f"/job:worker/task:{task.index}")
    with graph.as_default(), v1.device(setter):
        x = v1.placeholder(tf.float32, [None, 1], name="x")
        y_true = v1.placeholder(tf.float32, [None, 1], name="y_true")
        y, variables = build_model(x)
        loss = tf.reduce_mean(tf.square(y - y_true))
        global_step = v1.train.get_or_create_global_step()
        train_op = v1.train.GradientDescentOptimizer(LEARNING_RATE).minimize(
            loss, global_step=global_step, var_list=list(variables))
        ready = v1.Variable(False, trainable=False, name="chief_ready")
        done = v1.Variable(0, trainable=False, name="workers_done")
        return Graph(graph, x, y_true, loss, tf.gradients(loss, list(variables)), train_op,
                     global_step, ready, ready.assign(True), done, done.assign_add(1),
                     list(variables), v1.global_variables_initializer(),
                     v1.report_uninitialized_variables())


def session_config(share_cluster_devices: bool = True) -> Any:
    """A ConfigProto; ``share_cluster_devices_in_session`` lets functions reach ``ps``."""
    import tensorflow as tf

    config = tf.compat.v1.ConfigProto()
    config.experimental.share_cluster_devices_in_session = share_cluster_devices
    return config


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Polls ``condition`` until it holds, or raises TimeoutError after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        time.sleep(0.1)


def run_worker(task: TaskArgs, build_model: BuildModel) -> Dict[str, Any]:
    """Trains this worker's shard; returns losses, final values and placements."""
    import tensorflow as tf

    server = start_server(task)
    g = build_graph(task, build_model)
    x, y = dataset()
    n_workers = len(task.cluster["worker"])
    result: Dict[str, Any] = {}
    with tf.compat.v1.Session(server.target, graph=g.graph, config=session_config()) as sess:
        if task.index == 0:
            sess.run(g.init)
            result["initial_loss"] = float(sess.run(g.loss, {g.x: x, g.y_true: y}))
            sess.run(g.open_gate)
        else:
            wait_until(lambda: not len(sess.run(g.uninitialized)) and sess.run(g.ready),
                       "the chief to initialise the variables")
        _train_shard(sess, g, x[task.index::n_workers], y[task.index::n_workers])
        sess.run(g.mark_done)
        wait_until(lambda: sess.run(g.done) >= n_workers, "the other workers")
        result.update(_final_state(sess, g, x, y))
    if task.index == 0:
        result["without_share_cluster_devices"] = try_without_sharing(server.target, g, x, y)
    return result


def _train_shard(sess: Any, g: Graph, x: np.ndarray, y: np.ndarray) -> None:
    for step in range(STEPS):
        batch = slice(step % 2 * (len(x) // 2), (step % 2 + 1) * (len(x) // 2))
        sess.run(g.train_op, {g.x: x[batch], g.y_true: y[batch]})


def _final_state(sess: Any, g: Graph, x: np.ndarray, y: np.ndarray) -> Dict[str, Any]:
    return {
        "final_loss": float(sess.run(g.loss, {g.x: x, g.y_true: y})),
        "global_step": int(sess.run(g.global_step)),
        "variables": {v.op.name: np.asarray(sess.run(v)).tolist() for v in g.variables},
        "devices": {v.op.name: v.device for v in g.variables},
    }


def try_without_sharing(target: str, g: Graph, x: np.ndarray, y: np.ndarray) -> Dict[str, str]:
    """What a Session without ``share_cluster_devices_in_session`` does (changes no state)."""
    import tensorflow as tf

    outcome = {}
    feed = {g.x: x, g.y_true: y}
    with tf.compat.v1.Session(target, graph=g.graph, config=session_config(False)) as sess:
        for name, fetch in (("loss", g.loss), ("gradients", g.gradients)):
            try:
                sess.run(fetch, feed)
                outcome[name] = "ok"
            except tf.errors.OpError as exc:
                outcome[name] = f"{type(exc).__name__}: {_without_traceback(exc.message)}"
    return outcome


def _without_traceback(message: str) -> str:
    lines = message.splitlines()
    return "\n".join(line for line in lines if not line.startswith("    File ")).strip()


def serve_ps(task: TaskArgs) -> None:
    """A parameter server: holds the variables until the launcher kills it."""
    start_server(task).join()


def model_path() -> str:
    """The ``--model`` argument this task was started with."""
    task = cluster.parse_task_args()
    return task.extra[task.extra.index("--model") + 1]


def launch(script: Path, model: str, workdir: Path, workers: int = 2, timeout: float = 240.0
           ) -> Dict[cluster.TaskId, Dict[str, Any]]:
    """Runs ``script`` as a cluster of 1 ps and ``workers`` workers; their results."""
    spec = cluster.make_cluster({"ps": 1, "worker": workers})
    return cluster.run_cluster(script, spec, workdir, wait_for=["worker"],
                               args=["--model", model], timeout=timeout)


def script_main(script: Path, build_model: BuildModel, write_model: Callable[[Path], Path]) -> None:
    """The ``__main__`` of a between-graph example: a task's role, or the whole run.

    Run with ``--task``, it serves that task. Run directly (optional argument:
    a work directory), it writes the model with ``write_model``, trains on a
    local cluster and prints what each worker saw.
    """
    task = cluster.parse_task_args()
    if task:
        cluster.task_main({"ps": serve_ps, "worker": lambda t: run_worker(t, build_model)}, task)
        return
    workdir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    results = launch(script, str(write_model(workdir / "model")), workdir / "cluster")
    for (job, index), result in sorted(results.items()):
        print(f"{job}:{index}", json.dumps(result, indent=1))
    chief = results[("worker", 0)]
    if not chief["final_loss"] < chief["initial_loss"]:
        raise SystemExit(f"the loss did not drop: {chief}")
    print("ok")
