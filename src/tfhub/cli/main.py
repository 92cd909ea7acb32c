"""Entry point of the `tfhub` command: parse, dispatch, report errors in one line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from typing import Any, Iterator, List, Optional

from tfhub.cli import (cache_commands, convert_commands, docs_commands, env_command, model_commands,
                       quiet_tensorflow, search_command, serve_commands)
from tfhub import errors
from tfhub.version import __version__

# Each module adds its subcommands; a handler returns the exit code.
_COMMAND_MODULES = (model_commands, cache_commands, serve_commands, search_command, docs_commands, convert_commands,
                    env_command)


def _add_global_options(parser: argparse.ArgumentParser, default: Any) -> None:
    """The options every command takes, before or after its name (``tfhub ls --cache-dir D``)."""
    parser.add_argument("--debug", action="store_true", default=default, help="show tracebacks and debug logs")
    parser.add_argument("-v", "--verbose", action="store_true", default=default, help="show progress logs")
    parser.add_argument("-q", "--quiet", action="store_true", default=default, help="no progress bars; errors only")
    parser.add_argument("--cache-dir", default=default,
                        help="cache directory (default: $TFHUB_CACHE_DIR or ~/.cache/tfhub_modules)")


def _leaf_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """Every parser below ``parser`` that runs a command (``cache ls``, ``serve``, ...)."""
    for action in parser._actions:  # argparse keeps subparsers nowhere public
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases share a parser
                yield sub
                yield from _leaf_parsers(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tfhub", description="Resolve, cache, inspect and serve TensorFlow Hub models."
    )
    parser.add_argument("--version", action="version", version=f"tfhub {__version__}")
    _add_global_options(parser, default=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in _COMMAND_MODULES:
        module.register(subparsers)
    for sub in _leaf_parsers(parser):
        # SUPPRESS: given after the command it overrides, absent it leaves the value given before
        _add_global_options(sub, default=argparse.SUPPRESS)
    return parser


class _CliHandler(logging.StreamHandler):
    """The CLI's one handler on the "tfhub" logger (one, however often ``main`` runs in a process)."""


def _configure_logging(debug: bool, verbose: bool) -> None:
    logger = logging.getLogger("tfhub")
    for old in [h for h in logger.handlers if isinstance(h, _CliHandler)]:
        logger.removeHandler(old)
    handler = _CliHandler(sys.stderr)  # the stderr of now (tests and callers swap sys.stderr)
    handler.setFormatter(logging.Formatter("tfhub: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING)
    if not (debug or verbose):
        quiet_tensorflow.install()


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    _configure_logging(args.debug, args.verbose)
    if args.quiet:
        os.environ["TFHUB_DISABLE_PROGRESS_BARS"] = "1"
        logging.getLogger("tfhub").setLevel(logging.ERROR)
    if args.cache_dir:
        os.environ["TFHUB_CACHE_DIR"] = args.cache_dir
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:
        return _reader_went_away()
    except KeyboardInterrupt:
        print("tfhub: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the one place errors become exit codes
        if args.debug:
            traceback.print_exc()
        print(f"tfhub: error: {_message_of(exc)}", file=sys.stderr)
        if not args.debug:
            print("tfhub: (run with --debug for the details)", file=sys.stderr)
        return 1


def _message_of(exc: BaseException) -> str:
    """One line: all of a tfhub message (folded), the first line of anyone else's (TensorFlow's run long)."""
    if isinstance(exc, errors.TfHubError):
        return errors.one_line(exc) or type(exc).__name__
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _reader_went_away() -> int:
    """The reader of our output closed it (``tfhub cache ls | head``): not an error worth a
    message. Stdout is pointed at /dev/null so the interpreter's final flush stays quiet,
    and the exit code is a SIGPIPE death's, as for any Unix filter."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + 13


if __name__ == "__main__":
    sys.exit(main())
