"""The local-cluster launcher itself: results, failures, deadlines, no leftover processes.

These use a tiny task script without TensorFlow, so they are fast.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.distributed.conftest import EXAMPLES

TASK_SCRIPT = f"""
import os, sys, time
sys.path.insert(0, {str(EXAMPLES)!r})
import cluster

def ps(task):
    (task.workdir / f"ps-pid-{{os.getpid()}}").touch()
    time.sleep(600)

def worker(task):
    behaviour = task.extra[0]
    if behaviour == "fail" and task.index == 1:
        raise SystemExit("worker 1 fails on purpose")
    if behaviour == "hang":
        time.sleep(600)
    if behaviour == "silent":
        return None
    return {{"index": task.index, "job": task.job, "tf_config": os.environ["TF_CONFIG"],
            "ps": task.cluster["ps"]}}

cluster.task_main({{"ps": ps, "worker": worker}}, cluster.parse_task_args())
"""


@pytest.fixture
def task_script(tmp_path: Path) -> Path:
    script = tmp_path / "task.py"
    script.write_text(TASK_SCRIPT)
    return script


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _ps_pids(workdir: Path) -> list:
    return [int(p.name.rsplit("-", 1)[1]) for p in workdir.glob("ps-pid-*")]


def test_free_ports_are_distinct_and_bindable(cluster):
    import socket

    ports = cluster.free_ports(5)
    assert len(set(ports)) == 5
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_results_collected_and_servers_killed(cluster, task_script, tmp_path):
    spec = cluster.make_cluster({"ps": 1, "worker": 2})
    assert all(a.startswith("127.0.0.1:") for addresses in spec.values() for a in addresses)
    results = cluster.run_cluster(task_script, spec, tmp_path, wait_for=["worker"],
                                  args=["ok"], timeout=60)
    assert sorted(results) == [("worker", 0), ("worker", 1)]
    for (job, index), result in results.items():
        assert (result["job"], result["index"]) == (job, index)
        assert result["ps"] == spec["ps"]
        assert f'"index": {index}' in result["tf_config"]
    pids = _ps_pids(tmp_path)
    assert len(pids) == 1 and not _alive(pids[0])


def test_a_failing_task_stops_the_cluster(cluster, task_script, tmp_path):
    spec = cluster.make_cluster({"ps": 1, "worker": 2})
    with pytest.raises(cluster.ClusterError, match="worker:1") as info:
        cluster.run_cluster(task_script, spec, tmp_path, wait_for=["worker"],
                            args=["fail"], timeout=60)
    assert "fails on purpose" in str(info.value)
    assert not any(_alive(pid) for pid in _ps_pids(tmp_path))


def test_the_deadline_kills_every_task(cluster, task_script, tmp_path):
    spec = cluster.make_cluster({"ps": 1, "worker": 1})
    with pytest.raises(cluster.ClusterError, match="did not finish in time"):
        cluster.run_cluster(task_script, spec, tmp_path, wait_for=["worker"],
                            args=["hang"], timeout=3)
    assert not any(_alive(pid) for pid in _ps_pids(tmp_path))


def test_a_task_without_a_result_is_an_error(cluster, task_script, tmp_path):
    spec = cluster.make_cluster({"worker": 1})
    with pytest.raises(cluster.ClusterError, match="reported no result"):
        cluster.run_cluster(task_script, spec, tmp_path, wait_for=["worker"],
                            args=["silent"], timeout=60)
