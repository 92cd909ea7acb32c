"""What a documentation tree describes: models and their versions, publishers, collections."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection as CollectionOf, Dict, Mapping, Optional, Tuple

from tfhub.hubdocs.search import SearchIndex, SearchResult

# The format facet's values: a Module's own `format` tag, else its document kind.
FORMAT_NAMES = {
    "saved_model_2": "TF2 SavedModel",
    "hub": "TF1 Hub format",
    "saved_model": "TF1 SavedModel",
    "tfjs": "TF.js",
    "lite": "TFLite",
    "coral": "Coral",
    "placeholder": "Placeholder",
}


def split_version(path: str) -> Tuple[str, str]:
    """``google/x/3`` (slashes around it allowed) -> (``google/x``, ``"3"``); no version number last: (path, ``""``).

    The one place a handle or URL path is split into model and version.
    """
    path = path.strip("/")
    head, _, last = path.rpartition("/")
    return (head, last) if head and last.isdigit() else (path, "")


@dataclass(frozen=True)
class ModelVersion:
    """One ``<version>.md``: its metadata, text and format."""

    number: int
    path: Path
    kind: str                                     # Module, Placeholder, Lite, Tfjs, Coral
    metadata: Mapping[str, Tuple[str, ...]]       # e.g. {"task": ("image-feature-vector",)}
    summary: str                                  # the short description, plain text
    markdown: str                                 # the body after the metadata block
    format: str                                   # a key of FORMAT_NAMES
    deprecated: Optional[str] = None              # the text that says so, when the document does

    @property
    def asset_path(self) -> Optional[str]:
        values = self.metadata.get("asset-path", ())
        return values[0] if values else None

    @property
    def parent_model(self) -> Optional[str]:
        """The ``parent-model`` handle with its version (``google/x/1``), for variants."""
        values = self.metadata.get("parent-model", ())
        return values[0] if values else None


@dataclass
class Model:
    """A model handle without version: all versions of one document path.

    TF.js, TFLite and Coral deployments are models of their own, keyed as tfhub.dev
    addressed them (``google/tfjs-model/x/1/default``), with ``variant_of`` naming the
    parent model's handle.
    """

    handle: str
    publisher: str
    name: str                                     # the handle's path after the publisher, as titled
    kind: str
    versions: Tuple[ModelVersion, ...] = ()
    variants: Tuple[str, ...] = ()
    variant_of: Optional[str] = None
    collections: Tuple[str, ...] = ()
    # The facet values search filters on: the latest version's tags, a variant's
    # missing ones taken from its parent's version.
    facets: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)

    @property
    def latest(self) -> ModelVersion:
        return self.versions[-1]

    @property
    def title(self) -> str:
        return self.name

    @property
    def summary(self) -> str:
        return self.latest.summary

    @property
    def format(self) -> str:
        return self.latest.format

    def version(self, number: int) -> Optional[ModelVersion]:
        return next((v for v in self.versions if v.number == number), None)


@dataclass
class Publisher:
    name: str
    title: str
    markdown: str
    path: Optional[Path] = None
    icon_url: Optional[str] = None
    models: Tuple[str, ...] = ()


@dataclass
class Collection:
    handle: str          # publisher/name, without version
    publisher: str
    title: str
    summary: str
    markdown: str
    path: Path
    metadata: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    models: Tuple[str, ...] = ()   # the listed handles that name models of the tree, in listed order


@dataclass
class DocTree:
    """A loaded documentation tree, with its search index built once."""

    root: Path
    models: Dict[str, Model]
    publishers: Dict[str, Publisher]
    collections: Dict[str, Collection]
    vocabularies: Dict[str, Dict[str, str]]     # facet -> id -> display name
    index: SearchIndex = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = SearchIndex(self)

    def search(self, query: str = "", filters: Optional[Mapping[str, CollectionOf[str]]] = None,
               offset: int = 0, limit: int = 50) -> SearchResult:
        """Models matching every word of ``query`` (a prefix of a word of their handle,
        title or overview) and, per facet in ``filters``, any of its values.

        Raises:
            SearchQueryError: an unknown facet, a negative offset or a limit below 1.
        """
        return self.index.search(query, filters or {}, offset, limit)

    def display_name(self, facet: str, value: str) -> str:
        """How a facet value is shown (``image-feature-vector`` -> ``Image feature vector``)."""
        if facet == "format":
            return FORMAT_NAMES.get(value, value)
        if facet == "publisher":
            publisher = self.publishers.get(value)
            return publisher.title if publisher and publisher.title else value
        if facet == "fine-tunable":
            return {"true": "Fine-tunable", "false": "Not fine-tunable"}.get(value, value)
        return self.vocabularies.get(facet, {}).get(value, value)

    def lookup(self, handle: str) -> Optional[Tuple[Model, ModelVersion]]:
        """The model and version a URL path names: ``google/x/3`` is version 3 of
        ``google/x``, ``google/x`` its latest; None when the tree has neither."""
        model = self.models.get(handle.strip("/"))
        if model is not None:
            return model, model.latest
        head, number = split_version(handle)
        model = self.models.get(head) if number else None
        version = model.version(int(number)) if model is not None else None
        return (model, version) if version is not None else None
