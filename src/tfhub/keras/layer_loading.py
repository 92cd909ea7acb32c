"""What a ``hub.KerasLayer`` wraps: the object behind its handle."""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Iterable, Optional

from tfhub import formats
from tfhub.resolving.resolvers import resolve


@dataclasses.dataclass(frozen=True)
class LoadedHandle:
    """The loaded object and how it may be used.

    Attributes:
        obj: the loaded object (or the callable handle itself).
        is_hub_module_v1: the handle is a TF1 Hub format module.
        tf1_fine_tunable: ``obj`` is a TF1 module loaded for fine-tuning
            (:mod:`tfhub.tf2.tf1_trainable`), callable with ``training``.
    """

    obj: Any
    is_hub_module_v1: bool
    tf1_fine_tunable: bool


def _ambient_load_options() -> Any:
    """The options of an enclosing SavedModel load, when one is running."""
    try:
        from tensorflow.python.saved_model import load_context
    except ImportError:  # pragma: no cover - every supported TF has it
        return None
    return load_context.get_load_options() if load_context.in_load_context() else None


def load_handle(handle: Any, tags: Optional[Iterable[str]], load_options: Any,
                trainable: bool, signature: Optional[str]) -> LoadedHandle:
    """Loads ``handle`` (a string) or passes a callable or a loaded SavedModel through.

    A TF1 Hub format module constructed with ``trainable=True`` is loaded for
    fine-tuning; otherwise ``hub.load`` is used, as in tensorflow_hub.

    Raises:
        ValueError: the handle is neither a string nor callable, or holds no
            model.
        OSError: the handle cannot be resolved.
    """
    if callable(handle) and not isinstance(handle, str):
        return LoadedHandle(handle, bool(getattr(handle, "_is_hub_module_v1", False)), False)
    if not isinstance(handle, (str, os.PathLike)) and hasattr(handle, "signatures"):
        # Loaded already but not callable (a Keras 3 model saved with tf.saved_model.save
        # keeps no __call__): used through a signature, as the same model from a path would be.
        return LoadedHandle(handle, bool(getattr(handle, "_is_hub_module_v1", False)), False)
    load_options = load_options or _ambient_load_options()
    from tfhub.tf2.loading import load, load_resolved

    if not isinstance(handle, str):
        obj = load(handle, tags=tags, options=load_options)  # raises tensorflow_hub's error
        return LoadedHandle(obj, bool(getattr(obj, "_is_hub_module_v1", False)), False)
    path = resolve(handle)  # once per layer: both branches below load from this path
    if trainable and formats.detect(path).is_hub_module_v1:
        from tfhub.tf2 import tf1_trainable  # only for TF1 fine-tuning

        obj = tf1_trainable.load_trainable(
            handle, signature=signature or "default", tags=tags, options=load_options, path=path)
        return LoadedHandle(obj, True, True)
    obj = load_resolved(handle, path, tags=tags, options=load_options)
    return LoadedHandle(obj, bool(getattr(obj, "_is_hub_module_v1", False)), False)
