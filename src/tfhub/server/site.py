"""The catalog's routes: the search page, model, publisher and collection pages, the JSON API.

URLs follow tfhub.dev's: ``/<publisher>``, ``/<publisher>/<model>`` (its latest
version), ``/<publisher>/<model>/<version>``, ``/<publisher>/collections/<name>``;
the search is ``/?q=...&<facet>=...``. ``/api/`` answers JSON (errors too) and
``/-/`` the page's favicon and script. Archives stay with :mod:`tfhub.server.app`.
"""

from __future__ import annotations

import urllib.parse
from typing import Any, Dict, List, Optional, Tuple

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from tfhub import errors
from tfhub.hubdocs.catalog import split_version
from tfhub.server import catalog_json, catalog_pages, pages, page_shell
from tfhub.server.catalog import Catalog
from tfhub.server.catalog_query import display_name, facet_label, facet_names, parse_query, run_query
from tfhub.server.discovery import ModelRoot, ServedModel, file_sizes
from tfhub.server.library import CatalogModel, Library, collection_key, collection_path

_SECURITY_HEADERS = {"Content-Security-Policy": page_shell.CONTENT_SECURITY_POLICY,
                     "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
_HIDDEN_METADATA = ("asset-path", "format")  # the archive's internet URL; the format is shown apart


def html_response(text: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status_code, headers=_SECURITY_HEADERS)


def _json_error(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "status": status_code}, status_code=status_code)


