"""`tfhub validate-docs`: check a tfhub.dev-style documentation tree before serving it."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    validate = subparsers.add_parser(
        "validate-docs", help="check model, publisher and collection markdown as tfhub.dev's validator did")
    validate.add_argument("directory", metavar="DIR",
                          help="the tree's root (holding assets/docs/ and tags/) or a docs directory")
    validate.set_defaults(handler=_validate_docs)


def _validate_docs(args: argparse.Namespace) -> int:
    from tfhub.hubdocs.validation import check_tree  # PyYAML only for this command

    report = check_tree(args.directory)
    problems, checked = report.problems, report.documents
    for problem in problems:
        print(f"{problem} [{problem.rule}]")
    flagged = len({p.path for p in problems})
    if problems:
        print(f"tfhub validate-docs: {len(problems)} problem(s) in {flagged} of {checked} document(s)",
              file=sys.stderr)
        return 1
    print(f"tfhub validate-docs: {checked} document(s) checked, no problems", file=sys.stderr)
    return 0
