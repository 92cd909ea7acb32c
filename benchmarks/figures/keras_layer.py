"""KerasLayer forward pass vs calling the loaded function directly."""

from __future__ import annotations

from benchmarks.harness import TF_HUB_016, TFHUB, figure, remove, row, run_probe, verdict

LIMIT = 1.05


def run(ctx) -> list:
    settings, server = ctx.settings, ctx.server
    handle = server.handle(ctx.models.small, "keras")
    results = {}
    for subject in (TFHUB, TF_HUB_016):
        if not subject.available:
            continue
        cache = settings.scratch("keras")
        try:
            run_probe(subject, "resolve", "--handle", handle, cache_dir=cache)
            results[subject.label] = [
                run_probe(subject, "keras", "--handle", handle, "--calls", str(settings.keras_calls),
                          "--blocks", str(settings.keras_blocks), cache_dir=cache)
                for _ in range(settings.heavy_repeats)]
        finally:
            remove(cache)
    figures = []
    for batch in (1, 256):
        rows = []
        for label, runs in results.items():
            for case in ("eager_layer", "eager_direct", "function_layer", "function_direct"):
                key = f"b{batch}_{case}_us"
                rows.append(row(f"{label}: {case.replace('_', ' ')}", [r[key] for r in runs], "us/call"))
            rows.append(row(f"{label}: eager layer/direct", [r[f"b{batch}_eager_ratio"] for r in runs], "x"))
            rows.append(row(f"{label}: tf.function layer/direct",
                            [r[f"b{batch}_function_ratio"] for r in runs], "x"))
        by = {r["subject"]: r for r in rows}
        ours_fn = by.get(f"{TFHUB.label}: tf.function layer/direct")
        ours_eager = by.get(f"{TFHUB.label}: eager layer/direct")
        theirs_eager = by.get(f"{TF_HUB_016.label}: eager layer/direct")
        checks = []
        if ours_fn:
            checks.append(ours_fn["median"] <= LIMIT)
        target = f"tf.function: layer <= {LIMIT}x direct call"
        if batch == 1:
            target += "; eager: layer overhead (layer/direct) below tensorflow_hub's"
            if ours_eager and theirs_eager:
                checks.append(ours_eager["median"] < theirs_eager["median"])
        figures.append(figure(f"keras_layer_b{batch}", f"KerasLayer forward pass, batch {batch}", rows, target,
                              verdict(all(checks) if checks else None)))
    return figures
