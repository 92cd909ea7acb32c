"""Parsed documents assembled into the catalog: models grouped by handle, variants tied
to their parents, publishers and collections tied to their models."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from tfhub.hubdocs.catalog import Collection, DocTree, Model, ModelVersion, Publisher, split_version
from tfhub.hubdocs.documents import VARIANT_KINDS, Document
from tfhub.hubdocs.vocabularies import Vocabulary

if TYPE_CHECKING:
    from tfhub.hubdocs.loading import DocsLayout

# Facets a variant takes from its parent model when its own document does not set them.
INHERITED_FACETS = ("task", "network-architecture", "dataset", "language", "license", "fine-tunable")
_DEPRECATED = re.compile(r"\bdeprecated\b", re.IGNORECASE)
_TFHUB_LINK = re.compile(r"https?://tfhub\.dev/([\w.&;/-]+)")
_MODELS_HEADING = re.compile(r"^#+\s*models\b", re.IGNORECASE | re.MULTILINE)


def model_key(doc: Document) -> str:
    """The handle without version, as tfhub.dev addressed it: variants get a
    ``<kind>-model/`` segment (``google/tfjs-model/x/1/default``)."""
    if doc.kind in VARIANT_KINDS:
        return f"{doc.publisher}/{doc.kind.lower()}-model/{doc.name}"
    return f"{doc.publisher}/{doc.name}"


def version_of(path: Path, doc: Document) -> ModelVersion:
    if doc.kind == "Module":
        fmt = (doc.values("format") or ("unknown",))[0]
    else:
        fmt = doc.kind.lower()
    return ModelVersion(
        number=doc.version, path=path, kind=doc.kind,
        metadata={key: doc.values(key) for key in doc.metadata},
        summary=doc.description, markdown=doc.body, format=fmt, deprecated=_deprecation(doc))


def _deprecation(doc: Document) -> Optional[str]:
    """The description or heading that says the model is deprecated, if one does."""
    if "eprecated" not in doc.text and "EPRECATED" not in doc.text:  # most documents: skip the scan
        return None
    if _DEPRECATED.search(doc.description):
        return doc.description
    for line in doc.body.split("\n"):
        if line.startswith("#") and _DEPRECATED.search(line):
            return line.lstrip("#").strip()
    return None


def build_tree(layout: "DocsLayout", documents: Sequence[Tuple[Path, Document]],
               vocabularies: Mapping[str, Vocabulary]) -> DocTree:
    """The catalog of ``documents``; documents without a recognised title are skipped,
    and of two documents claiming one handle and version the first (in path order) wins."""
    versions: Dict[str, Dict[int, ModelVersion]] = {}
    firsts: Dict[str, Document] = {}
    publishers: Dict[str, Publisher] = {}
    collection_docs: List[Tuple[Path, Document]] = []
    for path, doc in documents:
        if doc.kind == "Publisher":
            publishers.setdefault(doc.publisher, Publisher(doc.publisher, doc.description, doc.body,
                                                           path, doc.icon_url))
        elif doc.kind == "Collection":
            collection_docs.append((path, doc))
        elif doc.kind is not None:
            key = model_key(doc)
            firsts.setdefault(key, doc)
            versions.setdefault(key, {}).setdefault(doc.version, version_of(path, doc))
    models = {key: _model(key, firsts[key], by_number) for key, by_number in sorted(versions.items())}
    _link_variants(models)
    for model in models.values():
        publishers.setdefault(model.publisher, Publisher(model.publisher, model.publisher, ""))
    for publisher in publishers.values():
        publisher.models = tuple(k for k, m in models.items() if m.publisher == publisher.name)
    collections = _collections(collection_docs, models)
    names = {key: dict(v.names) for key, v in vocabularies.items() if not v.is_url}
    return DocTree(layout.root, models, dict(sorted(publishers.items())), collections, names)


def _model(key: str, first: Document, by_number: Dict[int, ModelVersion]) -> Model:
    ordered = tuple(by_number[n] for n in sorted(by_number))
    return Model(handle=key, publisher=first.publisher, name=first.name, kind=ordered[-1].kind,
                 versions=ordered)


def _link_variants(models: Dict[str, Model]) -> None:
    """Ties each TF.js/Lite/Coral model to its parent and sets every model's facets."""
    children: Dict[str, List[str]] = {}
    for model in models.values():
        parent_handle = model.latest.parent_model
        parent = models.get(split_version(parent_handle)[0]) if parent_handle else None
        if model.kind in VARIANT_KINDS and parent is not None and parent.kind not in VARIANT_KINDS:
            model.variant_of = parent.handle
            children.setdefault(parent.handle, []).append(model.handle)
    for model in models.values():
        model.variants = tuple(children.get(model.handle, ()))
        model.facets = _facets(model, models)


def _facets(model: Model, models: Mapping[str, Model]) -> Dict[str, Tuple[str, ...]]:
    own = model.latest.metadata
    facets = {key: own[key] for key in INHERITED_FACETS if own.get(key)}
    if model.variant_of:
        parent = models[model.variant_of]
        number = model.latest.parent_model.rstrip("/").rpartition("/")[2]
        source = parent.version(int(number)) if number.isdigit() else None
        inherited = (source or parent.latest).metadata
        for key in INHERITED_FACETS:
            if key not in facets and inherited.get(key):
                facets[key] = inherited[key]
    facets["format"] = (model.format,)
    facets["publisher"] = (model.publisher,)
    return facets


def listed_handles(markdown: str) -> List[str]:
    """The tfhub.dev handles (without version) a collection lists: the links after its
    "Models" heading, or all its tfhub.dev links when it has no such heading."""
    heading = _MODELS_HEADING.search(markdown)
    text = markdown[heading.start():] if heading else markdown
    return list(dict.fromkeys(split_version(m.group(1))[0] for m in _TFHUB_LINK.finditer(text)))


def _collections(docs: Sequence[Tuple[Path, Document]], models: Dict[str, Model]) -> Dict[str, Collection]:
    collections: Dict[str, Collection] = {}
    member_of: Dict[str, List[str]] = {}
    for path, doc in docs:
        handle = f"{doc.publisher}/{doc.name}"
        if handle in collections:
            continue
        listed = tuple(h for h in listed_handles(doc.body) if h in models)
        collections[handle] = Collection(handle, doc.publisher, doc.name, doc.description, doc.body, path,
                                         {key: doc.values(key) for key in doc.metadata}, listed)
        for model_handle in listed:
            member_of.setdefault(model_handle, []).append(handle)
    for model_handle, handles in member_of.items():
        models[model_handle].collections = tuple(handles)
    return dict(sorted(collections.items()))
