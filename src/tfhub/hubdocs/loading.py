"""From a directory on disk to a :class:`DocTree`: find the parts, read every document."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple, Union

from tfhub import errors
from tfhub.hubdocs.building import build_tree
from tfhub.hubdocs.catalog import DocTree
from tfhub.hubdocs.documents import Document, Flaw, parse_document
from tfhub.hubdocs.vocabularies import load_vocabularies


@dataclass(frozen=True)
class DocsLayout:
    """Where a tree's documents and tag vocabularies are."""

    root: Path                  # the directory given
    docs_dir: Path              # holds <publisher>/ directories
    tags_dir: Optional[Path]    # holds tags/*.yaml, when the tree has one


def locate(path: Union[str, Path]) -> DocsLayout:
    """The layout of ``path``: a tree root (``assets/docs/`` and ``tags/`` inside) or a
    docs directory itself, whose vocabularies are then looked for in ``tags/`` beside it
    or two levels up (``ROOT/assets/docs`` -> ``ROOT/tags``).

    Raises:
        DocsNotFoundError: ``path`` is not a directory.
    """
    path = Path(path)
    if not path.is_dir():
        raise errors.DocsNotFoundError(f"{path} is not a directory; give the documentation tree's root "
                                       "(holding assets/docs/ and tags/) or its docs directory.")
    if (path / "assets" / "docs").is_dir():
        return DocsLayout(path, path / "assets" / "docs", _dir_or_none(path / "tags"))
    return DocsLayout(path, path, _dir_or_none(path / "tags") or _dir_or_none(path.parent.parent / "tags"))


def _dir_or_none(path: Path) -> Optional[Path]:
    return path if path.is_dir() else None


ReadDocument = Tuple[Path, Document]


def read_documents(layout: DocsLayout) -> Tuple[List[ReadDocument], List[Tuple[Path, Flaw]]]:
    """Every ``*.md`` under the docs directory parsed, in path order, and the files that
    could not be read (or are not markdown) as flaws."""
    documents, unreadable = [], []
    for path in _files(layout):
        if path.suffix != ".md":
            unreadable.append((path, Flaw(0, "file-name", "not a markdown document: documentation files end in .md")))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            unreadable.append((path, Flaw(0, "unreadable", f"cannot be read as UTF-8 text ({errors.one_line(exc)})")))
            continue
        documents.append((path, parse_document(text)))
    return documents, unreadable


def _files(layout: DocsLayout) -> List[Path]:
    """Every file under the docs directory but hidden ones and a ``tags/`` inside it."""
    tags = layout.tags_dir if layout.tags_dir and layout.tags_dir.parent == layout.docs_dir else None
    found = []
    for dirpath, dirnames, filenames in os.walk(layout.docs_dir):
        top = Path(dirpath) == layout.docs_dir
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (top and tags and d == tags.name))
        found.extend(Path(dirpath, f) for f in sorted(filenames) if not f.startswith("."))
    return found


def load_tree(path: Union[str, Path]) -> DocTree:
    """The documentation tree at ``path``, indexed for search.

    Documents that do not follow the format are left out where they cannot be placed
    (no recognisable title line); `tfhub validate-docs` lists why.

    Raises:
        DocsNotFoundError: ``path`` is not a directory.
        DocsError: a tag vocabulary cannot be read.
        ExtraMissingError: PyYAML (part of ``tfhub[serve]``) is not installed.
    """
    layout = locate(path)
    vocabularies = load_vocabularies(layout.tags_dir)
    documents, _ = read_documents(layout)
    return build_tree(layout, documents, vocabularies)
