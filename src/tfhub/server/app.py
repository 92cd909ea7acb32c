"""The ASGI application: routes of the TF Hub protocol and the catalog.

* ``GET|HEAD /<model path>?tf-hub-format=compressed``: the model as tar.gz;
* ``GET /<model path>?tf-hub-format=uncompressed``: the 303 protocol;
* any other ``GET``: the catalog (search, model, publisher and collection pages,
  ``/api/`` JSON), see :mod:`tfhub.server.site`.

With an upstream (a pull-through mirror), an archive request for a handle ROOT
lacks fetches it first (:mod:`tfhub.server.mirror`).
"""

from __future__ import annotations

import dataclasses
import http
from pathlib import Path
from typing import Dict, Optional

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
from tfhub.server.mirror import Mirror
from tfhub.server.site import CatalogSite


@dataclasses.dataclass(frozen=True)
class ServeSettings:
    """What ``tfhub serve`` was asked for."""

    root: Path
    archive_dir: Path
    token: Optional[str] = None  # require "Authorization: Bearer <token>"
    uncompressed_base: Optional[str] = None  # e.g. gs://bucket/models, for the 303 protocol
    max_parallel_builds: int = 2
    upstream: Optional[str] = None  # a hub to fetch missing models from (a pull-through mirror)
    docs: Optional[Path] = None  # the documentation tree (default: ROOT/docs when present)

    @property
    def upstream_cache_dir(self) -> Path:
        """The door's cache for the mirror's downloads: private, not the user's."""
        return self.archive_dir / "upstream-cache"


class _Server:
    """The state the routes share."""

    def __init__(self, settings: ServeSettings):
        self.settings = settings
        self.root = ModelRoot(settings.root)
        self.archives = ArchiveStore(settings.archive_dir, settings.max_parallel_builds)
        self.site = CatalogSite(self.root, Catalog(self.root), load_docs(find_docs(settings.root, settings.docs)))
        self.mirror = (Mirror(self.root, settings.upstream, settings.upstream_cache_dir)
                       if settings.upstream else None)

    async def model(self, request: Request) -> Response:
        wanted = _requested_format(request)
        try:
            model = await self._locate(request.path_params["path"], fetch=wanted == "compressed")
        except errors.ServedPathError as exc:
            return _plain(403, exc)
        except errors.ServedModelNotFoundError as exc:
            if wanted is None:  # a page: a documented model, a publisher... (the catalog's)
                return await self.site.page(request, request.path_params["path"], None, str(exc))
            return _plain(404, exc)
        except errors.UpstreamError as exc:
            busy = {"Retry-After": "5"} if exc.http_status == 503 else None
            return _plain(exc.http_status, exc, busy)
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

    async def _locate(self, path: str, fetch: bool) -> ServedModel:
        """The model at ``path``; a mirror fetches a missing one from its upstream when ``fetch``.

        A mirror serves no hidden path: its half-copied models (a fetch killed
        while copying) wait in hidden directories until they are renamed.
        """
        if self.mirror is not None and any(s.startswith(".") for s in path.split("/")):
            raise errors.ServedModelNotFoundError(
                f"No model at {'/' + path[:200]!r}: a mirror serves no hidden paths. "
                "The catalog at / lists every model.")
        try:
            return self.root.locate(path)
        except errors.ServedModelNotFoundError:
            if self.mirror is None or not fetch:
                raise
        return await self.mirror.fetch(path)

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
                stream = open(built.path, "rb")  # the response closes it
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


def _plain(status: int, error: Exception, headers: Optional[Dict[str, str]] = None) -> Response:
    return PlainTextResponse(f"{status} {http.HTTPStatus(status).phrase}: {error}\n", status_code=status,
                             headers=headers)


def _requested_format(request: Request) -> Optional[str]:
    """The last ``tf-hub-format`` value: clients append theirs to the handle's query."""
    values = request.query_params.getlist(FORMAT_QUERY_KEY)
    return values[-1] if values else None


def create_app(settings: ServeSettings) -> Starlette:
    """The server's ASGI application.

    Raises:
        ServedModelNotFoundError: the root is not a directory.
        ConfigError: the upstream is not an http(s) base URL.
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
