"""Cold resolve over a realistic link: per-connection cap, per-request delay, two redirects.

Loopback hides what users feel: tfhub.dev redirects to Kaggle, which
redirects to storage that caps each connection. Here the benchmark server
does the same on 127.0.0.1 (20 MB/s per connection, 40 ms before each
answer, a chain of two 302s). A downloader with one connection (tensorflow_hub,
`curl -L | tar xz`) gets the cap; `aria2c -x8` then `tar xzf` is the floor
of a parallel download followed by extraction.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from benchmarks.figures.cold_resolve import resolve_once, settle, timed_shell
from benchmarks.harness import TF_HUB_016, TFHUB, figure, remove, row, serving, verdict

RATE_MB = 20
DELAY_MS = 40
REDIRECTS = 2
RSS_LIMIT_MB = 128
CURL_LABEL = "curl -L URL | tar xz (one connection)"
ARIA_LABEL = "aria2c -x8, then tar xzf (parallel floor)"


def _curl_tar(url: str, target: Path) -> str:
    return f"set -o pipefail; curl -sSfL '{url}' | tar xzf - -C '{target}'"


def _aria_tar(url: str, target: Path) -> str:
    download = target / "download"
    return (f"set -e; aria2c -q -x8 -s8 --allow-overwrite=true --auto-file-renaming=false "
            f"--file-allocation=none -d '{download}' -o model.tar.gz '{url}'; "
            f"tar xzf '{download}/model.tar.gz' -C '{target}'")


TOOLS = {CURL_LABEL: ("curl", _curl_tar), ARIA_LABEL: ("aria2c", _aria_tar)}


def run(ctx) -> list:
    settings, name = ctx.settings, ctx.models.big
    have = {label: shutil.which(program) is not None for label, (program, _) in TOOLS.items()}
    subjects = [s for s in (TFHUB, TF_HUB_016) if s.available]
    samples = {label: [] for label in [s.label for s in subjects] + [k for k, v in have.items() if v]}
    options = ("--rate", str(RATE_MB), "--delay-ms", str(DELAY_MS), "--redirects", str(REDIRECTS))
    with serving(ctx.models.archives, *options) as server:
        for _ in range(settings.heavy_repeats):
            for subject in subjects:
                samples[subject.label].append(resolve_once(settings, subject, server, name, "capped"))
            for label, (_, command) in TOOLS.items():
                if not have[label]:
                    continue
                target = settings.scratch("capped-tool")
                url = server.handle(name, f"tool-{uuid.uuid4().hex[:8]}") + "?tf-hub-format=compressed"
                samples[label].append(timed_shell(command(url, target), url))
                remove(target)
                settle()
    return [_judge(ctx, samples, subjects, have)]


def _judge(ctx, samples: dict, subjects: list, have: dict) -> dict:
    rows = []
    for subject in subjects:
        results = samples[subject.label]
        rows.append(row(subject.label, [r["seconds"] for r in results], "s",
                        rss_growth_mb=max(r["rss_growth_mb"] for r in results),
                        cpu_s=sorted(r["cpu_seconds"] for r in results)[len(results) // 2]))
    for label in (CURL_LABEL, ARIA_LABEL):
        if have[label]:
            results = samples[label]
            rows.append(row(label, [r["seconds"] for r in results], "s",
                            cpu_s=sorted(r["cpu_seconds"] for r in results)[len(results) // 2]))
    by = {r["subject"]: r for r in rows}
    ours, theirs, floor = by.get(TFHUB.label), by.get(TF_HUB_016.label), by.get(ARIA_LABEL)
    checks, notes = {}, []
    if ours:
        checks["rss"] = ours["rss_growth_mb"] <= RSS_LIMIT_MB
        notes.append(f"tfhub peak RSS growth {ours['rss_growth_mb']:.1f} MB (max of runs)")
    if ours and theirs:
        checks["quarter"] = ours["median"] <= 0.25 * theirs["median"]
        notes.append(f"tfhub/tensorflow_hub = {ours['median'] / theirs['median']:.3f}")
    if ours and floor:
        checks["floor"] = ours["median"] <= 1.1 * floor["median"]
        notes.append(f"tfhub/(aria2c -x8 + tar) = {ours['median'] / floor['median']:.3f}")
    if not have[ARIA_LABEL]:
        notes.append("aria2c is not installed (Debian's aria2; `make bench` installs it): no floor measured")
    mb = ctx.settings.big_mb
    return figure(
        f"capped_link_{mb:g}mb",
        f"cold resolve of a {mb:g} MB module over a capped link ({RATE_MB} MB/s per connection, "
        f"{DELAY_MS} ms per request, {REDIRECTS} redirects)",
        rows, f"<= 0.25x tensorflow_hub, <= 1.1x aria2c -x8 + tar, RSS growth <= {RSS_LIMIT_MB} MB",
        verdict(all(checks.values()) if checks else None), "; ".join(notes))
