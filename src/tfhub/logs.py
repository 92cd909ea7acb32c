"""The ``tfhub`` logger, with ``logging`` imported when something is first logged.

``import logging`` (with ``threading``, ``traceback`` and ``re`` behind it)
costs more than a warm ``hub.resolve``, which logs nothing; so ``import tfhub``
and a cache hit do not import it. Whoever first asks for a logger here gives
``tfhub`` its ``NullHandler``: a library's records stay silent unless the
program configures logging.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing too costs a warm resolve more than its own work
    import logging
    from typing import Any

ROOT = "tfhub"


def logger(name: str = ROOT) -> "logging.Logger":
    """The logger ``name`` (``tfhub`` or below it); imports logging."""
    import logging

    root = logging.getLogger(ROOT)
    if not any(isinstance(handler, logging.NullHandler) for handler in root.handlers):
        root.addHandler(logging.NullHandler())
    return logging.getLogger(name)


class _Deferred:
    """Stands for :func:`logger` ``()`` until a method of it is called (for modules on the warm path)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(logger(), name)


log: Any = _Deferred()
