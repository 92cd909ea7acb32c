"""Helpers of the reliability suite: models, resolving subprocesses, cache checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional


from tests.conftest import REPO_ROOT, pack_bytes
from tfhub.resolving import cache as cache_lib
from tfhub.resolving import handles, locks

RESOLVE_SCRIPT = "import sys, tfhub; print(tfhub.resolve(sys.argv[1]))"


def write_model(root: Path, sizes: Dict[str, int]) -> Dict[str, bytes]:
    """Files of random bytes under ``root`` (name -> size); returns name -> bytes."""
    files = {}
    for name, size in sizes.items():
        data = os.urandom(size)
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
        files[name] = data
    return files


def model_archive(root: Path, sizes: Dict[str, int]) -> tuple:
    """(files, tar.gz bytes) of a model-shaped directory of random files."""
    files = write_model(root, sizes)
    return files, pack_bytes(root)


def spawn_resolve(handle: str, cache_dir: Path, extra_env: Optional[Dict[str, str]] = None,
                  script: str = RESOLVE_SCRIPT, python: str = sys.executable) -> subprocess.Popen:
    """A real process resolving ``handle`` into ``cache_dir``."""
    env = dict(os.environ, TFHUB_CACHE_DIR=str(cache_dir), PYTHONPATH=str(REPO_ROOT))
    env.update(extra_env or {})
    return subprocess.Popen([python, "-c", script, handle], env=env, cwd=str(REPO_ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_interruptible)


def _interruptible() -> None:
    """SIGINT at its default in the child, as from a terminal: a runner started in the
    background (``cmd &`` without job control) ignores it, the children inherit that,
    and Python then never raises KeyboardInterrupt, so the Ctrl-C tests would hang."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def lock_is_free(cache_dir: Path, handle: str) -> bool:
    """True when nobody holds the entry's lock (nobody would make a resolver wait)."""
    entry = cache_lib.Cache(cache_dir).entry(handle)
    if (cache_dir / (entry.key + ".lock")).exists():
        return False  # a tensorflow_hub lock file left behind
    return not os.path.exists(entry.lock_path) or locks.is_free(entry.lock_path)


def temp_leftovers(cache_dir: Path) -> List[str]:
    """Temp dirs, entries moved aside and half-written files in the cache, ours or tensorflow_hub's."""
    if not cache_dir.exists():
        return []
    return sorted(p.name for p in cache_dir.iterdir()
                  if p.name.endswith((".tfhub-tmp", ".tmp", ".tfhub-aside", ".pending")) or ".tmp" in p.name)


def entry_problem(cache_dir: Path, handle: str, files: Dict[str, bytes]) -> Optional[str]:
    """Why the handle's entry is not exactly ``files`` with a matching manifest, or None."""
    entry = cache_lib.Cache(cache_dir).entry(handle)
    problem = entry.problem()
    if problem:
        return problem
    descriptor = entry.descriptor()
    if descriptor is None or descriptor.manifest is None:
        return "no manifest in the descriptor"
    if dict(descriptor.manifest.sizes) != {name: len(data) for name, data in files.items()}:
        return f"manifest {descriptor.manifest} does not list the model's files"
    for name, data in files.items():
        if (Path(entry.directory) / name).read_bytes() != data:
            return f"{name} differs from the served model"
    return None


def half_entry(cache_dir: Path, handle: str) -> Optional[str]:
    """What is wrong when an entry directory exists but is not complete (None otherwise)."""
    entry = cache_lib.Cache(cache_dir).entry(handle)
    if not os.path.exists(entry.directory):
        return None
    return entry.problem()


def cache_key(handle: str) -> str:
    return handles.cache_key(handle)
