"""The pull-through mirror's cost, as ratios to a plain download from the upstream, in one run.

Two ``tfhub serve`` processes on 127.0.0.1 (the upstream, and a mirror of it with
``--upstream``); a fake model of ``--mib`` MiB of incompressible bytes. Figures:

* ``mirror_cold``: the first GET through the mirror (upstream download, extraction,
  copy into ROOT, packing, sending) / the upstream's own first GET (packing, sending):
  what a mirror adds to what any fresh host pays;
* ``mirror_warm``: a later GET from the mirror / a later GET from the upstream;
* ``mirror_cold_20``: 20 clients asking the mirror for another absent model at once,
  wall time / the upstream's own first GET, with the upstream GETs counted.

Usage: ``.venv/bin/python benchmarks/mirror.py [--mib 64]``; one JSON line per figure.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import List, Tuple

CLIENTS = 20


def _fake_model(directory: Path, size: int) -> None:
    (directory / "variables").mkdir(parents=True)
    (directory / "saved_model.pb").write_bytes(os.urandom(4096))
    (directory / "variables" / "variables.index").write_bytes(os.urandom(1024))
    (directory / "variables" / "variables.data-00000-of-00001").write_bytes(os.urandom(size))


def _serve(root: Path, archives: Path, *extra: str) -> Tuple[subprocess.Popen, str, List[str]]:
    """A ``tfhub serve`` process, its URL, and its access log lines (collected as they come)."""
    process = subprocess.Popen([sys.executable, "-m", "tfhub", "serve", str(root), "--port", "0",
                                "--archive-dir", str(archives), *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = process.stdout.readline().split()[2]
    log: List[str] = []
    threading.Thread(target=lambda: log.extend(process.stderr), daemon=True).start()
    return process, url, log


def _get(url: str) -> Tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url + "?tf-hub-format=compressed", timeout=600) as response:
        body = response.read()
    return time.perf_counter() - started, body


def _upstream_gets(log: List[str], path: str) -> int:
    records = [json.loads(line) for line in list(log) if line.startswith("{")]
    return sum(1 for r in records if r["path"] == path and "tf-hub-format" in r["query"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tfhub-bench-mirror-") as scratch:
        scratch = Path(scratch)
        for name in ("a", "b"):
            _fake_model(scratch / "upstream" / "bench" / name / "1", args.mib << 20)
        (scratch / "mirror").mkdir()
        upstream, upstream_url, upstream_log = _serve(scratch / "upstream", scratch / "upstream-archives")
        mirror, mirror_url, _ = _serve(scratch / "mirror", scratch / "mirror-archives", "--upstream", upstream_url)
        try:
            upstream_cold = _get(upstream_url + "bench/a/1")[0]  # packed at the upstream
            _get(upstream_url + "bench/b/1")
            cold, body = _get(mirror_url + "bench/a/1")
            # Interleaved, so that the machine's load drifts alike for both.
            pairs = [(_get(upstream_url + "bench/a/1")[0], _get(mirror_url + "bench/a/1")[0]) for _ in range(7)]
            direct = statistics.median(p[0] for p in pairs)
            warm = statistics.median(p[1] for p in pairs)
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
                bodies = list(pool.map(lambda _: _get(mirror_url + "bench/b/1")[1], range(CLIENTS)))
            crowd = time.perf_counter() - started
            time.sleep(0.5)  # the upstream writes its log line once the body is sent
            gets_b = _upstream_gets(upstream_log, "/bench/b/1") - 1  # minus the warm-up
        finally:
            for process in (mirror, upstream):
                process.terminate()
                process.wait(timeout=60)
    base = {"mib": args.mib, "direct_warm_s": round(direct, 3)}
    print(json.dumps({**base, "figure": "mirror_cold", "seconds": round(cold, 3),
                      "upstream_cold_s": round(upstream_cold, 3), "ratio": round(cold / upstream_cold, 2),
                      "archive_bytes": len(body)}))
    print(json.dumps({**base, "figure": "mirror_warm", "seconds": round(warm, 3), "ratio": round(warm / direct, 2)}))
    print(json.dumps({**base, "figure": "mirror_cold_20", "seconds": round(crowd, 3),
                      "ratio": round(crowd / upstream_cold, 2), "upstream_gets": gets_b,
                      "identical_answers": len(set(bodies)) == 1}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
