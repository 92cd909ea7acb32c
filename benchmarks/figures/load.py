"""`hub.load` on a cached module vs `tf.saved_model.load` on the same path."""

from __future__ import annotations

from benchmarks.harness import TF_HUB_016, TFHUB, figure, remove, row, run_probe, verdict

LIMIT = 1.05


def run(ctx) -> list:
    settings, server = ctx.settings, ctx.server
    handle = server.handle(ctx.models.small, "load")
    rows = []
    ratios = {}
    for subject in (TFHUB, TF_HUB_016):
        if not subject.available:
            continue
        cache = settings.scratch("load")
        try:
            run_probe(subject, "resolve", "--handle", handle, cache_dir=cache)
            samples = {"hub": [], "tf": [], "pairs": []}
            for _ in range(settings.heavy_repeats):
                result = run_probe(subject, "load", "--handle", handle, "--loads", str(settings.loads),
                                   cache_dir=cache)
                samples["hub"] += result["hub_s"]
                samples["tf"] += result["tf_s"]
                # Each hub.load against the tf.saved_model.load next to it: drift cancels.
                samples["pairs"] += [h / t for h, t in zip(result["hub_s"], result["tf_s"])]
        finally:
            remove(cache)
        hub_row = row(f"{subject.label}: hub.load", samples["hub"], "s")
        tf_row = row(f"{subject.label}: tf.saved_model.load", samples["tf"], "s")
        pair_row = row(f"{subject.label}: hub.load / tf.saved_model.load, adjacent pairs", samples["pairs"], "x")
        ratios[subject.label] = pair_row["median"]
        hub_row["ratio_of_medians"] = hub_row["median"] / tf_row["median"]
        rows += [hub_row, tf_row, pair_row]
    ok = ratios[TFHUB.label] <= LIMIT if TFHUB.label in ratios else None
    note = "; ".join(f"{label}: median of adjacent-pair ratios hub.load / tf.saved_model.load = {r:.3f}"
                     for label, r in ratios.items())
    return [figure("load", f"hub.load of a cached {settings.small_mb:g} MB module vs tf.saved_model.load "
                   "(alternating in each process, after a warm-up load)", rows, f"hub.load <= {LIMIT}x tf.saved_model.load (median of adjacent-pair ratios)", verdict(ok), note)]
