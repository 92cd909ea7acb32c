"""The pull-through mirror (``tfhub serve ROOT --upstream URL``): a model ROOT lacks is fetched on first request.

The fetch goes through tfhub's one door, :func:`tfhub.resolving.resolvers.resolve_request`,
with a private cache in the archive directory, so pins (``TFHUB_PIN_FILE``, under the
upstream handle), verification, safe extraction and "one download for every process
waiting on the entry's lock" are the library's, not ours. The model directory the door
yields is copied into ROOT with :func:`tfhub.resolving.local_dir.copy_model` (a hidden
temp dir renamed into place), so a model under ROOT is whole or absent; the temp dirs a
killed mirror left are removed when the next one starts. From then on it
is served like any other model: packed once into the archive every client gets.

Only handle paths are fetched (see :func:`handle_path`); anything else is answered
from ROOT alone.
"""

from __future__ import annotations

import asyncio
import os
import re
import urllib.parse
from pathlib import Path
from typing import Dict, List, Optional

import anyio.to_thread

from tfhub import errors, files, logs
from tfhub.resolving import local_dir, resolvers
from tfhub.server.discovery import ModelRoot, ServedModel, is_model_directory

_log = logs.logger("tfhub.server")

# A plain name: letters, digits, '.', '_', '-', not starting with '.' (so never '..' or hidden).
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")
_VERSION = re.compile(r"[0-9]{1,10}\Z")
_MAX_SEGMENTS = 8  # tfhub.dev's deepest handles have 6 (google/imagenet/<net>/<kind>/<version>)

MAX_PARALLEL_FETCHES = 4  # upstream downloads at once; more wait their turn
MAX_PENDING_FETCHES = 64  # distinct handles fetching or waiting; beyond: 503


def upstream_url(url: str) -> str:
    """The upstream hub's base URL, without a trailing slash.

    Raises:
        ConfigError: not an http(s) URL with a host, or it carries a query,
            fragment or credentials (credentials go in ``TFHUB_HTTP_HEADERS``).
    """
    parsed = urllib.parse.urlsplit(url.strip())
    if (parsed.scheme not in ("http", "https") or not parsed.hostname or parsed.query
            or parsed.fragment or "@" in parsed.netloc):
        shown = re.sub(r"//[^/]*@", "//<credentials>@", url)  # never echo a password
        raise errors.ConfigError(
            f"--upstream {shown!r} is not the base URL of a hub: give an http(s) URL without query, "
            "fragment or user:password@ (e.g. https://tfhub.dev or http://hub.internal:8000); "
            "send credentials with TFHUB_HTTP_HEADERS.")
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, parsed.path.rstrip("/"), "", ""))


def handle_path(url_path: str) -> List[str]:
    """The segments of a handle path the mirror may fetch: ``publisher/name[/...]/version``.

    Every segment is a plain name (no ``..``, no hidden names, no odd bytes) and
    the last one is a version number: a stored copy of an unversioned ("latest")
    handle would never follow the upstream's new versions.

    Raises:
        UpstreamError: (404) anything else; the message says what is fetched.
    """
    segments = url_path.split("/")  # an empty segment (a leading or doubled slash) is no name
    shown = "/" + url_path[:200]
    plain = len(segments) <= _MAX_SEGMENTS and all(_SEGMENT.match(s) for s in segments)
    if plain and not _VERSION.match(segments[-1]):
        raise errors.UpstreamError(
            f"No model at {shown!r} here, and the mirror fetches versioned handles only: ask for "
            f"{shown.rstrip('/')}/<version> (a stored copy of the latest version would never change).", 404)
    if not plain or len(segments) < 3:
        raise errors.UpstreamError(
            f"No model at {shown!r} here, and it is not a handle this mirror fetches: those are "
            "/<publisher>/<model>/<version> (up to 8 segments of letters, digits, '.', '_' and '-').", 404)
    return segments


