"""Download progress bars: where a person will see them, and never where they were refused.

Shown when ``TFHUB_DOWNLOAD_PROGRESS`` asks for them, or by default on a terminal and
in a Jupyter kernel (where most ``hub.load`` calls happen, and stderr is no TTY);
hidden by ``TFHUB_DOWNLOAD_PROGRESS=0`` / ``false`` or ``TFHUB_DISABLE_PROGRESS_BARS=1``
(``tfhub --quiet``). ``tqdm.auto`` draws a widget in a notebook, text elsewhere.
"""

from __future__ import annotations

import sys
from typing import Optional

from tfhub import config


def _someone_watches() -> bool:
    """A terminal on stderr, or a notebook kernel rendering our output."""
    try:
        if sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False
    return "ipykernel" in sys.modules


def wanted() -> bool:
    """Whether a download started now shows a bar."""
    choice = config.download_progress()
    return _someone_watches() if choice is None else choice


class ProgressBar:
    """A bar of network bytes, or nothing at all when no bar is wanted."""

    def __init__(self, label: str, total: Optional[int]):
        self._bar = None
        if wanted():
            from tqdm.auto import tqdm  # only when a bar is shown

            self._bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                             desc=label, file=sys.stderr, leave=True, dynamic_ncols=True)

    def update(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
