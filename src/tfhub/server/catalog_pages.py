"""HTML of the catalog's lists: search results with facets, publishers, collections.

Every link a view offers (a filter, the next page) is a plain URL with the whole
state in its query string, so views are shareable and work without JavaScript.
Every value from documents or files is escaped; documents' markdown is rendered
by :func:`tfhub.hubdocs.render_markdown`, which returns sanitised HTML.
"""

from __future__ import annotations

import urllib.parse
from typing import Any, Iterable, List, Sequence

from tfhub.server.catalog_query import CatalogAnswer, CatalogQuery, display_name, facet_label
from tfhub.server.library import CatalogModel, Library
from tfhub.server.page_shell import escape, page


def _format_label(library: Library, model: CatalogModel) -> str:
    """The document's format, else what the latest hosted files are."""
    if model.doc is not None:
        return display_name(library, "format", model.doc.format)
    served = model.hosted[model.latest()]
    return "TF1 Hub format" if served.is_tf1_hub_format else "SavedModel"


def _model_item(library: Library, model: CatalogModel) -> str:
    hosted = [n for n in model.version_numbers() if n in model.hosted]
    if hosted:
        links = ", ".join(f'<a href="{escape(model.hosted[n].url_path)}">{escape(n or "files")}</a>' for n in hosted)
        status = f'<span class="badge">hosted here</span> <span class="hosted-versions">version {links}</span>'
    else:
        status = '<span class="badge absent">not hosted here</span>'
    summary = model.doc.summary if model.doc is not None else "No document: described from its files."
    return (f'<li class="model"><a href="/{escape(model.handle)}"><strong>{escape(model.title)}</strong></a> '
            f'<span class="badge format">{escape(_format_label(library, model))}</span> {status}'
            f'<div><code>{escape(model.handle)}</code> · publisher '
            f'<a href="/{escape(model.publisher)}">{escape(model.publisher)}</a></div>'
            f'<p class="summary">{escape(summary)}</p></li>')


def model_list(library: Library, models: Iterable[CatalogModel]) -> str:
    items = "".join(_model_item(library, m) for m in models)
    return f'<ol class="models">{items}</ol>' if items else ""


def _facet_box(library: Library, query: CatalogQuery, facet: str, counts: Sequence[Any]) -> str:
    chosen = set(query.filters.get(facet, ()))
    # Choosing a value keeps the view and adds one pair: the common part is encoded once
    # (a big tree has hundreds of values, each a link).
    first_page = "/" + query.query_string(offset=0)
    joiner = "&" if "?" in first_page else "?"
    items = []
    for count in counts:
        on = count.value in chosen
        if on:
            href = "/" + query.toggled(facet, count.value).query_string()
        else:
            href = first_page + joiner + urllib.parse.urlencode([(facet, count.value)])
        label = count.display_name or display_name(library, facet, count.value)
        items.append(f'<li><a class="{"on" if on else ""}" href="{escape(href)}" '
                     f'data-facet="{escape(facet)}" data-value="{escape(count.value)}">'
                     f'{"✓ " if on else ""}{escape(label)}</a> <span class="count">({count.count})</span></li>')
    if not items:
        return ""
    opened = " open" if chosen or len(items) <= 8 else ""
    return (f'<details class="facet" data-facet="{escape(facet)}"{opened}>'
            f'<summary>{escape(facet_label(facet))}</summary><ul>{"".join(items)}</ul></details>')


def _pager(answer: CatalogAnswer) -> str:
    query, links = answer.query, []
    if query.offset > 0:
        links.append(f'<a rel="prev" href="/{escape(query.query_string(offset=max(0, query.offset - query.limit)))}">'
                     "← previous</a>")
    if query.offset + query.limit < answer.total:
        links.append(f'<a rel="next" href="/{escape(query.query_string(offset=query.offset + query.limit))}">'
                     "next →</a>")
    return f'<nav class="pages">{"".join(links)}</nav>' if links else ""


def search_page(library: Library, answer: CatalogAnswer) -> str:
    """The home page: the search box, facets with counts, one page of models."""
    query = answer.query
    facets = "".join(_facet_box(library, query, f, counts) for f, counts in answer.facets.items())
    shown = f"{query.offset + 1}–{query.offset + len(answer.models)} of " if answer.models else ""
    heading = (f'<p class="total" data-total="{answer.total}">{shown}{answer.total} documented '
               f'model(s){" for " + escape(repr(query.text)) if query.text else ""}.'
               + (' <a href="/">Clear search and filters</a>' if query.text or query.filters else "")
               + "</p>")
    to_filters = '<p><a class="to-filters" href="#filters">Filters ↓</a></p>' if facets else ""
    parts: List[str] = [heading, to_filters, model_list(library, answer.models), _pager(answer)]
    if library.tree is None:  # no docs: the hosted models are the whole catalog
        parts = [f'<p class="total">{len(answer.undocumented)} model(s) hosted here. '
                 "Use a model's URL as a handle.</p>", model_list(library, answer.undocumented)]
    elif answer.undocumented:
        parts.append(f'<h2 id="hosted-without-document">Hosted here without a document '
                     f'({len(answer.undocumented)})</h2>' + model_list(library, answer.undocumented))
    if library.tree is None and not answer.undocumented:
        parts.append("<p>No models under the served root yet: add directories holding saved_model.pb.</p>")
    aside = f'<aside class="facets" id="filters" aria-label="Filters">{facets}</aside>' if facets else ""
    body = f'<h1>Models</h1><div class="layout">{aside}<section class="results">{"".join(parts)}</section></div>'
    return page("tfhub catalog", body, search_text=query.text)


def publisher_page(library: Library, publisher: Any, models: Sequence[CatalogModel], render_markdown: Any) -> str:
    """A publisher: its document and its models."""
    title = publisher.title or publisher.name
    document = render_markdown(publisher.markdown) if publisher.markdown else ""
    body = (f'<h1>{escape(title)}</h1><p>Publisher <code>{escape(publisher.name)}</code>, '
            f'{len(models)} model(s).</p><div class="doc">{document}</div>'
            f"<h2>Models</h2>{model_list(library, models)}")
    return page(f"{title} - tfhub", body)


def collection_page(library: Library, collection: Any, models: Sequence[CatalogModel], render_markdown: Any) -> str:
    """A collection: its document and the models it lists."""
    document = render_markdown(collection.markdown) if collection.markdown else ""
    body = (f'<h1>{escape(collection.title)}</h1><p class="summary">{escape(collection.summary)}</p>'
            f'<p>Collection <code>{escape(collection.handle)}</code>, {len(models)} model(s).</p>'
            f'<div class="doc">{document}</div>'
            f'<h2>Models in this collection</h2>{model_list(library, models)}')
    return page(f"{collection.title} - tfhub", body)
