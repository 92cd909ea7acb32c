"""The few file operations inspection needs: local paths with ``os``, others with gfile.

A local model directory (or ``file://``) is read with the standard library, so
describing it needs no TensorFlow; a remote one (``gs://``, ...) goes through
``tf.io.gfile``, imported only then.
"""

from __future__ import annotations

import os
from typing import Any, Iterator

_FILE_SCHEME = "file://"


def is_remote(path: str) -> bool:
    """True for a path with a scheme other than ``file://`` (read with gfile)."""
    return "://" in path and not path.startswith(_FILE_SCHEME)


def _local(path: str) -> str:
    return path[len(_FILE_SCHEME):] if path.startswith(_FILE_SCHEME) else path


def _gfile() -> Any:
    from tfhub._tf import tensorflow  # gfile only for remote paths

    return tensorflow().io.gfile


def exists(path: str) -> bool:
    return bool(_gfile().exists(path)) if is_remote(path) else os.path.exists(_local(path))


def isdir(path: str) -> bool:
    return bool(_gfile().isdir(path)) if is_remote(path) else os.path.isdir(_local(path))


def read_bytes(path: str) -> bytes:
    if is_remote(path):
        with _gfile().GFile(path, "rb") as f:
            return f.read()
    with open(_local(path), "rb") as f:
        return f.read()


def walk_files(top: str) -> Iterator[str]:
    """Every file under ``top``, symlinked directories followed (as gfile does), each directory once."""
    if is_remote(top):
        gfile = _gfile()
        for dirpath, _, filenames in gfile.walk(top):
            for filename in filenames:
                yield os.path.join(dirpath, filename)
        return
    local_top, seen = _local(top), set()
    for dirpath, dirnames, filenames in os.walk(local_top, followlinks=True):
        stat = os.stat(dirpath)
        if (stat.st_dev, stat.st_ino) in seen:  # a symlink loop: been here
            dirnames[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        for filename in filenames:  # spelled as `top` was (file:// kept)
            yield top + os.path.join(dirpath, filename)[len(local_top):]


def size(path: str) -> int:
    """The file's size in bytes (0 for a dangling symlink)."""
    if is_remote(path):
        return int(_gfile().stat(path).length)
    try:
        return os.stat(_local(path)).st_size
    except FileNotFoundError:
        return 0
