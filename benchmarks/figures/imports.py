"""`import` time of each library, and whether it imported TensorFlow."""

from __future__ import annotations

from benchmarks.harness import TF_HUB_015, TF_HUB_016, TFHUB, figure, row, run_probe, verdict

TARGET_SECONDS = 0.3


def run(ctx) -> list:
    rows = []
    tfhub_ok = None
    for subject in (TFHUB, TF_HUB_016, TF_HUB_015):
        if not subject.available:
            continue
        run_probe(subject, "import")  # warm the page cache; not counted
        results = [run_probe(subject, "import") for _ in range(ctx.settings.repeats)]
        imported_tf = any(r["tensorflow_imported"] for r in results)
        rows.append(row(subject.label, [r["seconds"] for r in results], "s",
                        tensorflow_imported=imported_tf,
                        process_wall_s=sorted(r["process_wall_s"] for r in results)[len(results) // 2]))
        if subject is TFHUB:
            median = rows[-1]["median"]
            tfhub_ok = (not imported_tf) and median < TARGET_SECONDS
    return [figure("import", "import time (in a fresh process)", rows,
                   f"tfhub imports no TensorFlow and takes < {TARGET_SECONDS} s", verdict(tfhub_ok))]
