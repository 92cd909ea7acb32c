"""`tfhub cache ls|rm|verify|prune|export|import`."""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import sys
from pathlib import Path
from typing import Dict, List

from tfhub import config, errors, units
from tfhub.cli import output
from tfhub.resolving import maintenance
from tfhub.resolving.cache import Entry, entry_size


def register(subparsers: argparse._SubParsersAction) -> None:
    cache = subparsers.add_parser("cache", help="look after the model cache")
    actions = cache.add_subparsers(dest="cache_command", metavar="ACTION")
    actions.required = True

    ls = actions.add_parser("ls", help="list cached models (exits 1 if one is broken)")
    ls.add_argument("filter", nargs="?", metavar="FILTER",
                    help="only entries whose handle contains FILTER or whose key starts with it")
    ls.add_argument("--sort", choices=sorted(_SORTS), default="handle",
                    help="order of the list (size and used: largest and latest first)")
    ls.add_argument("--reverse", action="store_true", help="the other way round")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=_ls)

    rm = actions.add_parser("rm", help="remove cached models (by handle, handle prefix or cache key)")
    rm.add_argument("handles", nargs="+", metavar="HANDLE_OR_PREFIX")
    rm.add_argument("--dry-run", action="store_true", help="only show what would go")
    rm.add_argument("-y", "--yes", action="store_true", help="do not ask; needed for prefixes in scripts")
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


_SORTS = {
    "handle": (lambda r: (r.handle or "", r.key), False),
    "key": (lambda r: r.key, False),
    "size": (lambda r: r.size_bytes, True),
    "used": (lambda r: r.last_used, True),
}


def _state(report: maintenance.EntryReport) -> str:
    if report.problem is not None:
        return "BROKEN"
    return "ok" if report.verified else "ok (no manifest)"


def _ls(args: argparse.Namespace) -> int:
    reports = maintenance.list_entries()
    if args.filter:
        reports = [r for r in reports if maintenance.matches(r, args.filter)]
    key, largest_first = _SORTS[args.sort]
    reports.sort(key=key, reverse=largest_first != args.reverse)
    broken = [r for r in reports if r.problem is not None]
    if args.json:
        print(json.dumps([dataclasses.asdict(r) for r in reports], indent=2))
    else:
        _print_ls(reports)
    if broken:
        one = len(broken) == 1
        print(f"tfhub: {len(broken)} broken entr{'y' if one else 'ies'}; "
              f"`tfhub cache verify --repair` downloads {'it' if one else 'them'} again", file=sys.stderr)
    return 1 if broken else 0


def _print_ls(reports: List[maintenance.EntryReport]) -> None:
    if reports:
        rows = [(r.key, units.human_size(r.size_bytes), units.relative_time(r.last_used),
                 _state(r), r.handle or "?") for r in reports]
        lines = output.table(("KEY", "SIZE", "LAST USED", "STATE", "HANDLE"), rows, right=(1,)).splitlines()
        print(lines[0])
        for line, report in zip(lines[1:], reports):
            print(line)
            if report.problem is not None:
                print(f"    {report.problem}")
    total = units.human_size(sum(r.size_bytes for r in reports))
    print(f"{len(reports)} model(s), {total} in {config.cache_dir()}")


def _rm(args: argparse.Namespace) -> int:
    chosen: Dict[str, Entry] = {}
    prefix_matched_many: Dict[str, int] = {}
    for pattern in args.handles:  # every argument must match before anything goes
        found, exact = maintenance.match_entries(pattern)
        if not exact and len(found) > 1:
            prefix_matched_many[pattern] = len(found)
        for entry in found:
            chosen.setdefault(entry.key, entry)
    entries = list(chosen.values())
    sizes = {entry.key: entry_size(entry) for entry in entries}
    total = units.human_size(sum(sizes.values()))
    if args.dry_run:
        for entry in entries:
            print(f"would remove {entry.key}  {units.human_size(sizes[entry.key]):>9}  {entry.handle or '?'}")
        print(f"{len(entries)} model(s) would be removed, freeing {total}")
        return 0
    if not args.yes:
        if sys.stdin.isatty():
            if not _confirm(entries, sizes, total):
                print("nothing removed")
                return 0
        elif prefix_matched_many:
            pattern, count = next(iter(prefix_matched_many.items()))
            raise errors.ConfirmationNeededError(
                f"'{pattern}' matches {count} cached models; add -y to remove them without asking "
                "(or --dry-run to list them)")
    for entry in entries:
        maintenance.remove_entry(entry)
        print(f"removed {entry.directory} ({entry.handle or entry.key})")
    if len(entries) > 1:
        print(f"{len(entries)} model(s) removed, {total} freed")
    return 0


def _confirm(entries: List[Entry], sizes: Dict[str, int], total: str) -> bool:
    for entry in entries:
        print(f"  {entry.key}  {units.human_size(sizes[entry.key]):>9}  {entry.handle or '?'}")
    try:
        answer = input(f"Remove {len(entries)} model(s), freeing {total}? [y/N] ")
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


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
    items = maintenance.prune_plan(older_than_days=args.older_than, tidy=not args.dry_run)
    verb = "would remove" if args.dry_run else "removing"
    for item in items:
        print(f"{verb} {item.path} ({units.human_size(item.size_bytes)}): {item.reason}")
    total = units.human_size(sum(item.size_bytes for item in items))
    if args.dry_run:
        print(f"{len(items)} item(s) would be removed, freeing {total}")
        return 0
    maintenance.remove_items(items)
    print(f"{len(items)} item(s) removed, {total} freed")
    return 0


def _print_items(items: list) -> None:
    for item in items:
        print(f"{item.action:<15} {item.key}  {units.human_size(item.size_bytes):>9}  {item.handle}")


def _export(args: argparse.Namespace) -> int:
    from tfhub.resolving import bundles

    items = bundles.export_bundle(args.handles, args.output)
    _print_items(items)
    print(f"{len(items)} model(s) -> {args.output}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from tfhub.resolving import bundles

    items = bundles.import_bundle(args.bundle, force=args.force)
    _print_items(items)
    print(f"{len(items)} model(s) from {args.bundle} in {config.cache_dir()}")
    return 0
