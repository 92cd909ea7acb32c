"""What the catalog knows: the documentation tree joined with the models hosted here.

A model is known by its handle without version (``publisher/name``). It may be
documented (a :class:`tfhub.hubdocs.Model` of the ``--docs`` tree), hosted (model
directories ``ROOT/publisher/name/<version>``), or both. This module only joins
the two; parsing and searching the documents is :mod:`tfhub.hubdocs`' job.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from tfhub.hubdocs.catalog import split_version
from tfhub.server.discovery import ModelRoot, ServedModel

DOCS_DIRNAME = "docs"  # ROOT/docs is read as the documentation tree when --docs is not given
_HOSTED_TTL_SECONDS = 2.0  # how long a walk of ROOT is reused: pages and searches come in bursts


@dataclasses.dataclass(frozen=True)
class CatalogModel:
    """One model as the catalog shows it."""

    handle: str  # "publisher/name", no version
    doc: Optional[Any]  # tfhub.hubdocs.Model, None when only hosted
    hosted: Mapping[str, ServedModel]  # version ("1", or "" for an unversioned path) -> model dir

    @property
    def publisher(self) -> str:
        return self.doc.publisher if self.doc is not None else self.handle.split("/", 1)[0]

    @property
    def title(self) -> str:
        return self.doc.title if self.doc is not None else self.handle.split("/", 1)[-1]

    def version_numbers(self) -> List[str]:
        """Every version, documented or hosted, ascending (numbers first, by value)."""
        numbers = {str(v.number) for v in self.doc.versions} if self.doc is not None else set()
        numbers.update(self.hosted)
        return sorted(numbers, key=_version_key)

    def latest(self) -> str:
        """The documented latest version, else the highest hosted one."""
        if self.doc is not None:
            return str(self.doc.latest.number)
        numbers = self.version_numbers()
        return numbers[-1] if numbers else ""

    def documented_version(self, number: str) -> Optional[Any]:
        """The :class:`tfhub.hubdocs.ModelVersion` of ``number``, if documented."""
        if self.doc is None:
            return None
        return self.doc.version(int(number)) if number.isdigit() else None


def _version_key(number: str) -> Tuple[int, int, str]:
    return (0, int(number), "") if number.isdigit() else (1, 0, number)


def collection_path(handle: str) -> str:
    """A collection's URL path, as on tfhub.dev: ``acme/toolkit`` -> ``acme/collections/toolkit``."""
    publisher, _, name = handle.partition("/")
    return f"{publisher}/collections/{name}"


def collection_key(url_path: str) -> str:
    """The collection handle a URL path names (``acme/collections/toolkit[/1]`` -> ``acme/toolkit``), or ``""``."""
    segments = url_path.strip("/").split("/")
    if len(segments) >= 3 and segments[1] == "collections":
        name = segments[2:-1] if len(segments) > 3 and segments[-1].isdigit() else segments[2:]
        return "/".join([segments[0], *name])
    return ""


def find_docs(root: Path, docs: Optional[Path]) -> Optional[Path]:
    """The documentation tree to read: ``--docs``, else ``ROOT/docs`` when it exists."""
    if docs is not None:
        return Path(docs)
    candidate = Path(root) / DOCS_DIRNAME
    return candidate if candidate.is_dir() else None


def load_docs(directory: Optional[Path]) -> Optional[Any]:
    """The :class:`tfhub.hubdocs.DocTree` of ``directory`` (None for no docs).

    Raises:
        DocsNotFoundError: ``directory`` is not a directory.
    """
    if directory is None:
        return None
    from tfhub.hubdocs import load_tree  # only servers with docs need it

    return load_tree(Path(directory))


class Library:
    """The documented and the hosted models of one server."""

    def __init__(self, root: ModelRoot, tree: Optional[Any]):
        self.root = root
        self.tree = tree
        self._hosted: Dict[str, Dict[str, ServedModel]] = {}
        self._hosted_at = float("-inf")

    def hosted(self) -> Dict[str, Dict[str, ServedModel]]:
        """handle -> version -> model directory, from a walk of ROOT (reused briefly)."""
        now = time.monotonic()
        if now - self._hosted_at > _HOSTED_TTL_SECONDS:
            found: Dict[str, Dict[str, ServedModel]] = {}
            for model in self.root.models():
                handle, version = split_version(model.url_path)
                found.setdefault(handle, {})[version] = model
            self._hosted, self._hosted_at = found, now
        return self._hosted

    def model(self, handle: str) -> Optional[CatalogModel]:
        """The model of ``handle`` (no version), documented or hosted; None if neither."""
        handle = handle.strip("/")
        doc = self.tree.models.get(handle) if self.tree is not None else None
        hosted = self.hosted().get(handle, {})
        if doc is None and not hosted:
            return None
        return CatalogModel(handle=handle, doc=doc, hosted=hosted)

    def undocumented(self, query: str = "") -> List[CatalogModel]:
        """Hosted models without a document whose handle contains ``query`` (any case)."""
        documented = self.tree.models if self.tree is not None else {}
        words = query.lower().split()
        return [CatalogModel(handle=h, doc=None, hosted=v) for h, v in sorted(self.hosted().items())
                if h not in documented and all(w in h.lower() for w in words)]
