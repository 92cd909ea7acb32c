"""`tfhub resolve`, `tfhub download`, `tfhub inspect`."""

from __future__ import annotations

import argparse
import json

from tfhub.cli import output
from tfhub.resolving import resolvers


def register(subparsers: argparse._SubParsersAction) -> None:
    resolve = subparsers.add_parser("resolve", help="print the local directory of a handle (downloading it if needed)")
    resolve.add_argument("handle")
    resolve.add_argument("--sha256", help="the SHA-256 the model's archive must have")
    resolve.set_defaults(handler=_resolve)

    download = subparsers.add_parser("download", help="download a handle into the cache")
    download.add_argument("handle")
    download.add_argument("--force", action="store_true", help="download again even if cached")
    download.add_argument("--sha256", help="the SHA-256 the model's archive must have")
    download.set_defaults(handler=_download)

    inspect = subparsers.add_parser("inspect", help="describe a model: format, signatures, variables, assets")
    inspect.add_argument("handle")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(handler=_inspect)


def _resolve(args: argparse.Namespace) -> int:
    print(resolvers.resolve(args.handle, sha256=args.sha256))
    return 0


def _download(args: argparse.Namespace) -> int:
    request = resolvers.Request(args.handle, sha256=args.sha256, force=args.force)
    print(resolvers.resolve_request(request).path)
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from tfhub.formats import inspection  # noqa: PLC0415 - protobuf, only for this command

    description = inspection.describe(resolvers.resolve(args.handle))
    if args.json:
        print(json.dumps(description.to_dict(), indent=2))
    else:
        print(output.render_description(args.handle, description))
    return 0
