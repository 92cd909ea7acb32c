"""`tfhub search`: ask a `tfhub serve` catalog for models, through its JSON API."""

from __future__ import annotations

import argparse
import json
import urllib.parse
from typing import Any, Dict, List, Tuple

import requests

from tfhub import config, errors
from tfhub.cli import output
from tfhub.resolving import http_session

_TIMEOUT_SECONDS = (5.0, 30.0)  # connect, read


def register(subparsers: argparse._SubParsersAction) -> None:
    search = subparsers.add_parser("search", help="search the models of a `tfhub serve` catalog")
    search.add_argument("query", metavar="QUERY", nargs="*", help="words to look for (none: every model)")
    search.add_argument("--task", action="append", default=[], help="only models of this task id (repeatable)")
    search.add_argument("--format", action="append", default=[], dest="formats",
                        help="only this format id, e.g. saved_model_2, hub, tfjs, lite (repeatable)")
    search.add_argument("--filter", action="append", default=[], metavar="FACET=VALUE",
                        help="any other facet the catalog offers, e.g. --filter language=en (repeatable)")
    search.add_argument("--limit", type=int, default=20, help="models shown, at most 200 (default: 20)")
    search.add_argument("--json", action="store_true", help="print the server's JSON answer")
    search.add_argument("--server", metavar="URL", help=f"the catalog (default: ${config.SERVER_ENV})")
    search.set_defaults(handler=_search)


def _params(args: argparse.Namespace) -> List[Tuple[str, str]]:
    params: List[Tuple[str, str]] = [("q", " ".join(args.query))] if args.query else []
    params += [("task", t) for t in args.task] + [("format", f) for f in args.formats]
    for item in args.filter:
        facet, sep, value = item.partition("=")
        if not sep or not facet or not value:
            raise errors.SearchQueryError(f"--filter {item!r} is not FACET=VALUE; e.g. --filter language=en.")
        params.append((facet, value))
    return [*params, ("limit", str(args.limit))]


def fetch(server: str, params: List[Tuple[str, str]]) -> Dict[str, Any]:
    """The catalog's answer to ``/api/models?params``.

    Raises:
        CatalogServerError: no answer, or an answer that is not the catalog's JSON.
        SearchQueryError: the catalog refused the query (it says why).
    """
    url = urllib.parse.urljoin(server, "api/models") + "?" + urllib.parse.urlencode(params)
    try:
        with http_session.new_session(retries=1) as session:
            response = session.get(url, timeout=_TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise errors.CatalogServerError(
            f"The catalog at {server} did not answer: {http_session.describe_failure(exc, url)}.") from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code == 400 and isinstance(answer, dict) and "error" in answer:
        raise errors.SearchQueryError(f"The catalog refused the search: {answer['error']}")
    if response.status_code != 200 or not isinstance(answer, dict) or "models" not in answer:
        raise errors.CatalogServerError(
            f"{server} answered {response.status_code} to {url} without a catalog: is it a `tfhub serve` "
            "(version with /api/models), and the address right?")
    return answer


def _render(answer: Dict[str, Any]) -> str:
    rows = [[m["handle"], str(m["latest_version"]), m["format"] or "-", "yes" if m["hosted"] else "no",
             m["title"]] for m in [*answer["models"], *answer.get("hosted_without_document", [])]]
    shown = len(answer["models"])
    lines = [output.table(["HANDLE", "LATEST", "FORMAT", "HOSTED", "TITLE"], rows)] if rows else []
    lines.append(f"{shown} of {answer['total']} documented model(s)"
                 + (f", {len(answer['hosted_without_document'])} hosted without a document"
                    if answer.get("hosted_without_document") else ""))
    return "\n".join(lines)


def _search(args: argparse.Namespace) -> int:
    server = config.catalog_server(args.server)
    answer = fetch(server, _params(args))
    print(json.dumps(answer, indent=2) if args.json else _render(answer))
    return 0