class Mirror:
    """Fetches models from the upstream into ROOT: one fetch per handle at a time, a bounded number in all.

    Args:
        root: the served root the models are stored under.
        upstream: the hub's base URL (``https://tfhub.dev``).
        cache_dir: the door's private cache for the downloads (not the user's).
    """

    def __init__(self, root: ModelRoot, upstream: str, cache_dir: Path,
                 max_parallel: int = MAX_PARALLEL_FETCHES, max_pending: int = MAX_PENDING_FETCHES):
        self.upstream = upstream_url(upstream)
        self._root = root
        self._cache_dir = Path(cache_dir)
        self._max_parallel = max_parallel
        self._max_pending = max_pending
        # Made on first use, inside the server's event loop (Python 3.9 binds them at creation).
        self._slots: Optional[asyncio.Semaphore] = None
        self._pending: Dict[str, "asyncio.Future[None]"] = {}
        for stale in local_dir.stale_partials(root.root):
            _log.warning("Removing %s, a copy into the served root that a killed process left.", stale)
            files.remove(stale)

    async def fetch(self, url_path: str) -> ServedModel:
        """The model at ``url_path``, fetched from the upstream and stored under ROOT first.

        Concurrent requests for one handle share one fetch (and its outcome); a
        client that goes away does not cancel it.

        Raises:
            UpstreamError: not a fetchable handle, not upstream, or the fetch failed.
            ServedPathError: the path leads out of ROOT.
        """
        segments = handle_path(url_path)
        key = "/".join(segments)
        pending = self._pending.get(key)
        if pending is None:
            if len(self._pending) >= self._max_pending:
                raise errors.UpstreamError(
                    f"The mirror is already fetching {len(self._pending)} models from its upstream; "
                    "ask again shortly.", 503)
            pending = asyncio.ensure_future(self._fetch_in_turn(segments))
            self._pending[key] = pending
            pending.add_done_callback(lambda done: self._forget(key, done))
        await asyncio.shield(pending)
        return self._root.locate(key)

    def _forget(self, key: str, done: "asyncio.Future[None]") -> None:
        del self._pending[key]
        if not done.cancelled():
            done.exception()  # retrieved: every waiter has it, or none is left to care

    async def _fetch_in_turn(self, segments: List[str]) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max_parallel)
        async with self._slots:
            await anyio.to_thread.run_sync(self._fetch_and_store, segments)

    def _fetch_and_store(self, segments: List[str]) -> None:
        """Resolves the upstream handle through the door and copies the model into ROOT (worker thread)."""
        target = self._target(segments)
        if is_model_directory(target):
            return  # another server process on this ROOT stored it meanwhile
        if os.path.lexists(target):
            raise _occupied(segments)
        handle = self.upstream + "/" + "/".join(segments)
        try:
            resolved = resolvers.resolve_request(resolvers.Request(handle, cache_dir=self._cache_dir))
        except errors.TfHubError as exc:
            raise _refusal(handle, exc) from exc
        try:
            local_dir.copy_model(resolved.path, target)
        except errors.HandleError as exc:
            if not is_model_directory(target):  # something else appeared there meanwhile
                raise _occupied(segments) from exc
        except errors.CacheError as exc:
            raise errors.UpstreamError(f"The mirror fetched {handle} but cannot store it under the "
                                       f"served root: {errors.one_line(exc)}", 500) from exc
        _log.info("Mirrored %s (archive SHA-256 %s%s)", handle, resolved.archive_sha256,
                  ", pinned" if resolved.verified else "")

    def _target(self, segments: List[str]) -> Path:
        """ROOT/<segments>, checked again here: a link planted since the request was read must not lead out."""
        target = self._root.root.joinpath(*segments)
        real = Path(os.path.realpath(target))
        if self._root.root not in real.parents:
            raise errors.ServedPathError(f"The path /{'/'.join(segments)} resolves outside the served root.")
        return target


def _occupied(segments: List[str]) -> errors.UpstreamError:
    return errors.UpstreamError(
        f"/{'/'.join(segments)} exists under the served root but holds no model; the mirror "
        "does not fetch over it. Remove it, or ask for another version.", 404)


def _refusal(handle: str, exc: errors.TfHubError) -> errors.UpstreamError:
    """What the mirror answers when the door could not resolve the upstream handle."""
    detail = errors.one_line(exc)
    if isinstance(exc, errors.IntegrityError):
        return errors.UpstreamError(
            f"The upstream's archive of {handle} does not match its pin in this mirror's "
            f"TFHUB_PIN_FILE; it was refused and not stored. {detail}", 502)
    status = getattr(exc, "status", None)
    if status in (404, 410):
        return errors.UpstreamError(
            f"No model here by that path, and the upstream has none either: {handle} answered HTTP "
            f"{status}. Check the handle and its version.", 404)
    if isinstance(exc, (errors.CacheError, errors.ConfigError)):
        return errors.UpstreamError(f"The mirror cannot fetch {handle}: {detail}", 500)
    if "timed out" in detail.lower() or "timeout" in detail.lower():
        return errors.UpstreamError(
            f"The upstream did not answer in time for {handle}; nothing was stored, ask again later. "
            f"{detail}", 504)
    return errors.UpstreamError(
        f"The upstream failed to deliver {handle}; nothing was stored, ask again later. {detail}", 502)
