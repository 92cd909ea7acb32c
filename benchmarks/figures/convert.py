"""`tfhub convert` of the TF1 Hub module beside its floor, in alternating fresh processes.

The floor (benchmarks/convert_floor.py) imports the module's graph, restores its
variables and saves a TF2 SavedModel: the work any converter must do. Each
convert is paired with the floor run right after it, so drift in the machine's
load cancels in the ratio; CPU time (user + system of the child) is shown too,
being steadier than wall time on a shared machine.
"""

from __future__ import annotations

import resource
import subprocess
import time
from pathlib import Path
from typing import List, Tuple

from benchmarks.harness import BENCH_DIR, TFHUB, child_env, figure, parse_result, remove, row, verdict

LIMIT = 2.0
TARGET = f"convert <= {LIMIT:g}x the import + save floor (median of adjacent-pair wall ratios)"


def available() -> bool:
    done = subprocess.run([str(TFHUB.python), "-m", "tfhub", "convert", "--help"], capture_output=True,
                          env=child_env())
    return done.returncode == 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: List[str], what: str) -> Tuple[float, float, str]:
    """Wall and CPU seconds of one child process, and its stdout."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=child_env())
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed: {done.stderr[-500:]}")
    return wall, cpu, done.stdout


def _pair(source: Path, scratch: Path) -> dict:
    """One convert, then one floor, each into a fresh directory."""
    convert = _timed([str(TFHUB.python), "-m", "tfhub", "convert", str(source), str(scratch / "convert")],
                     "tfhub convert")
    floor = _timed([str(TFHUB.python), str(BENCH_DIR / "convert_floor.py"), str(source),
                    str(scratch / "floor")], "the floor")
    phases = parse_result(floor[2])
    return {"convert_wall": convert[0], "convert_cpu": convert[1], "floor_wall": floor[0],
            "floor_cpu": floor[1], "floor_load": phases["load_s"], "floor_save": phases["save_s"]}


def run(ctx) -> list:
    title = f"tfhub convert of the {ctx.settings.tf1_variables}-variable TF1 Hub module vs the import + save floor"
    if not TFHUB.available or not available():
        return [figure("convert", title, [], TARGET, "n/a",
                       "not available yet: `tfhub convert` does not exist in this checkout")]
    source = ctx.models.directory(ctx.models.tf1)
    pairs = []
    for _ in range(ctx.settings.heavy_repeats):
        scratch = ctx.settings.scratch("convert")
        try:
            pairs.append(_pair(source, scratch))
        except RuntimeError as exc:
            return [figure("convert", title, [], TARGET, "n/a", str(exc))]
        finally:
            remove(scratch)
    column = {key: [p[key] for p in pairs] for key in pairs[0]}
    wall_ratio = row("tfhub convert / floor, adjacent pairs (wall)",
                     [p["convert_wall"] / p["floor_wall"] for p in pairs], "x")
    cpu_ratio = row("tfhub convert / floor, adjacent pairs (CPU)",
                    [p["convert_cpu"] / p["floor_cpu"] for p in pairs], "x")
    rows = [row(f"{TFHUB.label}: tfhub convert (wall)", column["convert_wall"], "s"),
            row(f"{TFHUB.label}: tfhub convert (CPU)", column["convert_cpu"], "s"),
            row("floor: import graph + restore + save (wall)", column["floor_wall"], "s"),
            row("floor (CPU)", column["floor_cpu"], "s"),
            row("floor: of which load_v2 (graph import + restore)", column["floor_load"], "s"),
            row("floor: of which tf.saved_model.save", column["floor_save"], "s"),
            wall_ratio, cpu_ratio]
    note = (f"median convert/floor: {wall_ratio['median']:.2f}x wall, {cpu_ratio['median']:.2f}x CPU; "
            "both processes include importing TensorFlow")
    return [figure("convert", title, rows, TARGET, verdict(wall_ratio["median"] <= LIMIT), note)]
