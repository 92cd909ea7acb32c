"""Warm resolve: the handle is in the cache; a fresh process resolves it."""

from __future__ import annotations

from benchmarks.harness import TF_HUB_016, TFHUB, figure, remove, row, run_probe, verdict


def run(ctx) -> list:
    settings, server = ctx.settings, ctx.server
    handle = server.handle(ctx.models.big, "warm")
    rows = []
    for subject in (TFHUB, TF_HUB_016):
        if not subject.available:
            continue
        cache = settings.scratch("warm")
        try:
            run_probe(subject, "resolve", "--handle", handle, cache_dir=cache)  # fills the cache
            before = server.gets(handle)
            results = [run_probe(subject, "resolve", "--handle", handle, cache_dir=cache)
                       for _ in range(settings.repeats)]
            downloads = server.gets(handle) - before
        finally:
            remove(cache)
        rows.append(row(subject.label, [r["seconds"] * 1000 for r in results], "ms",
                        downloads_during_warm_runs=downloads))
    by = {r["subject"]: r for r in rows}
    ok = None
    if TFHUB.label in by and TF_HUB_016.label in by:
        ok = (by[TFHUB.label]["median"] <= by[TF_HUB_016.label]["median"]
              and by[TFHUB.label]["downloads_during_warm_runs"] == 0)
    return [figure("warm_resolve", f"warm resolve (cache hit, {settings.big_mb:g} MB module, first call in a process)",
                   rows, "tfhub <= tensorflow_hub, no download", verdict(ok))]
