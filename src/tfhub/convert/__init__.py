"""Conversion of TF1 Hub format modules (and plain TF2 SavedModels) to reusable TF2 SavedModels.

``tf1_to_tf2(src, dst)`` writes the result; ``check(src)`` only reports what it
would do. Both import TensorFlow when first called, not when this package is.
"""

from __future__ import annotations

from typing import Any

__all__ = ["tf1_to_tf2", "check", "DEFAULT_TOLERANCE"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tfhub.convert import api  # imports TensorFlow

        return getattr(api, name)
    raise AttributeError(f"module 'tfhub.convert' has no attribute {name!r}")
