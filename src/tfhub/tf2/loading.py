"""``hub.load``: a handle to a TensorFlow object, through TF's own loader."""

from __future__ import annotations

import os
from typing import Any, Iterable, Optional, Union

from tfhub import formats, logs
from tfhub._tf import tensorflow
from tfhub.resolving.resolvers import resolve
from tfhub.tf2 import load_diagnosis

_log = logs.logger()

Handle = Union[str, "os.PathLike[str]"]


def load(handle: Handle, tags: Optional[Iterable[str]] = None, options: Any = None) -> Any:
    """Resolves ``handle`` and loads the model with ``tf.saved_model.load``.

    Works for TF2 SavedModels, TF1 Hub format modules (the empty tag set by
    default; use ``.signatures[name](**inputs)``) and plain TF1 SavedModels.

    Args:
        handle: a URL or path of the model.
        tags: the tag set of the graph variant to load; None lets TensorFlow
            choose (the empty set for the TF1 Hub format).
        options: an optional ``tf.saved_model.LoadOptions``.

    Returns:
        The loaded trackable object, with ``_is_hub_module_v1`` set.

    Raises:
        ValueError: the handle is not a string, or the directory holds no
            SavedModel.
        OSError: the handle could not be resolved.
        Exception: TensorFlow's own error when it cannot load the model, with
            a note naming the handle and the likely cause.
    """
    if isinstance(handle, os.PathLike):
        handle = os.fspath(handle)
    if not isinstance(handle, str):
        raise ValueError(f"Expected a string, got {handle}")
    return load_resolved(handle, resolve(handle), tags, options)


def load_resolved(handle: str, path: str, tags: Optional[Iterable[str]] = None, options: Any = None) -> Any:
    """:func:`load` of a handle already resolved to ``path`` (loaders resolve once per load)."""
    model_format = formats.detect(path)
    if tags is None and model_format.is_hub_module_v1:
        tags = []
    tf = tensorflow()
    try:
        if options:
            obj = tf.compat.v1.saved_model.load_v2(path, tags=tags, options=options)
        else:
            obj = tf.compat.v1.saved_model.load_v2(path, tags=tags)
    except Exception as exc:  # re-raised with the same type
        load_diagnosis.annotate(exc, handle=handle, path=path, tags=tags)
        raise
    obj._is_hub_module_v1 = model_format.is_hub_module_v1  # TF Hub's contract
    return obj
