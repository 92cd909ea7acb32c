"""`make bench`: the design's performance contract, tfhub side by side with tensorflow_hub.

Usage::

    .venv/bin/python benchmarks/run.py            # full run; rewrites docs/benchmarks.md
    .venv/bin/python benchmarks/run.py --quick    # small sizes, to check the harness
    .venv/bin/python benchmarks/run.py --only import,cold_resolve --no-docs

Prints one JSON line per figure (prefixed ``{"figure": ...``) and a table.
Generated models live under .bench/ (git-ignored) and are reused between runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness, models, report
from benchmarks.figures import (capped_link, catalog_latency, cold_resolve, concurrent_resolve, convert, docs_search,
                                hub_module, imports, inflate, keras_layer, load, serve_load, warm_resolve)

FIGURES = {
    "import": imports,
    "cold_resolve": cold_resolve,
    "capped_link": capped_link,
    "inflate": inflate,
    "warm_resolve": warm_resolve,
    "load": load,
    "keras_layer": keras_layer,
    "concurrent_resolve": concurrent_resolve,
    "hub_module": hub_module,
    "convert": convert,
    "serve_load": serve_load,
    "docs_search": docs_search,
    "catalog_latency": catalog_latency,
}


@dataclasses.dataclass
class Context:
    settings: harness.Settings
    models: models.Models
    server: harness.Server


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small models and few repeats")
    parser.add_argument("--only", help=f"comma-separated figures of: {', '.join(FIGURES)}")
    parser.add_argument("--no-docs", action="store_true", help="do not write the markdown report")
    parser.add_argument("--docs", type=Path, help="where to write the report (default: docs/benchmarks.md, "
                        "or .bench/quick/benchmarks.md with --quick)")
    parser.add_argument("--json", type=Path, help="also write all figures as a JSON file")
    parser.add_argument("--load-note", default="", help="a sentence on the machine's load, for the report")
    parser.add_argument("--from-json", type=Path, help="only re-render the report from a --json file of a run")
    args = parser.parse_args(argv)
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        docs = args.docs or harness.REPO / "docs" / "benchmarks.md"
        docs.write_text(report.markdown(saved["figures"], saved["info"]), encoding="utf-8")
        print(report.table(saved["figures"]))
        log(f"wrote {docs} from {args.from_json}")
        return 0
    names = list(FIGURES) if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        parser.error(f"unknown figures: {', '.join(unknown)}")
    if not harness.TFHUB.available:
        parser.error(f"{harness.TFHUB.python} is missing; run `make bench`, which creates it")

    settings = harness.Settings.make(args.quick)
    started = time.time()
    load_start = harness.load_average()
    log(f"{'quick' if args.quick else 'full'} run; generated data in {settings.work}")
    bench_models = models.ensure(settings, log)
    harness.compile_sources([harness.TFHUB, harness.TFHUB_215])
    shutil.rmtree(settings.work / "scratch", ignore_errors=True)
    figures = []
    with harness.serving(bench_models.archives) as server:
        ctx = Context(settings, bench_models, server)
        for name in names:
            log(f"figure {name} ...")
            for fig in FIGURES[name].run(ctx):
                print(json.dumps(fig), flush=True)
                figures.append(fig)
    shutil.rmtree(settings.work / "scratch", ignore_errors=True)
    print(report.table(figures), flush=True)

    info = {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M %Z").strip(),
        "duration_s": time.time() - started,
        "quick": args.quick,
        "load_start": load_start,
        "load_end": harness.load_average(),
        "load_note": args.load_note,
        "machine": report.machine(),
    }
    if args.json:
        args.json.write_text(json.dumps({"info": info, "figures": figures}, indent=1))
    if not args.no_docs:
        docs = args.docs or (settings.work / "benchmarks.md" if args.quick else harness.REPO / "docs" / "benchmarks.md")
        docs.write_text(report.markdown(figures, info), encoding="utf-8")
        log(f"wrote {docs}")
    log(f"done in {(time.time() - started) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
