"""`tfhub resolve`, `tfhub download`, `tfhub inspect`."""

from __future__ import annotations

import argparse
import json

from tfhub.cli import output
from tfhub.resolving import handles, resolvers


def register(subparsers: argparse._SubParsersAction) -> None:
    resolve = subparsers.add_parser("resolve", help="print the local directory of a handle (downloading it if needed)")
    resolve.add_argument("handle")
    resolve.set_defaults(handler=_resolve)

    download = subparsers.add_parser("download", help="download a handle into the cache")
    download.add_argument("handle")
    download.add_argument("--force", action="store_true", help="download again even if cached")
    download.set_defaults(handler=_download)

    inspect = subparsers.add_parser("inspect", help="describe a model: format, signatures, variables, assets")
    inspect.add_argument("handle")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(handler=_inspect)


def _resolve(args: argparse.Namespace) -> int:
    print(resolvers.resolve(args.handle))
    return 0


def _download(args: argparse.Namespace) -> int:
    if handles.kind_of(args.handle) in (handles.HandleKind.LOCAL, handles.HandleKind.GFILE_DIRECTORY):
        print(resolvers.resolve(args.handle))
        return 0
    path = resolvers.cached_download(args.handle, force=args.force)
    print(path)
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from tfhub.formats import inspection  # noqa: PLC0415 - imports TensorFlow

    description = inspection.describe(resolvers.resolve(args.handle))
    if args.json:
        print(json.dumps(description.to_dict(), indent=2))
    else:
        print(output.render_description(args.handle, description))
    return 0
