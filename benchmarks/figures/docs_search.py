"""The documentation catalog (#16): loading the whole tfhub.dev tree, and search with
filters over it (target: p95 < 50 ms), beside a linear scan of the same models.

Also runnable alone: ``.venv/bin/python -m benchmarks.figures.docs_search [--quick]``.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import statistics
import time
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Sequence, Tuple

from benchmarks.harness import REPO, figure, row, verdict

TARGET_P95_S = 0.050
WORDS = ("", "bert", "mobilenet v2", "efficient", "b", "image classification", "resnet 50", "text embedding",
         "yamnet", "ss", "style transfer", "wiki", "universal sentence enc", "feature vector", "lite",
         "spice", "imagenet", "movinet a0", "distil", "multilingual")
FILTERS: Tuple[Dict[str, List[str]], ...] = (
    {}, {"format": ["saved_model_2"]}, {"task": ["image-classification"]},
    {"publisher": ["google"], "format": ["hub", "saved_model_2"]}, {"language": ["en"]},
    {"license": ["apache-2.0"], "task": ["text-embedding"]},
)


def docs_root() -> Path:
    return Path(os.environ.get("TFHUB_TESTDATA", REPO.parent / "shared" / "testdata")) / "tfhub_dev_docs"


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


class LinearScan:
    """The same matching without indexes: every model's words and facets, tested per query."""

    def __init__(self, tree):
        from tfhub.hubdocs.search import FACETS, overview, words
        self._facets = FACETS
        self._rows = [(set(words(m.handle)) | set(words(m.summary)) | set(words(overview(m.latest.markdown))),
                       m.facets, m) for m in tree.models.values()]
        self._words = words

    def search(self, query: str, filters: Mapping[str, List[str]]):
        wanted = self._words(query)
        text = [(w, f, m) for w, f, m in self._rows if all(any(x.startswith(q) for x in w) for q in wanted)]

        def keeps(facets, skip=None):
            return all(set(values) & set(facets.get(k, ())) for k, values in filters.items() if k != skip and values)
        hits = [m for _, f, m in text if keeps(f)]
        counts = {facet: {} for facet in self._facets}
        for facet in self._facets:
            for _, f, _ in text:
                if keeps(f, facet):
                    for value in f.get(facet, ()):
                        counts[facet][value] = counts[facet].get(value, 0) + 1
        return len(hits), counts


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _cpu(call: Callable[[], object]) -> float:
    """CPU seconds: on a shared, loaded machine the wall time of a long call mostly
    measures the wait for a core."""
    start = time.process_time()
    call()
    return time.process_time() - start


def measure(quick: bool) -> Dict[str, object]:
    from tfhub.hubdocs import load_tree, validate_tree

    root = docs_root()
    repeats = 2 if quick else 5
    loads = [_timed(lambda: load_tree(root)) for _ in range(repeats)]
    load_cpu = [_cpu(lambda: load_tree(root)) for _ in range(repeats)]
    validations = [_timed(lambda: validate_tree(root)) for _ in range(repeats)]
    tree = load_tree(root)
    queries = list(itertools.product(WORDS, FILTERS))
    cold, warm = [], []
    for query, filters in queries:
        tree.index._prefix.cache_clear()  # a word seen for the first time
        cold.append(_timed(functools.partial(tree.search, query, filters)))
    for query, filters in queries:
        warm.append(_timed(functools.partial(tree.search, query, filters)))
    scan = LinearScan(tree)
    linear = [_timed(functools.partial(scan.search, query, filters)) for query, filters in queries]
    return {"models": len(tree.models), "queries": len(queries), "load": loads, "load_cpu": load_cpu,
            "validate": validations,
            "cold": cold, "warm": warm, "linear": linear}


def run(ctx) -> list:
    m = measure(ctx.settings.quick)
    rows = [
        row("load_tree (whole tree)", m["load"], "s", models=m["models"]),
        row("load_tree, CPU time", m["load_cpu"], "s"),
        row("validate_tree (whole tree)", m["validate"], "s"),
        row("search, word first seen", m["cold"], "s", p95=p95(m["cold"]), queries=m["queries"]),
        row("search, repeated", m["warm"], "s", p95=p95(m["warm"])),
        row("linear scan (no index)", m["linear"], "s", p95=p95(m["linear"])),
    ]
    ratio = p95(m["cold"]) / p95(m["linear"])
    return [figure("docs_search", f"documentation catalog: {m['models']} models, {m['queries']} queries "
                   "(text x filters, with facet counts)", rows,
                   f"search p95 < {TARGET_P95_S * 1000:.0f} ms", verdict(p95(m["cold"]) < TARGET_P95_S),
                   note=f"p95 indexed / p95 linear scan = {ratio:.3f} (same run)")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    m = measure(args.quick)
    summary = {"figure": "docs_search", "models": m["models"], "queries": m["queries"],
               "load_median_s": statistics.median(m["load"]), "load_cpu_median_s": statistics.median(m["load_cpu"]),
               "validate_median_s": statistics.median(m["validate"]),
               "search_cold_p95_ms": p95(m["cold"]) * 1000, "search_warm_p95_ms": p95(m["warm"]) * 1000,
               "linear_p95_ms": p95(m["linear"]) * 1000, "indexed_over_linear_p95": p95(m["cold"]) / p95(m["linear"])}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
