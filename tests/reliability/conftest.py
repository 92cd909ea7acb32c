"""The reliability suite reports how many kill points and processes it exercised."""

from __future__ import annotations

from tests.support import tally


def pytest_terminal_summary(terminalreporter) -> None:  # pytest's reporter
    """Prints the kill points, concurrent processes, etc. the suite exercised."""
    tally.report(terminalreporter, "reliability")
