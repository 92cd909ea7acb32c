"""Local clusters of real processes on 127.0.0.1, for the distributed examples and tests.

The launcher side picks free ports, starts one process per task of a cluster
(``python script.py --task job:index --cluster JSON --workdir DIR [args]``,
with ``TF_CONFIG`` set), waits for the tasks that finish on their own
(workers, chief, coordinator) within a deadline, and always kills every task
it started. Server-only tasks (parameter servers) run until killed.

The task side (``task_main``) parses those arguments, runs the role's
function and prints its result as one ``TFHUB_RESULT {json}`` line that the
launcher collects. No TensorFlow is imported here.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

RESULT_PREFIX = "TFHUB_RESULT "
ClusterSpec = Dict[str, List[str]]
TaskId = Tuple[str, int]


class ClusterError(RuntimeError):
    """A task failed or the cluster did not finish in time; carries the task logs."""


@dataclasses.dataclass(frozen=True)
class TaskArgs:
    """What a task process was started with."""

    job: str
    index: int
    cluster: ClusterSpec
    workdir: Path
    extra: List[str]


@dataclasses.dataclass
class _Running:
    task: TaskId
    process: subprocess.Popen
    log: Path


def free_ports(count: int) -> List[int]:
    """``count`` distinct free TCP ports on 127.0.0.1 (held together while chosen)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def make_cluster(jobs: Mapping[str, int]) -> ClusterSpec:
    """A cluster spec with ``jobs[name]`` tasks per job, each on a free local port."""
    ports = iter(free_ports(sum(jobs.values())))
    return {job: [f"127.0.0.1:{next(ports)}" for _ in range(n)] for job, n in jobs.items()}


def tf_config(cluster: ClusterSpec, job: str, index: int) -> str:
    """The TF_CONFIG value for one task of ``cluster``."""
    return json.dumps({"cluster": cluster, "task": {"type": job, "index": index}})


def run_cluster(
    script: Path,
    cluster: ClusterSpec,
    workdir: Path,
    wait_for: Sequence[str],
    args: Sequence[str] = (),
    timeout: float = 240.0,
    env: Optional[Mapping[str, str]] = None,
) -> Dict[TaskId, Dict[str, Any]]:
    """Runs every task of ``cluster`` as a process of ``script``; returns their results.

    Args:
        script: the Python file whose ``task_main`` serves each role.
        cluster: the cluster spec (job name -> addresses).
        workdir: where task logs go (and what tasks get as ``--workdir``).
        wait_for: the jobs whose tasks finish by themselves; the others
            (e.g. ``ps``) are killed once these are done.
        args: extra arguments for every task.
        timeout: seconds for the whole run.
        env: extra environment variables for every task.

    Returns:
        ``{(job, index): result}`` for the tasks of ``wait_for``.

    Raises:
        ClusterError: a task exited non-zero, reported no result, or the run
            outlived ``timeout``. The message holds the tail of every log.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    running: List[_Running] = []
    try:
        for job, addresses in cluster.items():
            for index in range(len(addresses)):
                running.append(_start(script, cluster, (job, index), workdir, args, env))
        waited = [r for r in running if r.task[0] in wait_for]
        _wait(waited, running, time.monotonic() + timeout)
        return {r.task: _result(r, running) for r in waited}
    finally:
        for r in running:
            if r.process.poll() is None:
                r.process.kill()
            r.process.wait()


def _start(script: Path, cluster: ClusterSpec, task: TaskId, workdir: Path,
           args: Sequence[str], env: Optional[Mapping[str, str]]) -> _Running:
    job, index = task
    log = workdir / f"{job}-{index}.log"
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {}),
                "TF_CONFIG": tf_config(cluster, job, index)}
    command = [sys.executable, str(script), "--task", f"{job}:{index}",
               "--cluster", json.dumps(cluster), "--workdir", str(workdir), *args]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=full_env)
    return _Running(task, process, log)


def _wait(waited: List[_Running], running: List[_Running], deadline: float) -> None:
    while any(r.process.poll() is None for r in waited):
        failed = [r for r in running if r.process.poll() not in (None, 0)]
        if failed:
            raise ClusterError(f"task {_name(failed[0])} failed\n{_logs(running)}")
        if time.monotonic() > deadline:
            raise ClusterError(f"the cluster did not finish in time\n{_logs(running)}")
        time.sleep(0.2)


def _result(r: _Running, running: List[_Running]) -> Dict[str, Any]:
    if r.process.returncode != 0:
        raise ClusterError(f"task {_name(r)} exited with {r.process.returncode}\n{_logs(running)}")
    for line in reversed(r.log.read_text(errors="replace").splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    raise ClusterError(f"task {_name(r)} reported no result\n{_logs(running)}")


def _name(r: _Running) -> str:
    return f"{r.task[0]}:{r.task[1]}"


def _logs(running: List[_Running], tail: int = 3000) -> str:
    return "\n".join(f"--- {_name(r)} (exit {r.process.poll()}) ---\n"
                     f"{r.log.read_text(errors='replace')[-tail:]}" for r in running)


def report(result: Mapping[str, Any]) -> None:
    """Prints a task's result for the launcher (JSON-serialisable values only)."""
    print(RESULT_PREFIX + json.dumps(dict(result)), flush=True)


def parse_task_args(argv: Optional[Sequence[str]] = None) -> Optional[TaskArgs]:
    """The task arguments, or None when the script was run directly (no ``--task``)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--task")
    parser.add_argument("--cluster")
    parser.add_argument("--workdir")
    known, extra = parser.parse_known_args(argv)
    if not known.task:
        return None
    job, _, index = known.task.partition(":")
    return TaskArgs(job, int(index), json.loads(known.cluster), Path(known.workdir), extra)


def task_main(roles: Mapping[str, Callable[[TaskArgs], Optional[Mapping[str, Any]]]],
              task: TaskArgs) -> None:
    """Runs the function of ``task.job`` and reports what it returns."""
    result = roles[task.job](task)
    if result is not None:
        report(result)


def script_main(roles: Mapping[str, Callable[[TaskArgs], Optional[Mapping[str, Any]]]],
                main: Callable[[], None]) -> None:
    """A script's entry point: one task of a cluster (``--task``), or the launcher."""
    task = parse_task_args()
    if task:
        task_main(roles, task)
    else:
        main()


def start_server(task: TaskArgs, config: Any = None) -> Any:
    """A started ``tf.distribute.Server`` for this task of its cluster."""
    import tensorflow as tf

    return tf.distribute.Server(tf.train.ClusterSpec(task.cluster), job_name=task.job,
                                task_index=task.index, protocol="grpc", config=config,
                                start=True)
