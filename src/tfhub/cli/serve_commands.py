"""`tfhub serve` (a TF Hub compatible model host) and `tfhub pack`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tfhub import errors


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve", help="serve the model directories under ROOT as TF Hub handles")
    serve.add_argument("root", metavar="ROOT", help="directory whose model directories are served (URL path = handle path)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--archive-dir", type=Path, help="where built archives are kept (default: beside the model cache)")
    serve.add_argument("--token-file", type=Path, help="require 'Authorization: Bearer <token>' with the token in this file")
    serve.add_argument("--uncompressed-base", metavar="URL",
                       help="storage prefix (gs://bucket/dir) answered by ?tf-hub-format=uncompressed")
    serve.add_argument("--upstream", metavar="URL",
                       help="a pull-through mirror: fetch a model ROOT lacks from this hub (e.g. "
                            "https://tfhub.dev) on its first archive request, keep it under ROOT, serve it from then on")
    serve.add_argument("--docs", type=Path, metavar="DIR",
                       help="documentation tree shown in the catalog, laid out as tensorflow/tfhub.dev's "
                            "(assets/docs/, tags/); default: ROOT/docs when it exists")
    serve.add_argument("--max-connections", type=int, default=4096,
                       help="open connections kept; beyond this the longest-idle one is closed, "
                            "and 503 only when all are busy with requests (default: 4096)")
    serve.add_argument("--head-timeout", type=float, default=10.0, metavar="SECONDS",
                       help="a connection that has not sent a complete request head within this "
                            "many seconds of opening (or of its last answer) is closed (default: 10)")
    serve.add_argument("--shutdown-timeout", type=float, default=30.0,
                       help="seconds in-flight downloads get to finish on SIGINT/SIGTERM (default: 30)")
    serve.set_defaults(handler=_serve)

    pack = subparsers.add_parser("pack", help="write a model directory as a deterministic tar.gz (or .tar)")
    pack.add_argument("directory", metavar="DIR")
    pack.add_argument("out", metavar="OUT.tar.gz", help="ends in .tar.gz or .tgz (gzip), or .tar (plain)")
    pack.add_argument("--any", action="store_true", help="pack DIR even if it holds no SavedModel")
    pack.add_argument("--force", action="store_true", help="replace OUT if it exists")
    pack.set_defaults(handler=_pack)


def _read_token(path: Path) -> str:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise errors.ConfigError(f"--token-file {path} cannot be read ({exc.strerror or exc}).") from exc
    if not token:
        raise errors.ConfigError(f"--token-file {path} is empty; put the bearer token in it.")
    return token


def _check_limits(args: argparse.Namespace) -> None:
    if args.max_connections < 1:
        raise errors.ConfigError(f"--max-connections {args.max_connections} must be at least 1.")
    if not (0 < args.head_timeout <= 3600):  # also refuses nan and inf
        raise errors.ConfigError(f"--head-timeout {args.head_timeout} must be a number of seconds "
                                 "above 0 and at most 3600 (default: 10).")


def _serve(args: argparse.Namespace) -> int:
    try:
        from tfhub.server import runner  # uvicorn only for this command
        from tfhub.server.app import ServeSettings
    except ImportError as exc:
        if exc.name and exc.name.split(".")[0] in ("starlette", "uvicorn", "h11", "anyio"):
            raise errors.ExtraMissingError(
                f"`tfhub serve` needs {exc.name.split('.')[0]}, which is not installed: "
                'pip install "tfhub[serve]"') from exc
        raise

    _check_limits(args)
    root = Path(args.root)
    settings = ServeSettings(
        root=root,
        archive_dir=args.archive_dir or runner.default_archive_dir(root),
        token=_read_token(args.token_file) if args.token_file else None,
        uncompressed_base=args.uncompressed_base,
        upstream=args.upstream,
        docs=args.docs,
    )
    listen = runner.Listen(host=args.host, port=args.port, max_connections=args.max_connections,
                           head_timeout=args.head_timeout, shutdown_timeout=args.shutdown_timeout)
    runner.configure_access_log(sys.stderr)
    runner.serve(settings, listen)
    return 0


def _compressed_by_suffix(out: Path) -> bool:
    """The output's name decides its compression, so an ``x.tar`` never holds gzip."""
    name = out.name.lower()
    if name.endswith((".tar.gz", ".tgz")):
        return True
    if name.endswith(".tar"):
        return False
    raise errors.ConfigError(f"{out}: the archive's name must end in .tar.gz or .tgz (gzip) or .tar (plain).")


def _pack(args: argparse.Namespace) -> int:
    from tfhub.formats.detect import detect
    from tfhub.resolving import archive

    directory, out = Path(args.directory), Path(args.out)
    if not directory.is_dir():
        raise errors.HandleNotFoundError(f"{directory} is not a directory; give `tfhub pack` a model directory.")
    if not args.any:
        detect(directory)  # raises ModelFormatError with the fix
    if directory.resolve() in out.resolve().parents:
        raise errors.ConfigError(f"{out} is inside {directory}; write the archive somewhere else.")
    if out.is_dir():
        raise errors.ConfigError(f"{out} is a directory; give `tfhub pack` the archive's file name "
                                 f"(e.g. {out / (directory.resolve().name + '.tar.gz')}).")
    compressed = _compressed_by_suffix(out)
    if out.exists() and not args.force:
        raise errors.ConfigError(f"{out} exists; pass --force to replace it, or choose another name.")
    for link in archive.pack_to_file(directory, out, compressed=compressed):
        print(f"tfhub pack: {link}: an absolute link to a file inside {directory}; "
              "stored as a relative link.", file=sys.stderr)
    print(f"{out} ({out.stat().st_size} bytes)")
    return 0
