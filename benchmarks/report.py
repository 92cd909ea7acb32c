"""The machine description, the console table and docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import List

from benchmarks.harness import REPO, TFHUB, TFHUB_215, child_env

_VERSIONS = ("import importlib.metadata as m, sys\n"
             "for p in ('tensorflow', 'tensorflow-hub', 'keras', 'tfhub'):\n"
             "    try: print(p, m.version(p))\n"
             "    except m.PackageNotFoundError: print(p, '-')\n"
             "print('python', sys.version.split()[0])\n")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _memory_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / (1 << 20):.1f} GiB"
    except OSError:
        pass
    return "?"


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
    except OSError:
        pass
    return platform.platform()


def _versions(python: Path) -> dict:
    if not python.exists():
        return {}
    done = subprocess.run([str(python), "-c", _VERSIONS], capture_output=True, text=True, env=child_env())
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


def machine() -> dict:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory": _memory_gb(),
        "os": _os_name(),
        "venv": _versions(TFHUB.python),
        "venv_tf215": _versions(TFHUB_215.python),
    }


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if unit == "x":
            return f"{value:.3f}"
        if abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        return f"{value:.3f}"
    return str(value)


_STANDARD = ("subject", "unit", "median", "min", "max", "n")


def _extras(r: dict) -> str:
    return ", ".join(f"{k}={_fmt(v)}" for k, v in r.items() if k not in _STANDARD)


def table(figures: List[dict]) -> str:
    lines = []
    for fig in figures:
        lines.append(f"\n== {fig['title']}  [{fig['status'].upper()}]  target: {fig['target']}")
        for r in fig["rows"]:
            lines.append(f"  {r['subject']:<52} {_fmt(r['median'], r['unit']):>9} {r['unit']:<8}"
                         f" min {_fmt(r['min'], r['unit']):>8}  max {_fmt(r['max'], r['unit']):>8}  n={r['n']}"
                         f"  {_extras(r)}")
        if fig.get("note"):
            lines.append(f"  note: {fig['note']}")
    return "\n".join(lines)


def _cell(text) -> str:
    """Text for a markdown table cell (a `|` would end the cell)."""
    return str(text).replace("|", "\\|")


def _markdown_figure(fig: dict) -> List[str]:
    out = [f"### {fig['title']}", "",
           f"Target: {fig['target']} — **{fig['status']}**", ""]
    if fig["rows"]:
        out += ["| | median | min | max | n | unit | other |", "|---|---:|---:|---:|---:|---|---|"]
        for r in fig["rows"]:
            out.append(f"| {_cell(r['subject'])} | {_fmt(r['median'], r['unit'])} | {_fmt(r['min'], r['unit'])} | "
                       f"{_fmt(r['max'], r['unit'])} | {r['n']} | {r['unit']} | {_cell(_extras(r))} |")
        out.append("")
    if fig.get("note"):
        out += [fig["note"], ""]
    return out


def markdown(figures: List[dict], info: dict) -> str:
    m = info["machine"]
    venv, venv215 = m.get("venv", {}), m.get("venv_tf215", {})
    status_rows = [f"| {_cell(f['title'])} | {_cell(f['target'])} | **{f['status']}** |" for f in figures]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`benchmarks/run.py`) from one run; do not edit by hand "
        "(the analysis at the end comes from `benchmarks/notes.md`).",
        "",
        "## Machine and run",
        "",
        f"* Date: {info['date']}; run took {info['duration_s'] / 60:.1f} min"
        + (" (**--quick: small sizes, not the contract's figures**)" if info["quick"] else ""),
        f"* CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory']}",
        f"* OS: {m['os']}",
        f"* Python {venv.get('python', '?')}; `.venv`: TensorFlow {venv.get('tensorflow', '?')}, "
        f"Keras {venv.get('keras', '?')}, tensorflow_hub {venv.get('tensorflow-hub', '?')}, "
        f"tfhub {venv.get('tfhub', '?')}",
        f"* `.venv-tf215`: TensorFlow {venv215.get('tensorflow', '?')}, tensorflow_hub "
        f"{venv215.get('tensorflow-hub', '?')}, tfhub {venv215.get('tfhub', '?')}",
        f"* Load average (1/5/15 min) at start: {info['load_start']}; at end: {info['load_end']}"
        + (f". {info['load_note']}" if info.get("load_note") else ""),
        "",
        "Each library runs in its own fresh process per measurement (import cost and peak RSS are "
        "per process). Models are generated (random float32 variables, barely compressible) and "
        "served from a separate loopback HTTP process streaming from disk with `sendfile`. "
        "Figures are the median of the runs, with min and max. Resolve times are measured inside "
        "the child around `resolve()` alone; `curl | tar xz` from process start to exit. Peak RSS "
        "growth is `VmHWM` after resolving minus `VmRSS` before (the high-water mark is reset "
        "through `/proc/self/clear_refs` first).",
        "",
        "## Summary",
        "",
        "| figure | target | status |",
        "|---|---|---|",
        *status_rows,
        "",
        "## Figures",
        "",
    ]
    for fig in figures:
        lines += _markdown_figure(fig)
    notes = REPO / "benchmarks" / "notes.md"
    if notes.exists():
        lines += ["## Analysis", "", notes.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(lines)
