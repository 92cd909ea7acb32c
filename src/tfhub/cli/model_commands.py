"""`tfhub resolve`, `tfhub download`, `tfhub inspect`."""

from __future__ import annotations

import argparse
import json

from tfhub import errors
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
    download.add_argument("--local-dir", metavar="DIR",
                          help="also copy the model's files into DIR (new or empty; written atomically)")
    download.add_argument("--overwrite", action="store_true", help="with --local-dir: replace a non-empty DIR")
    download.set_defaults(handler=_download)

    inspect = subparsers.add_parser("inspect", help="describe a model: format, signatures, variables, assets")
    inspect.add_argument("handle")
    inspect.add_argument("--json", action="store_true", help="print JSON")
    inspect.set_defaults(handler=_inspect)


def _resolve(args: argparse.Namespace) -> int:
    print(resolvers.resolve(args.handle, sha256=args.sha256))
    return 0


def _download(args: argparse.Namespace) -> int:
    if args.overwrite and args.local_dir is None:
        raise errors.HandleError("--overwrite applies to --local-dir DIR; add --local-dir, or drop --overwrite.")
    request = resolvers.Request(args.handle, sha256=args.sha256, force=args.force)
    resolved = resolvers.resolve_request(request)
    if args.local_dir is None:
        print(resolved.path)
        return 0
    if resolved.kind in ("gfile", "uncompressed"):
        raise errors.HandleError(
            f"'{resolved.handle}' is read in place from {resolved.path}; --local-dir copies local or "
            "downloaded models only (unset TFHUB_MODEL_LOAD_FORMAT, or copy it with gsutil).")
    from tfhub.resolving import local_dir  # only for --local-dir

    print(local_dir.copy_model(resolved.path, args.local_dir, overwrite=args.overwrite))
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from tfhub.formats import inspection  # protobuf, only for this command

    description = inspection.describe(resolvers.resolve(args.handle))
    if args.json:
        print(json.dumps(description.to_dict(), indent=2))
    else:
        print(output.render_description(args.handle, description))
    return 0
