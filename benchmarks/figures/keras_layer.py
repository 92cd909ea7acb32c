"""KerasLayer forward pass vs calling the loaded function directly."""

from __future__ import annotations

from benchmarks.harness import TF_HUB_016, TFHUB, figure, remove, row, run_probe, verdict

LIMIT = 1.05
KERAS2_LABEL = "tfhub, Keras 2 flavour (TF 2.21, TF_USE_LEGACY_KERAS=1)"


def run(ctx) -> list:
    settings, server = ctx.settings, ctx.server
    handle = server.handle(ctx.models.small, "keras")
    results = {}
    # tfhub's KerasLayer follows tf.keras: Keras 3 by default on TF 2.21, Keras 2
    # (tf_keras, the base class of tensorflow_hub 0.16's layer) with TF_USE_LEGACY_KERAS=1.
    variants = ((TFHUB, TFHUB.label, {}), (TFHUB, KERAS2_LABEL, {"TF_USE_LEGACY_KERAS": "1"}),
                (TF_HUB_016, TF_HUB_016.label, {}))
    for subject, label, extra_env in variants:
        if not subject.available:
            continue
        cache = settings.scratch("keras")
        try:
            run_probe(subject, "resolve", "--handle", handle, cache_dir=cache)
            results[label] = [
                run_probe(subject, "keras", "--handle", handle, "--calls", str(settings.keras_calls),
                          "--blocks", str(settings.keras_blocks), cache_dir=cache, extra_env=extra_env)
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
            # Ratios: every block of layer calls over the block of direct calls next to it,
            # pooled over the runs (drift between blocks cancels); CPU time is steadier here.
            for mode, what in (("eager", "eager"), ("function", "tf.function")):
                rows.append(row(f"{label}: {what} layer/direct", _pooled(runs, f"b{batch}_{mode}_pairs"), "x"))
                rows.append(row(f"{label}: {what} layer/direct, CPU time",
                                _pooled(runs, f"b{batch}_{mode}_cpu_pairs"), "x"))
        by = {r["subject"]: r for r in rows}
        theirs_eager = by.get(f"{TF_HUB_016.label}: eager layer/direct")
        checks = []
        for ours in (TFHUB.label, KERAS2_LABEL):
            ours_fn = by.get(f"{ours}: tf.function layer/direct")
            if ours_fn:
                checks.append(ours_fn["median"] <= LIMIT)
            ours_eager = by.get(f"{ours}: eager layer/direct")
            if batch == 1 and ours_eager and theirs_eager:
                checks.append(ours_eager["median"] < theirs_eager["median"])
        target = f"tf.function: layer <= {LIMIT}x direct call (each tfhub flavour)"
        if batch == 1:
            target += "; eager: layer overhead (layer/direct) below tensorflow_hub's"
        figures.append(figure(f"keras_layer_b{batch}", f"KerasLayer forward pass, batch {batch}", rows, target,
                              verdict(all(checks) if checks else None)))
    return figures


def _pooled(runs: list, key: str) -> list:
    """The adjacent-pair ratios of every run together."""
    return [ratio for run in runs for ratio in run[key]]