class CatalogSite:
    """Pages and API over a :class:`Library`."""

    def __init__(self, root: ModelRoot, catalog: Catalog, tree: Optional[Any]):
        self.library = Library(root, tree)
        self.catalog = catalog
        self._facets: Optional[List[str]] = None

    @property
    def render_markdown(self) -> Optional[Any]:
        if self.library.tree is None:
            return None
        from tfhub.hubdocs import render_markdown  # only with docs

        return render_markdown

    def facet_names(self) -> List[str]:
        if self._facets is None:
            self._facets = facet_names(self.library)
        return self._facets

    async def _answer(self, request: Request) -> Any:
        query = parse_query(request.query_params.multi_items(), self.facet_names())
        return await anyio.to_thread.run_sync(run_query, self.library, query)

    # --- pages -----------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        try:
            answer = await self._answer(request)
        except errors.SearchQueryError as exc:
            return html_response(page_shell.not_found_page(str(exc)), 400)
        return html_response(catalog_pages.search_page(self.library, answer))

    async def page(self, request: Request, url_path: str, served: Optional[ServedModel], reason: str) -> Response:
        """The page a path names: a hosted model directory (``served``), else from the docs."""
        if served is not None:
            handle, version = split_version(served.url_path)
            model = self.library.model(handle) or CatalogModel(handle, None, {version: served})
            return await self._model_page(request, model, version)
        path = url_path.strip("/")
        model = self.library.model(path)
        if model is not None:
            return await self._model_page(request, model, model.latest())
        handle, version = split_version(path)
        model = self.library.model(handle) if version else None
        if model is not None and version in model.version_numbers():
            return await self._model_page(request, model, version)
        listing = await anyio.to_thread.run_sync(self._listing_page, path)
        if listing is not None:
            return html_response(listing)
        return html_response(page_shell.not_found_page(reason), 404)

    def _listing_page(self, path: str) -> Optional[str]:
        tree = self.library.tree
        if tree is None:
            return None
        publisher = tree.publishers.get(path)
        if publisher is not None:
            return catalog_pages.publisher_page(self.library, publisher, self._publisher_models(path), self.render_markdown)
        collection = tree.collections.get(collection_key(path))
        if collection is not None:
            models = [m for m in (self.library.model(h) for h in collection.models) if m is not None]
            return catalog_pages.collection_page(self.library, collection, models, self.render_markdown)
        return None

    def _publisher_models(self, publisher: str) -> List[CatalogModel]:
        handles = {h for h, m in self.library.tree.models.items() if m.publisher == publisher}
        handles.update(h for h in self.library.hosted() if h.split("/", 1)[0] == publisher)
        return [m for m in (self.library.model(h) for h in sorted(handles)) if m is not None]

    async def _describe(self, model: CatalogModel, version: str) -> Tuple[Optional[Any], Optional[str], list]:
        served = model.hosted.get(version)
        if served is None:
            return None, None, []
        try:
            description = await self.catalog.describe(served)
        except errors.ModelFormatError as exc:
            return None, str(exc), []
        return description, None, await anyio.to_thread.run_sync(file_sizes, served.directory)

    async def _model_page(self, request: Request, model: CatalogModel, version: str) -> Response:
        description, error, files = await self._describe(model, version)
        served = model.hosted.get(version)
        view = pages.ModelView(
            model=model, version=version,
            handle_url=str(request.base_url).rstrip("/") + urllib.parse.quote(served.url_path) if served else None,
            description=description, error=error, files=files,
            facts=self._facts(model, version), collections=self._collections(model),
            variants=self._variants(model))
        return html_response(pages.model_page(view, self.render_markdown), 500 if error else 200)

    def _facts(self, model: CatalogModel, version: str) -> List[Tuple[str, List[str]]]:
        doc_version = model.documented_version(version)
        if doc_version is None:
            return []
        # A hosted version's format is read from its files (pages.py shows it); else the document says.
        shown = version not in model.hosted
        facts = [("Format", [display_name(self.library, "format", doc_version.format)])] if shown else []
        facts += [(facet_label(key), [display_name(self.library, key, v) for v in values])
                  for key, values in doc_version.metadata.items() if key not in _HIDDEN_METADATA and values]
        return facts

    def _collections(self, model: CatalogModel) -> List[Tuple[str, str]]:
        tree = self.library.tree
        if tree is None or model.doc is None:
            return []
        return [(collection_path(h), tree.collections[h].title if h in tree.collections else h)
                for h in model.doc.collections]

    def _variants(self, model: CatalogModel) -> List[Tuple[str, str]]:
        """The model's other formats (TF.js, Lite, ...), and the model they are variants of."""
        if model.doc is None:
            return []
        family = [model.doc.variant_of] if model.doc.variant_of else []
        parent = self.library.model(model.doc.variant_of) if model.doc.variant_of else model
        if parent is not None and parent.doc is not None:
            family += list(parent.doc.variants)
        shown = []
        for handle in dict.fromkeys(family):
            other = self.library.model(handle)
            if handle == model.handle or other is None or other.doc is None:
                continue
            shown.append((handle, f"{other.title} ({display_name(self.library, 'format', other.doc.format)})"))
        return shown

    # --- API -------------------------------------------------------------------

    async def api_models(self, request: Request) -> Response:
        try:
            answer = await self._answer(request)
        except errors.SearchQueryError as exc:
            return _json_error(400, str(exc))
        return JSONResponse(catalog_json.search_answer(answer, str(request.base_url)))

    async def api_model(self, request: Request) -> Response:
        handle = request.path_params["handle"].strip("/")
        model = self.library.model(handle)
        if model is None:
            return _json_error(404, f"No model {handle!r} in this catalog: give a handle without version "
                                    "(publisher/name), as /api/models lists them.")
        descriptions: Dict[str, Any] = {}
        failures: Dict[str, str] = {}
        for number in model.hosted:
            description, error, _ = await self._describe(model, number)
            if description is not None:
                descriptions[number] = description
            if error is not None:
                failures[number] = error
        return JSONResponse(catalog_json.detail(model, str(request.base_url), descriptions, failures))

    async def api_not_found(self, request: Request) -> Response:
        return _json_error(404, f"No API at {request.url.path!r}: use /api/models?q=... or /api/models/<handle>.")

    # --- static ----------------------------------------------------------------

    async def favicon(self, request: Request) -> Response:
        return Response(page_shell.FAVICON_SVG, media_type="image/svg+xml",
                        headers={"Cache-Control": "max-age=86400"})

    async def script(self, request: Request) -> Response:
        return Response(page_shell.CATALOG_JS, media_type="text/javascript",
                        headers={"Cache-Control": "max-age=3600"})
