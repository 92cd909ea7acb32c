"""Inflate alone: the gunzips available to Python on the 400 MB archive, on this machine.

Beside them, tfhub's extraction of the same file (inflate, tar, file writes and
both SHA-256s, no network): the floor under a loopback cold resolve.

The archive is random float32 (as real weights are), so inflate decodes
literals nearly all the way; what a parallel gunzip (rapidgzip) gains over
ISA-L depends on the cores left free by the download, the SHA-256 and tar.
"""

from __future__ import annotations

from benchmarks.harness import TFHUB, figure, row, run_probe


def run(ctx) -> list:
    archive = ctx.models.archive(ctx.models.big)
    result = run_probe(TFHUB, "inflate", "--handle", str(archive), "--loads", str(ctx.settings.heavy_repeats))
    rows = [row(name, values, "s") for name, values in result["seconds"].items()]
    names = set(result["seconds"])
    note = "" if any(n.startswith("rapidgzip") for n in names) else (
        "rapidgzip is not installed in .venv (not a dependency: see the analysis)")
    return [figure("inflate", f"gunzip alone of the {ctx.settings.big_mb:g} MB archive (to nowhere), and tfhub's extraction",
                   rows, "(no target: chooses the codec)", "info", note)]
