"""hub.Module: instantiate + first apply + session run of a large TF1 Hub module.

The subjects take turns, one fresh process each per round, and the verdict is
the median over rounds of tfhub's time over tensorflow_hub's in the same round
(both on TF 2.15): a drift in the machine's load between one library's runs and
the other's, which decided the verdict when each ran its repeats in a block, cancels.
"""

from __future__ import annotations

from benchmarks.harness import TF_HUB_015, TFHUB, TFHUB_215, figure, row, run_probe, verdict

PHASES = (("instantiate_apply_s", "instantiate + apply"), ("instantiate_s", "instantiate"),
          ("apply_s", "first apply"), ("session_s", "session: init + run"), ("total_s", "total"))
ROUNDS = 5  # the two libraries are within a few percent: three rounds left the verdict to noise
TARGET = "instantiate + apply <= tensorflow_hub 0.15 (same TF 2.15; median of same-round ratios)"


def run(ctx) -> list:
    settings = ctx.settings
    path = str(ctx.models.directory(ctx.models.tf1))
    subjects = [s for s in (TFHUB, TFHUB_215, TF_HUB_015) if s.available]
    runs = {s.label: [] for s in subjects}
    for _ in range(settings.heavy_repeats if settings.quick else ROUNDS):
        for subject in subjects:
            runs[subject.label].append(run_probe(subject, "module", "--handle", path))
    rows = [row(f"{subject.label}: {what}", [r[key] for r in runs[subject.label]], "s")
            for subject in subjects for key, what in PHASES]
    ok = None
    if TFHUB_215.label in runs and TF_HUB_015.label in runs:
        ratios = [ours["instantiate_apply_s"] / theirs["instantiate_apply_s"]
                  for ours, theirs in zip(runs[TFHUB_215.label], runs[TF_HUB_015.label])]
        rows.append(row(f"{TFHUB_215.label} / {TF_HUB_015.label}: instantiate + apply, same round", ratios, "x"))
        ok = rows[-1]["median"] <= 1.0
    title = (f"hub.Module of {settings.tf1_variables} variables, {settings.tf1_mb:g} MB "
             "(instantiate, first apply, session run)")
    return [figure("hub_module", title, rows, TARGET, verdict(ok))]
