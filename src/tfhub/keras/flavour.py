"""Which Keras ``hub.KerasLayer`` should be: the one ``tf.keras`` is."""

from __future__ import annotations

import importlib
import types

from tfhub._tf import tensorflow

KERAS3 = "keras3"
KERAS2 = "keras2"


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
    """The tfhub module holding that flavour's ``KerasLayer``."""
    return importlib.import_module(f"tfhub.keras.{flavour}")
