"""`tfhub convert` of the TF1 Hub module, once the converter exists."""

from __future__ import annotations

import subprocess
import time

from benchmarks.harness import TFHUB, child_env, figure, remove, row


def available() -> bool:
    done = subprocess.run([str(TFHUB.python), "-m", "tfhub", "convert", "--help"], capture_output=True,
                          env=child_env())
    return done.returncode == 0


def run(ctx) -> list:
    title = f"tfhub convert of the {ctx.settings.tf1_variables}-variable TF1 Hub module"
    if not TFHUB.available or not available():
        return [figure("convert", title, [], "(no target in the contract)", "n/a",
                       "not available yet: `tfhub convert` does not exist in this checkout")]
    samples = []
    source = ctx.models.directory(ctx.models.tf1)
    for _ in range(1):  # no target to judge; one run shows the order of magnitude
        out = ctx.settings.scratch("convert") / "out"
        start = time.perf_counter()
        done = subprocess.run([str(TFHUB.python), "-m", "tfhub", "convert", str(source), str(out)],
                              capture_output=True, text=True, env=child_env())
        samples.append(time.perf_counter() - start)
        remove(out.parent)
        if done.returncode != 0:
            return [figure("convert", title, [], "(no target in the contract)", "n/a",
                           "tfhub convert failed: " + done.stderr[-500:])]
    return [figure("convert", title, [row(TFHUB.label, samples, "s")], "(no target in the contract)", "info")]
