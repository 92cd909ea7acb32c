"""The ASGI application: routes of the TF Hub protocol and the catalog.

* ``GET|HEAD /<model path>?tf-hub-format=compressed``: the model as tar.gz;
* ``GET /<model path>?tf-hub-format=uncompressed``: the 303 protocol;
* any other ``GET``: the catalog (search, model, publisher and collection pages,
  ``/api/`` JSON), see :mod:`tfhub.server.site`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Optional

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tfhub import errors
from tfhub.resolving.handles import FORMAT_QUERY_KEY
from tfhub.server import page_shell
from tfhub.server.archive_responses import archive_response
from tfhub.server.archives import ArchiveStore
from tfhub.server.catalog import Catalog
from tfhub.server.discovery import ModelRoot, ServedModel
from tfhub.server.library import find_docs, load_docs
from tfhub.server.middleware import AccessLog, BearerToken
from tfhub.server.site import CatalogSite


@dataclasses.dataclass(frozen=True)
class ServeSettings:
    """What ``tfhub serve`` was asked for."""

    root: Path
    archive_dir: Path
    token: Optional[str] = None  # require "Authorization: Bearer <token>"
    uncompressed_base: Optional[str] = None  # e.g. gs://bucket/models, for the 303 protocol
    max_parallel_builds: int = 2
    docs: Optional[Path] = None  # the documentation tree (default: ROOT/docs when present)


class _Server:
    """The state the routes share."""

    def __init__(self, settings: ServeSettings):
        self.settings = settings
        self.root = ModelRoot(settings.root)
        self.archives = ArchiveStore(settings.archive_dir, settings.max_parallel_builds)
        self.site = CatalogSite(self.root, Catalog(self.root), load_docs(find_docs(settings.root, settings.docs)))

    async def model(self, request: Request) -> Response:
        wanted = _requested_format(request)
        try:
            model = self.root.locate(request.path_params["path"])
        except errors.ServedPathError as exc:
            return PlainTextResponse(f"403 Forbidden: {exc}\n", status_code=403)
        except errors.ServedModelNotFoundError as exc:
            if wanted is None:  # a page: a documented model, a publisher... (the catalog's)
                return await self.site.page(request, request.path_params["path"], None, str(exc))
            return PlainTextResponse(f"404 Not Found: {exc}\n", status_code=404)
        if wanted == "compressed":
            return await self._archive(request, model)
        if wanted == "uncompressed":
            return self._uncompressed(model)
        if wanted is not None:
            return PlainTextResponse(
                f"400 Bad Request: {FORMAT_QUERY_KEY}={wanted!r} is not a format this server offers; "
                "ask for 'compressed' (a tar.gz of the model) or 'uncompressed' (the 303 protocol).\n",
                status_code=400)
        if request.method == "HEAD":
            return Response(media_type="text/html")
        return await self.site.page(request, model.url_path, model, "")

    async def _archive(self, request: Request, model: ServedModel) -> Response:
        for _ in range(2):  # a rebuild may replace the file between lookup and open
            try:
                built = await self.archives.get(model)
            except errors.ModelChangingError as exc:
                return PlainTextResponse(f"503 Service Unavailable: {exc}\n", status_code=503,
                                         headers={"Retry-After": "5"})
            except errors.UnsafeArchiveError as exc:
                return PlainTextResponse(f"500 Internal Server Error: the model cannot be served as "
                                         f"an archive: {exc}\n", status_code=500)
            try:
                stream = open(built.path, "rb")  # noqa: SIM115 - the response closes it
            except FileNotFoundError:
                continue
            filename = model.url_path.strip("/").replace("/", "_") or "model"
            return archive_response(request, built, stream, filename)
        return PlainTextResponse("503 Service Unavailable: the model is being updated; ask again.\n",
                                 status_code=503, headers={"Retry-After": "1"})

    def _uncompressed(self, model: ServedModel) -> Response:
        # As tfhub.dev: 303 without Location, the storage path in the body.
        base = self.settings.uncompressed_base
        if base is None:
            body = ("This server keeps no uncompressed copy of its models (start it with "
                    "--uncompressed-base gs://bucket/prefix to offer one); unset "
                    "TFHUB_MODEL_LOAD_FORMAT to download the compressed archive instead.")
        else:
            body = base.rstrip("/") + model.url_path
        return PlainTextResponse(body, status_code=303)


def _requested_format(request: Request) -> Optional[str]:
    """The last ``tf-hub-format`` value: clients append theirs to the handle's query."""
    values = request.query_params.getlist(FORMAT_QUERY_KEY)
    return values[-1] if values else None


def create_app(settings: ServeSettings) -> Starlette:
    """The server's ASGI application.

    Raises:
        ServedModelNotFoundError: the root is not a directory.
        ConfigError: ``settings.docs`` is not a directory.
    """
    server = _Server(settings)
    middleware = [Middleware(AccessLog)]
    if settings.token:
        middleware.append(Middleware(BearerToken, token=settings.token))
    routes = [
        Route("/", server.site.home, methods=["GET", "HEAD"]),
        Route(page_shell.FAVICON_PATH, server.site.favicon, methods=["GET", "HEAD"]),
        Route("/favicon.ico", server.site.favicon, methods=["GET", "HEAD"]),
        Route(page_shell.SCRIPT_PATH, server.site.script, methods=["GET", "HEAD"]),
        Route("/api/models", server.site.api_models, methods=["GET", "HEAD"]),
        Route("/api/models/{handle:path}", server.site.api_model, methods=["GET", "HEAD"]),
        Route("/api/{rest:path}", server.site.api_not_found, methods=["GET", "HEAD"]),
        Route("/{path:path}", server.model, methods=["GET", "HEAD"]),
    ]
    return Starlette(routes=routes, middleware=middleware)
