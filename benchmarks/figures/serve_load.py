"""`tfhub serve` under load: many concurrent clients downloading one model.

Issue #6's load test: at least 200 requests from 50 concurrent clients against
the 50 MB model; every body must be byte-identical to the archive the server
serves (SHA-256 compared) and no request may fail.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

from benchmarks.harness import REPO, TFHUB, child_env, figure, row, verdict

CLIENTS = 50
REQUESTS = 200


def _start_serve(root: Path, archive_dir: Path) -> tuple:
    command = [str(TFHUB.python), "-m", "tfhub", "serve", str(root), "--port", "0",
               "--archive-dir", str(archive_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=child_env(), cwd=REPO)
    url = process.stdout.readline().split()[2]  # "serving ROOT at http://127.0.0.1:PORT/"
    return process, url


def _download(url: str) -> tuple:
    """(seconds, sha256, bytes) of one GET, read in 1 MiB chunks."""
    start = time.perf_counter()
    digest, size = hashlib.sha256(), 0
    with requests.get(url, stream=True, timeout=300) as response:
        response.raise_for_status()
        for chunk in response.iter_content(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return time.perf_counter() - start, digest.hexdigest(), size


def _load(url: str, clients: int, count: int) -> dict:
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        start = time.perf_counter()
        futures = [pool.submit(_download, url) for _ in range(count)]
        results, failures = [], []
        for future in futures:
            try:
                results.append(future.result())
            except Exception as exc:  # counted and reported
                failures.append(repr(exc))
        total = time.perf_counter() - start
    return {"total": total, "results": results, "failures": failures}


def run(ctx) -> list:
    settings, models = ctx.settings, ctx.models
    clients, count = (5, 20) if settings.quick else (CLIENTS, REQUESTS)
    model_dir = models.directory(models.small)
    root = settings.scratch("serve-root")
    # Hard links: the served root must hold the model itself (the server refuses
    # symlinks that lead out of its root).
    shutil.copytree(model_dir, root / "bench" / "model", copy_function=os.link)
    process, base = _start_serve(root, settings.scratch("serve-archives"))
    url = base + "bench/model?tf-hub-format=compressed"
    try:
        _, reference, size = _download(url)  # builds and caches the archive once
        outcome = _load(url, clients, count)
    finally:
        process.terminate()
        process.wait(timeout=60)
    results = outcome["results"]
    identical = sum(1 for _, digest, _ in results if digest == reference)
    seconds = [s for s, _, _ in results]
    megabytes = size * len(results) / 1e6
    ok = not outcome["failures"] and identical == count
    figure_row = row("tfhub serve", seconds or [0.0], "s", clients=clients, requests=count,
                     archive_mb=round(size / 1e6, 1), failures=len(outcome["failures"]),
                     identical_bodies=identical, total_seconds=round(outcome["total"], 2),
                     throughput_mb_s=round(megabytes / outcome["total"], 1),
                     p95_seconds=round(statistics.quantiles(seconds, n=20)[-1], 3) if len(seconds) > 1 else None)
    note = "; ".join(outcome["failures"][:3])
    print(f"[serve_load] {count} GETs by {clients} clients: {identical} identical, "
          f"{len(outcome['failures'])} failed, {outcome['total']:.1f} s", file=sys.stderr)
    return [figure("serve_load",
                   f"tfhub serve: {count} downloads of a {size / 1e6:.0f} MB archive by {clients} concurrent clients",
                   [figure_row], "every body byte-identical, no error", verdict(ok), note)]
