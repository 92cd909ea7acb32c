"""`hub.load` on a cached module vs `tf.saved_model.load` on the same path.

Two ways to see 5%, since a load's own spread in one process is larger:

* pairs: each `hub.load` against the `tf.saved_model.load` of the same round,
  beside a control, a second `tf.saved_model.load` against the same one. Both
  sides of the control do the same work, so its ratio is the method's floor
  (position in the round, memory reuse after `del`); `hub.load` is compared
  with that, not with 1.
* direct (tfhub): the work `hub.load` adds (resolve and format check), timed
  alone over many calls, as a fraction of the median load.

Each loader runs once before the timed rounds: TensorFlow's one-time costs, and
those of a library's first `hub.load` (tfhub imports its loading code then,
tensorflow_hub in `import`), belong to neither side of a pair. Before that
warm-up, the one inflated first `hub.load` sample per process moved tfhub's
median pair ratio by ~3 points (1.044-1.050 over the control, against 1.009-1.017 after).
"""

from __future__ import annotations

from benchmarks.harness import TF_HUB_016, TFHUB, figure, remove, row, run_probe, verdict

LIMIT = 1.05


def run(ctx) -> list:
    settings, server = ctx.settings, ctx.server
    handle = server.handle(ctx.models.small, "load")
    rows = []
    notes = []
    ok = None
    for subject in (TFHUB, TF_HUB_016):
        if not subject.available:
            continue
        cache = settings.scratch("load")
        try:
            run_probe(subject, "resolve", "--handle", handle, cache_dir=cache)
            samples: dict = {"hub": [], "tf": [], "control": [], "pairs": [], "control_pairs": [], "own": []}
            for _ in range(settings.heavy_repeats):
                result = run_probe(subject, "load", "--handle", handle, "--loads", str(settings.loads),
                                   cache_dir=cache)
                samples["hub"] += result["hub_s"]
                samples["tf"] += result["tf_s"]
                samples["control"] += result["control_s"]
                # Each load against the tf.saved_model.load of its round: drift cancels.
                samples["pairs"] += [h / t for h, t in zip(result["hub_s"], result["tf_s"])]
                samples["control_pairs"] += [c / t for c, t in zip(result["control_s"], result["tf_s"])]
                samples["own"] += [s * 1e6 for s in result.get("own_work_s", [])]
        finally:
            remove(cache)
        label = subject.label
        hub_row = row(f"{label}: hub.load", samples["hub"], "s")
        tf_row = row(f"{label}: tf.saved_model.load", samples["tf"], "s")
        hub_row["ratio_of_medians"] = hub_row["median"] / tf_row["median"]
        pairs = row(f"{label}: hub.load / tf.saved_model.load, same round", samples["pairs"], "x")
        control = row(f"{label}: control, tf.saved_model.load / tf.saved_model.load, same round",
                      samples["control_pairs"], "x")
        pairs["over_control"] = pairs["median"] / control["median"]
        rows += [hub_row, tf_row, row(f"{label}: tf.saved_model.load again (control)", samples["control"], "s"),
                 pairs, control]
        notes.append(f"{label}: pairs {pairs['median']:.3f}, control {control['median']:.3f}, "
                     f"pairs / control {pairs['over_control']:.3f}")
        if samples["own"]:
            own = row(f"{label}: hub.load's own work (resolve + format check), per call", samples["own"], "us")
            own["fraction_of_load"] = own["median"] / 1e6 / tf_row["median"]
            rows.append(own)
            notes.append(f"{label}: own work {own['median']:.0f} us = {own['fraction_of_load']:.4%} of a load")
        if subject is TFHUB:
            ok = pairs["over_control"] <= LIMIT and (not samples["own"] or 1 + own["fraction_of_load"] <= LIMIT)
    return [figure("load", f"hub.load of a cached {settings.small_mb:g} MB module vs tf.saved_model.load "
                   "(rotating with a control load in each process, after a warm-up load of each)", rows,
                   f"hub.load <= {LIMIT}x tf.saved_model.load: median pair ratio over the control's, and "
                   "tfhub's own work timed alone", verdict(ok), "; ".join(notes))]
