"""N processes resolve one uncached handle at once: downloads and total time."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from pathlib import Path

from benchmarks.harness import (MARKER, TF_HUB_016, TFHUB, child_env, figure, probe_command, remove,
                                row, verdict)


def _once(ctx, subject) -> dict:
    settings, server = ctx.settings, ctx.server
    cache = settings.scratch("concurrent")
    go = cache.parent / f"go-{uuid.uuid4().hex[:8]}"
    handle = server.handle(ctx.models.small, f"concurrent-{uuid.uuid4().hex[:8]}")
    command = probe_command(subject, "resolve", "--handle", handle, "--wait-for", str(go))
    # stderr to a file: a full pipe must not block a child while others start.
    errors = cache.parent / f"{cache.name}.stderr"
    err_file = open(errors, "w+")  # closed in finally
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err_file, text=True,
                                  env=child_env(cache)) for _ in range(settings.processes)]
    try:
        for process in processes:  # every process has imported its library and waits
            line = process.stdout.readline()
            if line.strip() != "READY":
                process.wait(60)
                raise RuntimeError(f"{subject.label}: a resolving process did not start:\n"
                                   + errors.read_text()[-3000:])
        start = time.time()
        go.touch()
        results = []
        for process in processes:
            out, _ = process.communicate(timeout=900)
            if process.returncode != 0:
                raise RuntimeError(f"{subject.label}: a resolving process failed:\n"
                                   + errors.read_text()[-3000:])
            results.append(json.loads(next(l for l in out.splitlines() if l.startswith(MARKER))[len(MARKER):]))
        total = max(r["end_wall"] for r in results) - start
        paths = {r["path"] for r in results}
        complete = all((Path(p) / "saved_model.pb").is_file() for p in paths)
        return {"seconds": total, "downloads": server.gets(handle), "paths": len(paths), "complete": complete}
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        go.unlink(missing_ok=True)
        err_file.close()
        errors.unlink(missing_ok=True)
        remove(cache)


def run(ctx) -> list:
    rows = []
    ok = None
    for subject in (TFHUB, TF_HUB_016):
        if not subject.available:
            continue
        results = [_once(ctx, subject) for _ in range(ctx.settings.repeats if ctx.settings.quick else 3)]
        downloads = [r["downloads"] for r in results]
        rows.append(row(subject.label, [r["seconds"] for r in results], "s",
                        downloads=downloads, same_directory=all(r["paths"] == 1 for r in results),
                        complete=all(r["complete"] for r in results)))
        if subject is TFHUB:
            ok = all(d == 1 for d in downloads) and rows[-1]["same_directory"] and rows[-1]["complete"]
    n = ctx.settings.processes
    return [figure("concurrent_resolve",
                   f"{n} processes resolving one uncached {ctx.settings.small_mb:g} MB handle at once",
                   rows, "exactly one download (GETs counted at the server)", verdict(ok))]
