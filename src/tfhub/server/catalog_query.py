"""A catalog search as asked in a query string, and its answer; shared by pages and API.

The query string is the whole state of a view (``?q=bert&task=text-embedding&offset=50``),
so every page of results is a shareable URL and the JSON API takes the same names.
"""

from __future__ import annotations

import dataclasses
import urllib.parse
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from tfhub import errors
from tfhub.server.library import CatalogModel, Library

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_PLAIN_KEYS = ("q", "offset", "limit")


@dataclasses.dataclass(frozen=True)
class CatalogQuery:
    """Words, facet filters (facet -> wanted values) and the page of results."""

    text: str = ""
    filters: Mapping[str, Tuple[str, ...]] = dataclasses.field(default_factory=dict)
    offset: int = 0
    limit: int = DEFAULT_LIMIT

    def query_string(self, **changes: Any) -> str:
        """This view's query string with ``changes`` (a filter value None drops it)."""
        pairs: List[Tuple[str, str]] = []
        text = changes.get("text", self.text)
        if text:
            pairs.append(("q", text))
        filters = dict(changes.get("filters", self.filters))
        for facet in sorted(filters):
            pairs += [(facet, value) for value in filters[facet]]
        offset = changes.get("offset", self.offset)
        if offset:
            pairs.append(("offset", str(offset)))
        if self.limit != DEFAULT_LIMIT:
            pairs.append(("limit", str(self.limit)))
        return "?" + urllib.parse.urlencode(pairs) if pairs else ""

    def toggled(self, facet: str, value: str) -> "CatalogQuery":
        """The same view with ``facet=value`` added, or removed when present; back to page one."""
        wanted = list(self.filters.get(facet, ()))
        wanted = [v for v in wanted if v != value] if value in wanted else [*wanted, value]
        filters = {k: v for k, v in self.filters.items() if k != facet}
        if wanted:
            filters[facet] = tuple(wanted)
        return dataclasses.replace(self, filters=filters, offset=0)


@dataclasses.dataclass(frozen=True)
class CatalogAnswer:
    """One page of documented models, the facet counts, and hosted models without a document."""

    query: CatalogQuery
    total: int
    models: Sequence[CatalogModel]
    facets: Mapping[str, Sequence[Any]]  # facet -> [tfhub.hubdocs FacetCount]
    undocumented: Sequence[CatalogModel]


def _whole_number(key: str, raw: str, default: int, upper: int) -> int:
    if raw == "":
        return default
    if not raw.isdigit() or int(raw) > upper:
        raise errors.SearchQueryError(
            f"{key}={raw!r} is not a whole number from 0 to {upper}; e.g. ?{key}={default}.")
    return int(raw)


def parse_query(params: Sequence[Tuple[str, str]], facet_names: Sequence[str]) -> CatalogQuery:
    """The query a request's parameters ask for.

    Raises:
        SearchQueryError: a parameter that is neither ``q``, ``offset``, ``limit``
            nor a facet, or an offset or limit that is not a small whole number.
    """
    filters: Dict[str, List[str]] = {}
    plain: Dict[str, str] = {}
    for key, value in params:
        if key in _PLAIN_KEYS:
            plain[key] = value.strip()
        elif key in facet_names:
            if value and value not in filters.setdefault(key, []):
                filters[key].append(value)
        else:
            raise errors.SearchQueryError(
                f"The catalog has no filter {key!r}; filter by one of {', '.join(facet_names) or '(none)'}, "
                f"or search words with ?q=...")
    limit = _whole_number("limit", plain.get("limit", ""), DEFAULT_LIMIT, MAX_LIMIT)
    if limit < 1:
        raise errors.SearchQueryError(f"limit={limit} shows nothing; ask for 1 to {MAX_LIMIT} models.")
    return CatalogQuery(text=plain.get("q", ""), filters={k: tuple(v) for k, v in filters.items() if v},
                        offset=_whole_number("offset", plain.get("offset", ""), 0, 10**9),
                        limit=limit)


def facet_names(library: Library) -> List[str]:
    """The facets the documentation tree offers (none without one)."""
    if library.tree is None:
        return []
    from tfhub.hubdocs import FACETS  # only with docs

    return list(FACETS)


def run_query(library: Library, query: CatalogQuery) -> CatalogAnswer:
    """Searches the documents; hosted models without one match by their handle's words."""
    undocumented = library.undocumented(query.text) if not query.filters else []
    if library.tree is None:
        return CatalogAnswer(query, 0, [], {}, undocumented)
    result = library.tree.search(query=query.text, filters={k: list(v) for k, v in query.filters.items()},
                                 offset=query.offset, limit=query.limit)
    models = [library.model(doc.handle) or CatalogModel(doc.handle, doc, {}) for doc in result.models]
    return CatalogAnswer(query, result.total, models, result.facets, undocumented)


def facet_label(facet: str) -> str:
    """``network-architecture`` -> ``Network architecture``."""
    return facet.replace("-", " ").replace("_", " ").capitalize()


def display_name(library: Library, facet: str, value: str) -> str:
    """A metadata value as the tree's vocabularies name it (the value itself without a tree)."""
    return library.tree.display_name(facet, value) if library.tree is not None else value
