"""Opt-in coverage-guided fuzzing of archive extraction with atheris (libFuzzer).

Not collected by pytest. Run, for as long as you like::

    .venv/bin/python -m tests.fuzz.atheris_archive -runs=100000 -max_len=4096

Each input is extracted in a sandbox with the same checks as the hypothesis
suite (nothing written outside the target, only TfHubError raised, no link
leading outside after success); a violation stops the run with the input saved
by libFuzzer as crash-*. atheris is not in the test extra (see the report of
issue #8); install it with ``pip install atheris``.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from tfhub.resolving import archive  # noqa: F401 - instrumented for coverage
    from tests.fuzz.test_fuzz_archive import check_extraction


def one_input(data: bytes) -> None:
    """libFuzzer's entry point: one archive."""
    check_extraction(data)


def main() -> None:
    """Runs the fuzzer with libFuzzer's command-line flags."""
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
