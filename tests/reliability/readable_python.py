"""A Python interpreter and environment that an unprivileged user can read.

The permission tests run a resolve as user ``nobody``. Dropping privileges inside
a root process that has imported what it needs is not enough: any module a
dependency imports late (a codec, a platform helper) is then read as ``nobody``,
and the interpreter's standard library may live where that user cannot read
(here, under root's home). Guessing those imports breaks with each release.

So the unprivileged process gets an interpreter of its own: the base
installation's binary, shared library and standard library, plus tfhub and the
closure of its dependencies (with the ``fast`` extra), linked or copied into a
world-readable directory in the same layout, so the interpreter finds its prefix
by itself. The process then starts as ``nobody`` from its first instruction.
"""

from __future__ import annotations

import importlib.metadata as metadata
import os
import shutil
import sys
import sysconfig
from pathlib import Path

from packaging.requirements import Requirement

from tests.conftest import REPO_ROOT

_NOT_NEEDED = shutil.ignore_patterns("site-packages", "test", "tests", "idlelib", "tkinter",
                                     "turtledemo", "ensurepip", "lib2to3")


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link to a world-readable file (fast, no space), else a world-readable copy.

    A link shares the original's inode, so its mode is never changed here."""
    if os.stat(src).st_mode & 0o004:
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)
    os.chmod(dst, 0o755 if os.access(src, os.X_OK) else 0o644)


def _distribution_closure(root: str, extras: tuple[str, ...]) -> list[metadata.Distribution]:
    """The installed distribution ``root`` and every distribution it needs, transitively."""
    seen: dict[str, metadata.Distribution] = {}
    pending = [(root, extras)]
    while pending:
        name, wanted = pending.pop()
        dist = metadata.distribution(name)
        key = dist.metadata["Name"].lower()
        if key in seen:
            continue
        seen[key] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in ("", *wanted)):
                pending.append((req.name, tuple(req.extras)))
    return list(seen.values())


def _copy_distribution(dist: metadata.Distribution, site: Path) -> None:
    """Places a distribution's files (those under site-packages) in ``site``."""
    for file in dist.files or []:
        if file.parts[0] == ".." or file.suffix == ".pth":
            continue  # scripts outside site-packages; the editable finder of tfhub itself
        source = Path(str(file.locate()))
        if source.is_file():
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                _link_or_copy(str(source), str(target))


def build(dest: Path) -> Path:
    """Lays out the readable environment under ``dest``; returns its interpreter."""
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "bin").mkdir()
    interpreter = dest / "bin" / version
    _link_or_copy(os.path.realpath(base / "bin" / version), str(interpreter))
    libdir = Path(sysconfig.get_config_var("LIBDIR") or base / "lib")
    (dest / "lib").mkdir()
    for shared in libdir.glob("libpython*.so*"):
        _link_or_copy(str(shared), str(dest / "lib" / shared.name))
    shutil.copytree(base / "lib" / version, dest / "lib" / version, ignore=_NOT_NEEDED,
                    copy_function=_link_or_copy)
    site = dest / "lib" / version / "site-packages"
    site.mkdir()
    for dist in _distribution_closure("tfhub", ("fast",)):
        _copy_distribution(dist, site)
    shutil.copytree(REPO_ROOT / "src" / "tfhub", site / "tfhub", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"), copy_function=_link_or_copy)
    _link_or_copy(str(REPO_ROOT / "tests" / "reliability" / "unprivileged_resolve.py"),
                  str(dest / "unprivileged_resolve.py"))
    for path in [dest, *dest.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)  # new directories only: linked files keep their own modes
    return interpreter


def environment(dest: Path) -> dict[str, str]:
    """The environment the interpreter of ``build(dest)`` runs in: the loader finds its
    shared library there, and nothing of the caller's virtual environment leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["LD_LIBRARY_PATH"] = str(dest / "lib")
    env["HOME"] = str(dest)
    return env
