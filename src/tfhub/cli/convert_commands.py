"""`tfhub convert SRC DST`: TF1 Hub format (or plain TF2 SavedModel) -> reusable TF2 SavedModel."""

from __future__ import annotations

import argparse
import json

from tfhub import errors
from tfhub.convert.report import DEFAULT_TOLERANCE


def register(subparsers: argparse._SubParsersAction) -> None:
    convert = subparsers.add_parser(
        "convert", help="convert a TF1 Hub format module (or a plain TF2 SavedModel) to a "
                        "reusable TF2 SavedModel, verified")
    convert.add_argument("src", help="handle of the source: a path or URL")
    convert.add_argument("dst", nargs="?", help="directory to write (not needed with --check)")
    convert.add_argument("--check", action="store_true",
                         help="only report what a conversion would do; write nothing")
    convert.add_argument("--tags", nargs="*", default=None,
                         help="graph variant to convert (default: the empty tag set)")
    convert.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                         help=f"largest absolute difference allowed in verification (default {DEFAULT_TOLERANCE:g})")
    convert.add_argument("--overwrite", action="store_true", help="replace an existing DST")
    convert.add_argument("--no-verify", action="store_true",
                         help="skip running source and result on generated inputs")
    convert.add_argument("--json", action="store_true", help="print the report as JSON")
    convert.set_defaults(handler=_convert)


def _convert(args: argparse.Namespace) -> int:
    from tfhub import convert  # imports TensorFlow

    if args.check:
        report = convert.check(args.src, tags=args.tags)
    elif not args.dst:
        raise errors.ConversionError("tfhub convert needs a destination: tfhub convert SRC DST "
                                     "(or --check to only report)")
    else:
        report = convert.tf1_to_tf2(args.src, args.dst, tags=args.tags, tolerance=args.tolerance,
                                    overwrite=args.overwrite, verify_outputs=not args.no_verify)
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.render())
    return 1 if args.check and report.problems else 0
