"""What every figure shares: interpreters, child processes, statistics, the server."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Optional

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO / "benchmarks"
PROBE = BENCH_DIR / "probe.py"
MARKER = "BENCH-RESULT "


@dataclasses.dataclass(frozen=True)
class Subject:
    """A library in an interpreter: one column of the side-by-side figures."""

    label: str
    lib: str  # "tfhub" or "tensorflow_hub"
    python: Path

    @property
    def available(self) -> bool:
        return self.python.exists()


TFHUB = Subject("tfhub (TF 2.21)", "tfhub", REPO / ".venv" / "bin" / "python")
TFHUB_215 = Subject("tfhub (TF 2.15)", "tfhub", REPO / ".venv-tf215" / "bin" / "python")
TF_HUB_016 = Subject("tensorflow_hub 0.16.1 (TF 2.21)", "tensorflow_hub", REPO / ".venv" / "bin" / "python")
TF_HUB_015 = Subject("tensorflow_hub 0.15.0 (TF 2.15)", "tensorflow_hub", REPO / ".venv-tf215" / "bin" / "python")


@dataclasses.dataclass
class Settings:
    """Sizes and repeat counts of one run."""

    quick: bool
    work: Path  # .bench/full or .bench/quick
    big_mb: float
    small_mb: float
    tf1_mb: float
    tf1_variables: int
    repeats: int  # cheap figures
    heavy_repeats: int  # figures that start TensorFlow in every run
    keras_calls: int
    keras_blocks: int
    processes: int = 8
    loads: int = 9  # rounds of hub.load, tf.saved_model.load and a control load per process (3 orders)

    @classmethod
    def make(cls, quick: bool) -> "Settings":
        if quick:
            return cls(True, REPO / ".bench" / "quick", big_mb=8, small_mb=2, tf1_mb=2,
                       tf1_variables=100, repeats=2, heavy_repeats=1, keras_calls=20, keras_blocks=2,
                       processes=3, loads=3)
        return cls(False, REPO / ".bench" / "full", big_mb=400, small_mb=50, tf1_mb=200,
                   tf1_variables=1000, repeats=5, heavy_repeats=3, keras_calls=200, keras_blocks=15)

    def scratch(self, label: str) -> Path:
        """A fresh directory for one run's cache; remove it with :func:`remove`."""
        path = self.work / "scratch" / f"{label}-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def child_env(cache_dir: Optional[Path] = None) -> Dict[str, str]:
    """The environment of a child: no stray TFHUB_* settings, quiet TensorFlow, bytecode as installed.

    tfhub is installed editable, so its bytecode is written on first import;
    with ``PYTHONDONTWRITEBYTECODE`` set around the run, every probe would
    compile tfhub from source, while tensorflow_hub (a wheel) has its bytecode.
    See :func:`compile_sources`.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TFHUB_")}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="-1")
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if cache_dir is not None:
        env["TFHUB_CACHE_DIR"] = str(cache_dir)
    return env


def compile_sources(subjects: List[Subject]) -> None:
    """Writes tfhub's bytecode for each interpreter, as ``pip install`` of a wheel does, before timing."""
    for python in sorted({str(s.python) for s in subjects if s.available}):
        subprocess.run([python, "-m", "compileall", "-q", str(REPO / "src" / "tfhub")],
                       env=child_env(), check=True, stdout=subprocess.DEVNULL)


def probe_command(subject: Subject, probe: str, *args: str) -> List[str]:
    return [str(subject.python), str(PROBE), probe, "--lib", subject.lib, *args]


def parse_result(stdout: str) -> dict:
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    raise ValueError("no result line")


def run_probe(subject: Subject, probe: str, *args: str, cache_dir: Optional[Path] = None,
              timeout: float = 900, extra_env: Optional[Dict[str, str]] = None) -> dict:
    """Runs one probe in a fresh process; its result, with the process's wall time."""
    env = child_env(cache_dir)
    env.update(extra_env or {})
    start = time.perf_counter()
    done = subprocess.run(probe_command(subject, probe, *args), capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=REPO)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{subject.label}: probe {probe} failed ({done.returncode}):\n"
                           + done.stderr[-3000:])
    result = parse_result(done.stdout)
    result["process_wall_s"] = wall
    return result


def stats(values: List[float]) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def row(subject: str, values: List[float], unit: str, **extra) -> dict:
    """One line of a figure's table: the statistics of ``values``."""
    return {"subject": subject, "unit": unit, **stats(values), **extra}


def figure(name: str, title: str, rows: List[dict], target: str, status: str, note: str = "") -> dict:
    """A figure: ``status`` is "met", "missed", "info" or "n/a"."""
    return {"figure": name, "title": title, "rows": rows, "target": target, "status": status,
            "note": note}


def verdict(ok: Optional[bool]) -> str:
    return "n/a" if ok is None else ("met" if ok else "missed")


class Server:
    """benchmarks/server.py in its own process, serving ``root`` (``options``: see its --help)."""

    def __init__(self, root: Path, *options: str):
        self._process = subprocess.Popen([sys.executable, str(BENCH_DIR / "server.py"), str(root), *options],
                                          stdout=subprocess.PIPE, text=True)
        line = self._process.stdout.readline()
        if not line.startswith("PORT "):
            self._process.kill()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.base = f"http://127.0.0.1:{int(line.split()[1])}"

    def handle(self, model: str, tag: str) -> str:
        return f"{self.base}/models/{model}/{tag}"

    def gets(self, handle: str) -> int:
        """GETs the server answered for ``handle``'s path."""
        with urllib.request.urlopen(self.base + "/_counts") as response:
            counts = json.load(response)
        return counts.get(urllib.parse.urlsplit(handle).path, 0)

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(10)


@contextlib.contextmanager
def serving(root: Path, *options: str) -> Iterator[Server]:
    server = Server(root, *options)
    try:
        yield server
    finally:
        server.stop()


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"

