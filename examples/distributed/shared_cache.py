"""N workers start at once against one shared TFHUB_CACHE_DIR: one download, all load.

Run directly, it packs a tiny TF2 SavedModel, serves it on 127.0.0.1 (counting
the GET requests, each answered after a delay so that every worker asks while
the first download is still running) and starts the workers with the same
``TFHUB_CACHE_DIR``. Each worker imports TensorFlow, waits at a start barrier
until all are ready, then calls ``hub.load(url)``. tfhub's per-entry lock lets
one process download while the others wait for it::

    python examples/distributed/shared_cache.py [WORKDIR] [--workers N]
"""

from __future__ import annotations

import argparse
import http.server
import io
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cluster

BARRIER_SECONDS = 120.0


def _options(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("workdir", nargs="?")
    parser.add_argument("--url")
    parser.add_argument("--barrier")
    parser.add_argument("--workers", type=int, default=3)
    return parser.parse_args(argv)


def worker(task: cluster.TaskArgs) -> Dict[str, Any]:
    """Waits for all workers, loads the model, reports where from and what it computes."""
    import tensorflow as tf

    import tfhub as hub

    options = _options(task.extra)
    _start_barrier(Path(options.barrier), task)
    model = hub.load(options.url)
    return {"path": hub.resolve(options.url), "output": float(model(tf.constant([[1.0]]))[0, 0])}


def _start_barrier(barrier: Path, task: cluster.TaskArgs) -> None:
    (barrier / f"ready-{task.index}").touch()
    deadline = time.monotonic() + BARRIER_SECONDS
    while len(list(barrier.glob("ready-*"))) < len(task.cluster["worker"]):
        if time.monotonic() > deadline:
            raise TimeoutError("not every worker reached the start barrier")
        time.sleep(0.05)


def launch(url: str, cache_dir: Path, workdir: Path, workers: int = 3,
           timeout: float = 240.0) -> Dict[cluster.TaskId, Dict[str, Any]]:
    """Starts ``workers`` processes sharing ``cache_dir``; returns each one's result."""
    spec = cluster.make_cluster({"worker": workers})
    workdir.mkdir(parents=True, exist_ok=True)
    barrier = tempfile.mkdtemp(prefix="barrier-", dir=workdir)
    return cluster.run_cluster(Path(__file__), spec, workdir, wait_for=["worker"],
                               args=["--url", url, "--barrier", barrier], timeout=timeout,
                               env={"TFHUB_CACHE_DIR": str(cache_dir)})


class CountingModelHost(http.server.ThreadingHTTPServer):
    """Serves one model archive on 127.0.0.1 at any path, counting GETs."""

    def __init__(self, archive: bytes, delay: float = 1.5) -> None:
        super().__init__(("127.0.0.1", 0), _ArchiveHandler)
        self.archive, self.delay, self.gets = archive, delay, 0
        self.lock = threading.Lock()

    def url(self, path: str = "/models/tiny/1") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _ArchiveHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # http.server's naming
        with self.server.lock:
            self.server.gets += 1
        time.sleep(self.server.delay)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-tar")
        self.send_header("Content-Length", str(len(self.server.archive)))
        self.end_headers()
        self.wfile.write(self.server.archive)

    def log_message(self, *args: Any) -> None:
        pass


def _packed_model(workdir: Path) -> bytes:
    import keras_training

    from tfhub.resolving import archive

    out = io.BytesIO()
    archive.pack(keras_training.write_model(workdir / "model"), out)
    return out.getvalue()


def main(argv: Optional[List[str]] = None) -> None:
    """Serves the model, runs the workers, prints the GET count and what each loaded."""
    options = _options(sys.argv[1:] if argv is None else argv)
    workdir = Path(options.workdir or tempfile.mkdtemp())
    workdir.mkdir(parents=True, exist_ok=True)
    host = CountingModelHost(_packed_model(workdir))
    threading.Thread(target=host.serve_forever, daemon=True).start()
    try:
        cache = Path(tempfile.mkdtemp(prefix="cache-", dir=workdir))
        results = launch(host.url(), cache, workdir / "cluster", options.workers)
    finally:
        host.shutdown()
    print(json.dumps({f"{j}:{i}": r for (j, i), r in sorted(results.items())}, indent=1))
    print(f"GET requests: {host.gets}")
    if host.gets != 1 or len({r["path"] for r in results.values()}) != 1:
        raise SystemExit("expected one download shared by every worker")
    print("ok")


if __name__ == "__main__":
    cluster.script_main({"worker": worker}, main)
