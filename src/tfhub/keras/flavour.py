"""Which Keras a ``hub.KerasLayer`` is made for.

``which_keras`` says what ``tf.keras`` is. ``flavour_for_caller`` applies the
rule ``hub.KerasLayer(...)`` follows when both Keras 3 and Keras 2
(``tf_keras``) are there, so that tensorflow_hub 0.16's pattern
(``import tf_keras as keras``) and Keras 3 models both work without
environment variables. See docs/keras.md, "Which Keras".
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any, Dict, Optional

from tfhub._tf import tensorflow

KERAS3 = "keras3"
KERAS2 = "keras2"

# Frames of these packages are skipped when looking for the code that makes a layer.
_PASS_THROUGH = ("tfhub", "tensorflow", "functools", "contextlib", "importlib")


def which_keras() -> str:
    """``"keras3"`` or ``"keras2"``, following what ``tf.keras`` is right now.

    Keras 3 on TF 2.16+; Keras 2 (``tf_keras``) when TF_USE_LEGACY_KERAS=1 was
    set before TensorFlow was imported; Keras 2 on TF 2.15.
    """
    tf_keras = tensorflow().keras
    # Keras 3 answers __version__ through tf.keras; Keras 2 (tf_keras, or the
    # keras 2.15 package) is reached through TF's API shim, which does not.
    version = getattr(tf_keras, "__version__", None)
    return KERAS3 if str(version).startswith("3") else KERAS2


def flavour_module(flavour: str) -> types.ModuleType:
    """The tfhub module holding that flavour's ``KerasLayer``, imported now (it imports its Keras).

    The names are spelled out so that tests/test_architecture.py sees this import.
    """
    return importlib.import_module("tfhub.keras.keras3" if flavour == KERAS3 else "tfhub.keras.keras2")


def flavour_for_caller() -> str:
    """The flavour of a ``hub.KerasLayer`` being made now; the rule:

    1. ``tf.keras`` is Keras 2 (TF 2.15, or TF_USE_LEGACY_KERAS=1): Keras 2.
    2. ``tf_keras`` was never imported: Keras 3.
    3. Otherwise the code making the layer decides: Keras's own code
       (``keras.*`` loading or cloning a model) means Keras 3, ``tf_keras.*``
       Keras 2; user code means Keras 2 if its module refers to ``tf_keras``
       (``import tf_keras as keras``, ``from tf_keras import layers``...) and
       not to Keras 3, Keras 3 if it refers to Keras 3. A module that refers to
       neither passes the question to its caller; if nobody answers: Keras 3.
    """
    if which_keras() == KERAS2:
        return KERAS2
    if "tf_keras" not in sys.modules:
        return KERAS3
    frame: Optional[types.FrameType] = sys._getframe(1)  # the rule needs it
    while frame is not None:
        answer = _answer_of(frame)
        if answer is not None:
            return answer
        frame = frame.f_back
    return KERAS3


def _answer_of(frame: types.FrameType) -> Optional[str]:
    """What the code running in ``frame`` says, or None (no opinion)."""
    return _answer_of_code(frame.f_globals, frame.f_locals)


def _answer_of_code(module_globals: Dict[str, Any], local_names: Optional[Dict[str, Any]] = None) -> Optional[str]:
    """What code of the module owning ``module_globals``, with ``local_names`` in scope, says."""
    name = str(module_globals.get("__name__", ""))
    package = _keras_package(name)
    if package is not None:
        return package
    if name.split(".")[0] in _PASS_THROUGH:
        return None
    for names in (local_names or {}, module_globals):  # the function's own names first
        answer = _answer_of_names(names)
        if answer is not None:
            return answer
    return None


def _answer_of_names(names: Dict[str, Any]) -> Optional[str]:
    seen = {_keras_package(_module_of(value)) for value in list(names.values())}
    if KERAS3 in seen:
        return KERAS3
    return KERAS2 if KERAS2 in seen else None


def _module_of(value: Any) -> str:
    """The module a global comes from, read without triggering lazy imports."""
    if type(value).__name__ == "KerasLazyLoader":  # `from tensorflow import keras`
        return "keras"
    if isinstance(value, types.ModuleType):
        return str(value.__dict__.get("__name__", ""))
    if isinstance(value, (type, types.FunctionType)):
        return str(getattr(value, "__module__", "") or "")
    return type(value).__module__


def _keras_package(module_name: str) -> Optional[str]:
    top = module_name.split(".")[0]
    return {"keras": KERAS3, "tf_keras": KERAS2}.get(top)
