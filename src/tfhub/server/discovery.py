"""Which model directories live under the served root, and what a URL path names.

A URL path maps to ``ROOT/<path>``. Nothing outside ROOT is ever named: ``..``
segments are refused before the filesystem is touched, and the real path
(symlinks followed) must still lie under ROOT's real path.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path
from typing import Iterator, List, Tuple

from tfhub import errors, files
from tfhub.formats.detect import MODULE_DEF_FILENAME, find_saved_model_file

_FORBIDDEN_IN_SEGMENT = ("\\", "\x00")


@dataclasses.dataclass(frozen=True)
class ServedModel:
    """A model directory under the root, and its URL path (the handle's path)."""

    url_path: str  # "/publisher/model/1", no trailing slash
    directory: Path

    @property
    def is_tf1_hub_format(self) -> bool:
        return (self.directory / MODULE_DEF_FILENAME).exists()


def is_model_directory(directory: Path) -> bool:
    """True when ``directory`` holds a SavedModel (either format)."""
    return directory.is_dir() and find_saved_model_file(str(directory)) is not None


def _segments(url_path: str) -> List[str]:
    """The path's segments, refusing those that could climb out of the root.

    Raises:
        ServedPathError: a segment is ``..`` or holds a backslash or NUL.
    """
    segments = [s for s in url_path.split("/") if s not in ("", ".")]
    for segment in segments:
        if segment == ".." or any(c in segment for c in _FORBIDDEN_IN_SEGMENT):
            raise errors.ServedPathError(
                f"The path {url_path!r} leaves the served root (it holds {segment!r}); "
                "ask for a model by its path under the root, e.g. /publisher/model/1."
            )
    return segments


class ModelRoot:
    """The directory ``tfhub serve`` serves."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise errors.ServedModelNotFoundError(
                f"{root} is not a directory; give `tfhub serve` a directory that holds model directories."
            )

    def locate(self, url_path: str) -> ServedModel:
        """The model a URL path names.

        Raises:
            ServedPathError: the path leaves the root (``..``, or a symlink out).
            ServedModelNotFoundError: nothing is there, or a directory that holds
                no SavedModel.
        """
        segments = _segments(url_path)
        candidate = self.root.joinpath(*segments)
        real = Path(os.path.realpath(candidate))
        if real != self.root and self.root not in real.parents:
            raise errors.ServedPathError(f"The path {url_path!r} resolves outside the served root.")
        clean = "/" + "/".join(segments)
        try:
            exists = real.exists()
            is_model = exists and is_model_directory(real)
        except OSError:  # e.g. ENAMETOOLONG: nothing can live at such a path
            exists = is_model = False
        if not exists:
            raise errors.ServedModelNotFoundError(
                f"No model at {clean[:200]!r}: nothing by that path under the served root. "
                "The catalog at / lists every model."
            )
        if not is_model:
            raise errors.ServedModelNotFoundError(
                f"{clean!r} is not a model directory: it holds neither saved_model.pb nor "
                "saved_model.pbtxt. Ask for a model's own directory; the catalog at / lists them."
            )
        return ServedModel(url_path=clean, directory=real)

    def models(self) -> List[ServedModel]:
        """Every model directory under the root, sorted by URL path.

        Hidden directories are skipped, and so is everything inside a model.
        """
        found = []
        for directory in self._walk_model_dirs():
            relative = directory.relative_to(self.root).as_posix()
            found.append(ServedModel(url_path="/" + relative, directory=directory))
        return sorted(found, key=lambda m: m.url_path)

    def _walk_model_dirs(self) -> Iterator[Path]:
        for dirpath, dirnames, _ in os.walk(self.root):
            directory = Path(dirpath)
            if directory != self.root and is_model_directory(directory):
                dirnames.clear()
                yield directory
                continue
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))


def _tree_stats(directory: Path) -> Iterator[Tuple[str, int, int]]:
    for relative, full in files.walk(directory, dir_links=False):
        try:
            stat = os.stat(full)
        except FileNotFoundError:  # removed while we looked: a change like any other
            continue
        yield relative, stat.st_size, stat.st_mtime_ns


def file_sizes(directory: Path) -> List[Tuple[str, int]]:
    """(relative path, bytes) of every file of a model directory, sorted by path."""
    return [(relative, size) for relative, size, _ in _tree_stats(directory)]


def fingerprint(directory: Path) -> Tuple[str, int]:
    """(hex digest, total bytes) of a model directory's names, sizes and times.

    Any file added, removed, resized or rewritten changes the digest, which is
    how the archive cache and the catalog know a model changed.
    """
    digest = hashlib.sha1()
    total = 0
    for relative, size, mtime_ns in _tree_stats(directory):
        digest.update(f"{relative}\0{size}\0{mtime_ns}\n".encode("utf-8", "surrogateescape"))
        total += size
    return digest.hexdigest(), total

