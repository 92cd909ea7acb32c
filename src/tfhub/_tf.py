"""The one way tfhub imports TensorFlow: lazily, with a clear error when missing."""

from __future__ import annotations

from typing import Any

from tfhub import errors


def tensorflow() -> Any:  # Any: TensorFlow ships no types, and `class X(tf.Module)` must type-check
    """Imports and returns the ``tensorflow`` module.

    Raises:
        TensorFlowMissingError: TensorFlow is not installed.
    """
    try:
        import tensorflow as tf  # deliberately lazy
    except ImportError as exc:
        raise errors.TensorFlowMissingError(
            "This part of tfhub needs TensorFlow, which is not installed. "
            "Install it with `pip install tensorflow` (2.15 to 2.21), or "
            "`pip install tfhub[tensorflow]`."
        ) from exc
    return tf
