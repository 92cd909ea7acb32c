"""The optional libraries the documentation features need, imported on first use."""

from __future__ import annotations

import importlib
from types import ModuleType

from tfhub import errors


# Import name -> the distribution pip installs it from.
_DISTRIBUTIONS = {"yaml": "PyYAML", "markdown_it": "markdown-it-py", "nh3": "nh3"}


def require(module: str, feature: str) -> ModuleType:
    """``module`` imported, or an ExtraMissingError telling how to install the serve extra.

    Raises:
        ExtraMissingError: the module (part of ``tfhub[serve]``) is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = (exc.name or module).split(".")[0]
        if top != module.split(".")[0]:
            raise
        raise errors.ExtraMissingError(
            f"{feature} needs {_DISTRIBUTIONS.get(top, top)}, which is not installed: "
            'pip install "tfhub[serve]"') from exc
