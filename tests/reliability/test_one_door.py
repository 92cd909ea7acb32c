"""Every public way into the cache goes through the one door, once per load.

Started with ``TFHUB_TEST_DOOR_LOG`` (see :mod:`tests.support.faults`, which
wraps the library from outside), each process writes ``door <handle>`` to that
file each time a request enters the door
(``tfhub.resolving.resolvers.resolve_request``), and ``outside <handle>``
whenever an entry is written from anywhere else. Real processes do the public calls; the test only counts the lines.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import pack_bytes
from tests.reliability import procs
from tests.support import faults
from tfhub.resolving import bundles

LIBRARY_WAYS = r"""
import os, sys
import tensorflow as tf
import tfhub as hub

log, tf2, tf1 = sys.argv[1:4]

def way(name):
    with open(log, "a") as f:
        f.write(f"way {name}\n")

way("hub.resolve"); hub.resolve(tf2)
way("hub.load"); hub.load(tf2)
way("hub.KerasLayer"); hub.KerasLayer(tf2)
way("hub.KerasLayer trainable"); hub.KerasLayer(tf2, trainable=True)
way("hub.KerasLayer TF1"); hub.KerasLayer(tf1, signature="default", output_key="default")
way("hub.KerasLayer TF1 trainable"); hub.KerasLayer(tf1, trainable=True, signature="default", output_key="default")
way("hub.load_module_spec"); hub.load_module_spec(tf1)
with tf.Graph().as_default():
    way("hub.Module"); hub.Module(tf1)
"""


def _counts(log: Path) -> dict:
    """way -> [lines logged while it ran]."""
    counts, current = {}, None
    for line in log.read_text().splitlines():
        event, _, rest = line.partition(" ")
        if event == "way":
            current = rest
            counts[current] = []
        else:
            counts.setdefault(current, []).append(event)
    return counts


def _cli(log: Path, *args: str) -> None:
    with open(log, "a") as f:
        f.write(f"way tfhub {' '.join(a for a in args if not a.startswith(('http', '/')))}\n")
    done = subprocess.run([sys.executable, "-m", "tfhub", *args], capture_output=True, text=True,
                          env={**os.environ, **faults.env(door_log=log)}, timeout=300)
    assert done.returncode == 0, done.stderr


@pytest.mark.timeout(900)
def test_every_way_in_enters_the_door_once(http_server, tf2_model_dir, tf1_hub_module_dir, cache_dir, tmp_path):
    tf2 = http_server.add("/m/tf2/1", body=pack_bytes(tf2_model_dir))
    tf1 = http_server.add("/m/tf1/1", body=pack_bytes(tf1_hub_module_dir))
    log = tmp_path / "door.log"
    done = subprocess.run([sys.executable, "-c", LIBRARY_WAYS, str(log), tf2, tf1], capture_output=True, text=True,
                          env={**os.environ, **faults.env(door_log=log), "TF_CPP_MIN_LOG_LEVEL": "3"}, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    _cli(log, "resolve", tf2)
    _cli(log, "download", tf2)
    _cli(log, "download", "--force", tf2)
    (Path(procs.cache_lib.Cache(cache_dir).entry(tf2).directory) / "saved_model.pb").write_bytes(b"broken")
    _cli(log, "cache", "verify", "--repair")
    bundle = tmp_path / "b.tar"
    bundles.export_bundle([tf2], bundle)
    other = tmp_path / "other_cache"
    with open(log, "a") as f:
        f.write("way tfhub cache import\n")
    done = subprocess.run([sys.executable, "-m", "tfhub", "cache", "import", str(bundle)], capture_output=True,
                          text=True, env={**os.environ, **faults.env(door_log=log), "TFHUB_CACHE_DIR": str(other)})
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr
    counts = _counts(log)
    assert set(counts) == {
        "hub.resolve", "hub.load", "hub.KerasLayer", "hub.KerasLayer trainable", "hub.KerasLayer TF1",
        "hub.KerasLayer TF1 trainable", "hub.load_module_spec", "hub.Module", "tfhub resolve", "tfhub download",
        "tfhub download --force", "tfhub cache verify --repair", "tfhub cache import"}
    assert {way: events for way, events in counts.items() if events != ["door"]} == {}
