"""Faults driven from outside the library: kill points and the door's tally (tests only).

tfhub holds no test hook. A test that wants a process to die at a narrow
point of a cache write, or to tally the ways into the cache, starts it with
:func:`env`: ``site/sitecustomize.py`` is then on its path, and at start-up
it calls :func:`install`, which wraps what the library calls from outside:

* ``TFHUB_TEST_KILL_AT=<point>``: the file operations a cache write is made
  of (``os.rename``, ``os.replace``, ``open``, ``os.mkdir``, ``os.open``)
  are watched, and the process SIGKILLs itself at the named point, told apart
  by the names of the cache layout (:mod:`tfhub.resolving.layout`), or
  (``copied``) when a copy into a directory of one's own
  (:func:`tfhub.resolving.local_dir.copy_model`) is complete but not yet renamed;
* ``TFHUB_TEST_DOOR_LOG=<file>``: ``door <handle>`` is appended each time a
  request enters the one door (``resolvers.resolve_request``), and ``outside
  <handle>`` each time an entry is written from anywhere else.
"""

from __future__ import annotations

import builtins
import contextvars
import functools
import os
import pathlib
import signal
from typing import Any, Callable, Dict, Optional

KILL_POINT_ENV = "TFHUB_TEST_KILL_AT"
DOOR_LOG_ENV = "TFHUB_TEST_DOOR_LOG"
# A first write of an entry, in this order.
KILL_POINTS = ("locked", "extracted", "descriptor-temp-written", "descriptor-written", "renamed")
# A new entry replacing a complete old one (`download --force`), in this order.
SWAP_KILL_POINTS = ("extracted", "descriptor-temp-written", "moved-aside", "renamed", "descriptor-written")
# A copy out of the cache (`--local-dir`, the mirror's store into ROOT).
COPY_KILL_POINTS = ("copied",)
SITE_DIR = pathlib.Path(__file__).resolve().parent / "site"

_TEMP = ".tfhub-tmp"
_ASIDE = ".tfhub-aside"
_SWAP_MARKER = ".tfhub-swap"
_DESCRIPTOR = ".descriptor.txt"
_PARTIAL = ".tfhub-partial"


def env(kill_at: Optional[str] = None, door_log: Optional[os.PathLike] = None) -> Dict[str, str]:
    """Environment entries that make a child Python process install these faults."""
    from tests.conftest import REPO_ROOT  # only where a child is started

    entries = {"PYTHONPATH": os.pathsep.join([str(SITE_DIR), str(REPO_ROOT)])}
    if kill_at is not None:
        assert kill_at in KILL_POINTS + SWAP_KILL_POINTS + COPY_KILL_POINTS, kill_at
        entries[KILL_POINT_ENV] = kill_at
    if door_log is not None:
        entries[DOOR_LOG_ENV] = os.fspath(door_log)
    return entries


def install() -> None:
    """Installs what the environment asks for (called by ``site/sitecustomize.py``)."""
    point = os.environ.get(KILL_POINT_ENV)
    if point:
        _install_kill_point(point)
    log = os.environ.get(DOOR_LOG_ENV)
    if log:
        _install_door_log(log)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _is_descriptor_temp(name: str) -> bool:
    return _DESCRIPTOR + "." in name and name.endswith(".tmp")


def _install_kill_point(point: str) -> None:
    """Wraps the file operations so the process dies at ``point`` (see :data:`KILL_POINTS`)."""
    def before(test: Callable[..., bool]) -> Callable[[Callable], Callable]:
        def wrap(real: Callable) -> Callable:
            @functools.wraps(real)
            def watched(*args: Any, **kwargs: Any) -> Any:
                if test(*[os.fspath(a) if isinstance(a, os.PathLike) else a for a in args[:2]]):
                    _die()
                return real(*args, **kwargs)
            return watched
        return wrap

    def after(test: Callable[..., bool]) -> Callable[[Callable], Callable]:
        def wrap(real: Callable) -> Callable:
            @functools.wraps(real)
            def watched(*args: Any, **kwargs: Any) -> Any:
                result = real(*args, **kwargs)
                if test(*[os.fspath(a) for a in args[:2]]):
                    _die()
                return result
            return watched
        return wrap

    def name(path: Any) -> str:
        return os.path.basename(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else ""

    if point == "locked":  # the lock is held: the temp dir is made next
        os.mkdir = before(lambda path, *_: name(path).endswith(_TEMP))(os.mkdir)
    elif point == "extracted":  # the files are in: the descriptor (or the swap marker) is written next
        builtins.open = before(lambda path, mode="r", *_: "w" in str(mode) and _is_descriptor_temp(name(path)))(
            builtins.open)
        os.open = before(lambda path, *_: name(path).endswith(_SWAP_MARKER))(os.open)
    elif point == "descriptor-temp-written":
        os.replace = before(lambda src, dst: _is_descriptor_temp(name(src)))(os.replace)
    elif point == "descriptor-written":
        os.replace = after(lambda src, dst: name(dst).endswith(_DESCRIPTOR))(os.replace)
    elif point == "renamed":
        os.rename = after(lambda src, dst: name(src).endswith(_TEMP))(os.rename)
    elif point == "copied":
        os.rename = before(lambda src, dst: name(src).endswith(_PARTIAL))(os.rename)
    elif point == "moved-aside":
        os.rename = after(lambda src, dst: name(dst).endswith(_ASIDE))(os.rename)
    else:
        raise ValueError(f"{KILL_POINT_ENV}={point!r}: expected one of {KILL_POINTS + SWAP_KILL_POINTS + COPY_KILL_POINTS}")


def _install_door_log(log: str) -> None:
    """Wraps the door and the cache's write so each logs a line."""
    from tfhub.resolving import cache, resolvers  # only in a child that asked

    in_door: "contextvars.ContextVar[bool]" = contextvars.ContextVar("in_door", default=False)

    def write(event: str, handle: object) -> None:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{event} {handle}\n")

    door = resolvers.resolve_request

    @functools.wraps(door)
    def logged_door(request: Any) -> Any:
        token = in_door.set(True)
        try:
            write("door", request.handle)
            return door(request)
        finally:
            in_door.reset(token)

    populate = cache.Entry.populate

    @functools.wraps(populate)
    def logged_populate(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not in_door.get():
            write("outside", self.handle)
        return populate(self, *args, **kwargs)

    resolvers.resolve_request = logged_door
    cache.Entry.populate = logged_populate
