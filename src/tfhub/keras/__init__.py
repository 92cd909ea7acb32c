"""``hub.KerasLayer`` for Keras 3 and Keras 2.

``tfhub.keras.KerasLayer`` is the flavour matching ``tf.keras`` in this
environment (see :func:`tfhub.keras.flavour.which_keras`); both are importable
explicitly as ``tfhub.keras.keras3.KerasLayer`` and
``tfhub.keras.keras2.KerasLayer``. Nothing here imports TensorFlow or Keras
until ``KerasLayer`` is asked for.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name != "KerasLayer":
        raise AttributeError(f"module 'tfhub.keras' has no attribute {name!r}")
    from tfhub.keras import flavour  # noqa: PLC0415 - lazy by design

    value = flavour.flavour_module(flavour.which_keras()).KerasLayer
    globals()[name] = value
    return value
