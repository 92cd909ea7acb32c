"""`tfhub cache ls|rm|verify|prune|export|import`."""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
from pathlib import Path

from tfhub import config
from tfhub.cli import output
from tfhub.resolving import maintenance


def register(subparsers: argparse._SubParsersAction) -> None:
    cache = subparsers.add_parser("cache", help="look after the model cache")
    actions = cache.add_subparsers(dest="cache_command", metavar="ACTION")
    actions.required = True

    ls = actions.add_parser("ls", help="list cached models")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=_ls)

    rm = actions.add_parser("rm", help="remove cached models (by handle or cache key)")
    rm.add_argument("handles", nargs="+", metavar="HANDLE")
    rm.set_defaults(handler=_rm)

    verify = actions.add_parser("verify", help="check every entry against its manifest")
    verify.add_argument("--repair", action="store_true", help="download broken entries again")
    verify.set_defaults(handler=_verify)

    prune = actions.add_parser("prune", help="remove leftovers of dead processes (and old entries)")
    prune.add_argument("--older-than", type=float, metavar="DAYS", help="also remove entries unused for DAYS")
    prune.add_argument("--dry-run", action="store_true", help="only show what would go")
    prune.set_defaults(handler=_prune)

    export = actions.add_parser("export", help="write cached models to a bundle for another machine")
    export.add_argument("handles", nargs="+", metavar="HANDLE")
    export.add_argument("-o", "--output", type=Path, required=True, metavar="BUNDLE.tar")
    export.set_defaults(handler=_export)

    import_ = actions.add_parser("import", help="install the models of a bundle into the cache")
    import_.add_argument("bundle", type=Path, metavar="BUNDLE.tar")
    import_.add_argument("--force", action="store_true", help="replace entries already cached")
    import_.set_defaults(handler=_import)


def _ls(args: argparse.Namespace) -> int:
    reports = maintenance.list_entries()
    if args.json:
        print(json.dumps([dataclasses.asdict(r) for r in reports], indent=2))
        return 0
    print(f"cache: {config.cache_dir()}")
    for report in reports:
        state = "ok" if report.problem is None else f"BROKEN ({report.problem})"
        if report.problem is None and not report.verified:
            state = "ok (no manifest)"
        print(f"{report.key}  {output.human_size(report.size_bytes):>9}  {state:<8}  {report.handle or '?'}")
    print(f"{len(reports)} model(s), {output.human_size(sum(r.size_bytes for r in reports))}")
    return 0


def _rm(args: argparse.Namespace) -> int:
    for handle in args.handles:
        entry = maintenance.remove(handle)
        print(f"removed {entry.directory} ({entry.handle or handle})")
    return 0


def _verify(args: argparse.Namespace) -> int:
    broken = maintenance.verify(repair=args.repair)
    total = len(maintenance.list_entries())
    for report, action in broken:
        print(f"{report.key}  {report.handle or '?'}: {report.problem} -> {action}")
    counts = collections.Counter(action for _, action in broken)
    summary = [f"{total} entries checked", f"{len(broken)} broken"]
    summary += [f"{counts[action]} {action}" for action in ("repaired", "removed") if counts[action]]
    unrepaired = len(broken) - counts["repaired"] - counts["removed"]
    if args.repair and unrepaired:
        summary.append(f"{unrepaired} not repaired")
    print(", ".join(summary))
    return 1 if unrepaired else 0  # 0 when no problem remains


def _prune(args: argparse.Namespace) -> int:
    removed = maintenance.prune(older_than_days=args.older_than, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for path, reason in removed:
        print(f"{verb} {path}: {reason}")
    print(f"{len(removed)} item(s) {verb}")
    return 0


def _print_items(items: list) -> None:
    for item in items:
        print(f"{item.action:<15} {item.key}  {output.human_size(item.size_bytes):>9}  {item.handle}")


def _export(args: argparse.Namespace) -> int:
    from tfhub.resolving import bundles  # noqa: PLC0415

    items = bundles.export_bundle(args.handles, args.output)
    _print_items(items)
    print(f"{len(items)} model(s) -> {args.output}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from tfhub.resolving import bundles  # noqa: PLC0415

    items = bundles.import_bundle(args.bundle, force=args.force)
    _print_items(items)
    print(f"{len(items)} model(s) from {args.bundle} in {config.cache_dir()}")
    return 0
