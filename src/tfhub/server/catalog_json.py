"""The catalog as JSON (``/api/models``, ``/api/models/<handle>``): plain dicts, stable keys.

``handle`` fields are handles without version (``publisher/name``); ``url``
fields are full handles on this server, which tfhub and tensorflow_hub resolve.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Mapping, Optional

from tfhub.server.catalog_query import CatalogAnswer
from tfhub.server.library import CatalogModel


def _version_url(base_url: str, model: CatalogModel, number: str) -> Optional[str]:
    served = model.hosted.get(number)
    return base_url.rstrip("/") + served.url_path if served is not None else None


def summary(model: CatalogModel, base_url: str) -> Dict[str, Any]:
    """A model in a list of results."""
    latest = model.latest()
    doc_version = model.documented_version(latest)
    return {
        "handle": model.handle,
        "publisher": model.publisher,
        "title": model.title,
        "summary": model.doc.summary if model.doc is not None else "",
        "documented": model.doc is not None,
        "hosted": bool(model.hosted),
        "latest_version": latest,
        "format": doc_version.format if doc_version is not None else None,
        "url": _version_url(base_url, model, latest),
        "page": base_url.rstrip("/") + "/" + model.handle,
    }


def search_answer(answer: CatalogAnswer, base_url: str) -> Dict[str, Any]:
    """The answer to ``/api/models?...``."""
    return {
        "query": {"q": answer.query.text, "filters": {k: list(v) for k, v in answer.query.filters.items()},
                  "offset": answer.query.offset, "limit": answer.query.limit},
        "total": answer.total,
        "models": [summary(m, base_url) for m in answer.models],
        "facets": {facet: [{"value": c.value, "display_name": c.display_name, "count": c.count} for c in counts]
                   for facet, counts in answer.facets.items()},
        "hosted_without_document": [summary(m, base_url) for m in answer.undocumented],
    }


def _signatures(description: Any) -> List[Dict[str, Any]]:
    return [{"tags": v.tags, "signatures": {name: dataclasses.asdict(s) for name, s in v.signatures.items()}}
            for v in description.variants]


def detail(model: CatalogModel, base_url: str, descriptions: Mapping[str, Any],
           errors_by_version: Mapping[str, str]) -> Dict[str, Any]:
    """The answer to ``/api/models/<handle>``: every version, with signatures when hosted."""
    latest = model.latest()
    versions = []
    for number in model.version_numbers():
        doc_version = model.documented_version(number)
        entry: Dict[str, Any] = {
            "version": number,
            "latest": number == latest,
            "documented": doc_version is not None,
            "hosted": number in model.hosted,
            "url": _version_url(base_url, model, number),
            "format": doc_version.format if doc_version is not None else None,
            "metadata": {k: list(v) for k, v in doc_version.metadata.items()} if doc_version is not None else {},
        }
        description = descriptions.get(number)
        if description is not None:
            entry["files_format"] = description.format
            entry["size_bytes"] = description.size_bytes
            entry["graph_variants"] = _signatures(description)
        if number in errors_by_version:
            entry["error"] = errors_by_version[number]
        versions.append(entry)
    doc = model.doc
    return {
        **summary(model, base_url),
        "versions": versions,
        "variants": list(doc.variants) if doc is not None else [],
        "variant_of": doc.variant_of if doc is not None else None,
        "collections": list(doc.collections) if doc is not None else [],
    }
