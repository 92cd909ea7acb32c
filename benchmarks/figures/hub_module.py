"""hub.Module: instantiate + first apply + session run of a large TF1 Hub module."""

from __future__ import annotations

from benchmarks.harness import TF_HUB_015, TFHUB, TFHUB_215, figure, row, run_probe, verdict


def run(ctx) -> list:
    settings = ctx.settings
    path = str(ctx.models.directory(ctx.models.tf1))
    rows = []
    medians = {}
    for subject in (TFHUB, TFHUB_215, TF_HUB_015):
        if not subject.available:
            continue
        runs = [run_probe(subject, "module", "--handle", path) for _ in range(settings.heavy_repeats)]
        for key, what in (("instantiate_apply_s", "instantiate + apply"), ("instantiate_s", "instantiate"),
                          ("apply_s", "first apply"), ("session_s", "session: init + run"),
                          ("total_s", "total")):
            rows.append(row(f"{subject.label}: {what}", [r[key] for r in runs], "s"))
        medians[subject.label] = rows[-5]["median"]
    ok = None
    if TFHUB_215.label in medians and TF_HUB_015.label in medians:
        ok = medians[TFHUB_215.label] <= medians[TF_HUB_015.label]
    title = (f"hub.Module of {settings.tf1_variables} variables, {settings.tf1_mb:g} MB "
             "(instantiate, first apply, session run)")
    return [figure("hub_module", title, rows,
                   "instantiate + apply <= tensorflow_hub 0.15 (same TF 2.15)", verdict(ok))]
