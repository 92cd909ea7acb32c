"""`tfhub serve --docs` over the whole shared tfhub.dev tree: search and filter latency over HTTP.

Issue #16's target: p95 under 50 ms for search and filter requests (the JSON API
and the HTML page), measured as a client sees them over loopback with a
keep-alive connection; and the time to first byte of the catalog's home page
and of a model's page (issue #17).
The favicon (no work behind it) is measured in the same run as the floor, so
the ratios say how much the catalog itself adds.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Dict, List, Optional

from benchmarks.harness import REPO, TFHUB, child_env, figure, row, verdict

TARGET_MS = 50.0
_QUERIES = ["", "bert", "mobilenet", "image classification", "efficientnet feature", "text embedding en",
            "universal sentence encoder", "imagenet", "wav2vec", "x"]
_FILTERS = [{"task": "image-classification"}, {"format": "saved_model_2"}, {"format": "hub"},
            {"task": "text-embedding", "language": "en"}, {"publisher": "google", "fine-tunable": "true"},
            {"license": "apache-2.0"}, {"network-architecture": "mobilenet-v2"}, {"dataset": "imagenet-ilsvrc-2012-cls"}]


def shared_tree() -> Optional[Path]:
    base = Path(os.environ.get("TFHUB_TESTDATA", REPO.parent / "shared" / "testdata"))
    tree = base / "tfhub_dev_docs"
    return tree if (tree / "assets" / "docs").is_dir() else None


def _start(root: Path, docs: Path, archive_dir: Path) -> tuple:
    command = [str(TFHUB.python), "-m", "tfhub", "serve", str(root), "--docs", str(docs), "--port", "0",
               "--archive-dir", str(archive_dir)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=child_env(), cwd=REPO)
    url = process.stdout.readline().split()[2]
    return process, urllib.parse.urlsplit(url).port


def _timed(connection: http.client.HTTPConnection, path: str) -> tuple:
    """(ms to the whole body, ms to the first byte) of one GET on a kept-alive connection."""
    start = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read(1)
    first = time.perf_counter()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status}")
    end = time.perf_counter()
    return (end - start) * 1000, (first - start) * 1000


def _paths(kind: str) -> List[str]:
    if kind == "search":
        return ["/api/models?" + urllib.parse.urlencode({"q": q}) for q in _QUERIES]
    if kind == "filter":
        return ["/api/models?" + urllib.parse.urlencode(f) for f in _FILTERS]
    if kind == "page":
        return ["/?" + urllib.parse.urlencode({"q": q}) for q in _QUERIES[:5]] + \
               ["/?" + urllib.parse.urlencode(f) for f in _FILTERS[:5]]
    return ["/-/favicon.svg"]


def _model_page(connection: http.client.HTTPConnection) -> str:
    """The page of the first model a search for "mobilenet" finds (its handle is its path)."""
    connection.request("GET", "/api/models?q=mobilenet")
    models = json.loads(connection.getresponse().read())["models"]
    return "/" + models[0]["handle"]


def _measure(port: int, rounds: int) -> Dict[str, List[float]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    model_page = _model_page(connection)
    for path in _paths("search") + _paths("filter") + _paths("page"):  # warm: first use of each
        _timed(connection, path)
    _timed(connection, model_page)
    samples: Dict[str, List[float]] = {"search": [], "filter": [], "page": [], "floor": [], "home_ttfb": [],
                                       "model_ttfb": []}
    for _ in range(rounds):
        for kind in ("search", "filter", "page", "floor"):
            for path in _paths(kind):
                samples[kind].append(_timed(connection, path)[0])
        samples["home_ttfb"].append(_timed(connection, "/")[1])
        samples["model_ttfb"].append(_timed(connection, model_page)[1])
    connection.close()
    return samples


def _p95(values: List[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def run(ctx) -> list:
    tree = shared_tree()
    if tree is None:
        return [figure("catalog_latency", "tfhub serve catalog latency", [], f"p95 < {TARGET_MS:.0f} ms",
                       "n/a", "the shared tfhub.dev documentation tree is not available (TFHUB_TESTDATA)")]
    settings = ctx.settings
    root = settings.scratch("catalog-root")
    root.mkdir(parents=True, exist_ok=True)
    process, port = _start(root, tree, settings.scratch("catalog-archives"))
    try:
        samples = _measure(port, 3 if settings.quick else 20)
    finally:
        process.terminate()
        process.wait(timeout=60)
    floor = _p95(samples["floor"])
    rows = []
    for kind, label in (("search", "GET /api/models?q=..."), ("filter", "GET /api/models?<facet>=..."),
                        ("page", "GET /?q=... (HTML)"), ("floor", "GET /-/favicon.svg (floor)")):
        p95 = _p95(samples[kind])
        rows.append(row(label, samples[kind], "ms", p95_ms=round(p95, 2), p95_vs_floor=round(p95 / floor, 1)))
    rows.append(row("GET / time to first byte", samples["home_ttfb"], "ms",
                    p95_ms=round(_p95(samples["home_ttfb"]), 2)))
    rows.append(row("GET /<model handle> time to first byte", samples["model_ttfb"], "ms",
                    p95_ms=round(_p95(samples["model_ttfb"]), 2)))
    worst = max(_p95(samples[k]) for k in ("search", "filter", "page"))
    print(f"[catalog_latency] worst p95 {worst:.1f} ms over {len(samples['search'])} searches", file=sys.stderr)
    return [figure("catalog_latency",
                   f"tfhub serve --docs over the shared tfhub.dev tree ({tree.name}): HTTP latency on loopback",
                   rows, f"search and filter p95 < {TARGET_MS:.0f} ms", verdict(worst < TARGET_MS),
                   "one keep-alive connection, sequential requests; p95_vs_floor: against the favicon's p95")]
