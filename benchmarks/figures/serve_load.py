"""`tfhub serve` under load, side by side with Debian's nginx serving the same archive.

Issue #6's load test: 200 downloads of the 50 MB model by 50 concurrent clients;
every body must be byte-identical to the archive the server serves and no
request may fail. Issue #17's target: tfhub serve's throughput at least 0.8x
nginx's (sendfile on, tcp_nopush on, two workers), the same file at the same
URL path, the same clients (benchmarks/load_client.py, several processes) in
the same run. The passes alternate (tfhub, nginx, nginx, tfhub) so that a load
change on the machine falls on both; the ratio is taken within each round.
Server and client CPU seconds per GB say where the time went, and whether the
clients were the bottleneck.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

from benchmarks import nginx
from benchmarks.harness import BENCH_DIR, REPO, TFHUB, child_env, figure, row
from benchmarks.load_client import download
from benchmarks.proc import cpu_seconds

CLIENTS = 50
REQUESTS = 200
TARGET_RATIO = 0.8
URL_PATH = "/bench/model"
QUERY = "?tf-hub-format=compressed"


def _start_serve(root: Path, archive_dir: Path) -> tuple:
    command = [str(TFHUB.python), "-m", "tfhub", "serve", str(root), "--port", "0",
               "--archive-dir", str(archive_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, env=child_env(), cwd=REPO)
    url = process.stdout.readline().split()[2]  # "serving ROOT at http://127.0.0.1:PORT/"
    return process, int(url.rstrip("/").rsplit(":", 1)[1])


def _client_processes(clients: int) -> int:
    return max(1, min(clients, 4, os.cpu_count() or 1))


def _load(port: int, reference: Path, clients: int, count: int, server_pids: List[int]) -> Dict:
    """One pass: ``count`` downloads by ``clients`` threads spread over a few processes."""
    processes = _client_processes(clients)
    shares = [(clients // processes + (i < clients % processes), count // processes + (i < count % processes))
              for i in range(processes)]
    server_cpu = cpu_seconds(server_pids)
    children = [subprocess.Popen([sys.executable, str(BENCH_DIR / "load_client.py"), "127.0.0.1", str(port),
                                  URL_PATH + QUERY, str(reference), str(c), str(n)],
                                 stdout=subprocess.PIPE, text=True)
                for c, n in shares if n]
    reports = [json.loads(child.communicate()[0]) for child in children]
    server_cpu = cpu_seconds(server_pids) - server_cpu
    seconds = [s for r in reports for s in r["seconds"]]
    total = max(r["ended"] for r in reports) - min(r["began"] for r in reports)
    gigabytes = reference.stat().st_size * len(seconds) / 1e9
    return {"seconds": seconds, "failures": [f for r in reports for f in r["failures"]],
            "identical": sum(r["identical"] for r in reports), "total": total,
            "throughput": gigabytes * 1e3 / total if total else 0.0,
            "server_cpu_per_gb": server_cpu / gigabytes if gigabytes else None,
            "client_cpu_per_gb": sum(r["cpu"] for r in reports) / gigabytes if gigabytes else None}


def _row(subject: str, passes: List[Dict], clients: int, count: int, size: int) -> dict:
    seconds = [s for p in passes for s in p["seconds"]]
    return row(subject, seconds or [0.0], "s", clients=clients, requests=count * len(passes),
               archive_mb=round(size / 1e6, 1), failures=sum(len(p["failures"]) for p in passes),
               identical_bodies=sum(p["identical"] for p in passes),
               throughput_mb_s=[round(p["throughput"], 1) for p in passes],
               p95_seconds=round(statistics.quantiles(seconds, n=20)[-1], 3) if len(seconds) > 1 else None,
               server_cpu_s_per_gb=[round(p["server_cpu_per_gb"], 2) for p in passes],
               client_cpu_s_per_gb=[round(p["client_cpu_per_gb"], 2) for p in passes])


def _nginx_or_reason(settings, archive: Path) -> tuple:
    executable = nginx.find()
    if executable is None:
        return None, "nginx is not installed (make bench installs Debian's nginx): no reference row"
    try:
        return nginx.Nginx(executable, settings.scratch("nginx"), {URL_PATH: archive}), ""
    except RuntimeError as exc:
        return None, f"nginx did not start: {exc}"


def run(ctx) -> list:
    settings, models = ctx.settings, ctx.models
    clients, count = (5, 20) if settings.quick else (CLIENTS, REQUESTS)
    rounds = 1 if settings.quick else 2
    model_dir = models.directory(models.small)
    root = settings.scratch("serve-root")
    # Hard links: the served root must hold the model itself (the server refuses
    # symlinks that lead out of its root).
    shutil.copytree(model_dir, root / "bench" / "model", copy_function=os.link)
    archive_dir = settings.scratch("serve-archives")
    process, port = _start_serve(root, archive_dir)
    reference_server: Optional[nginx.Nginx] = None
    tfhub_passes: List[Dict] = []
    nginx_passes: List[Dict] = []
    try:
        archive = _built_archive(port, archive_dir)  # builds and caches the archive once
        reference_server, missing = _nginx_or_reason(settings, archive)
        for number in range(rounds):
            order = ["tfhub", "nginx"] if number % 2 == 0 else ["nginx", "tfhub"]
            for subject in order:
                if subject == "tfhub":
                    tfhub_passes.append(_load(port, archive, clients, count, [process.pid]))
                elif reference_server is not None:
                    nginx_passes.append(_load(reference_server.port, archive, clients, count,
                                              reference_server.pids()))
    finally:
        process.terminate()
        process.wait(timeout=60)
        if reference_server is not None:
            reference_server.close()
    size = archive.stat().st_size
    rows = [_row("tfhub serve", tfhub_passes, clients, count, size)]
    every = tfhub_passes + nginx_passes
    correct = all(not p["failures"] and p["identical"] == count for p in every)
    notes = ["; ".join(f for p in every for f in p["failures"][:2])]
    if nginx_passes:
        rows.append(_row("nginx (sendfile, 2 workers)", nginx_passes, clients, count, size))
        ratios = [t["throughput"] / n["throughput"] for t, n in zip(tfhub_passes, nginx_passes)]
        rows.append(row("throughput tfhub/nginx", ratios, "x", rounds=len(ratios)))
        status = "met" if correct and statistics.median(ratios) >= TARGET_RATIO else "missed"
    else:
        notes.append(missing)
        status = "info" if correct else "missed"
    print(f"[serve_load] tfhub {[round(p['throughput']) for p in tfhub_passes]} MB/s, "
          f"nginx {[round(p['throughput']) for p in nginx_passes]} MB/s", file=sys.stderr)
    return [figure("serve_load",
                   f"tfhub serve vs nginx: {count} downloads of a {size / 1e6:.0f} MB archive by "
                   f"{clients} concurrent clients, {rounds} round(s)",
                   rows, f"every body byte-identical, no error; throughput >= {TARGET_RATIO}x nginx's",
                   status, "; ".join(n for n in notes if n))]


def _built_archive(port: int, archive_dir: Path) -> Path:
    """The archive file tfhub serve sends, after one GET made it build it."""
    download("127.0.0.1", port, URL_PATH + QUERY, b"")  # the first GET packs it
    built = sorted(archive_dir.glob("*.tar.gz"))
    if len(built) != 1:
        raise RuntimeError(f"expected one archive in {archive_dir}, found {[p.name for p in built]}")
    if not download("127.0.0.1", port, URL_PATH + QUERY, built[0].read_bytes())[1]:
        raise RuntimeError(f"tfhub serve's body differs from {built[0]}")
    return built[0]
