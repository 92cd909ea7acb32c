"""``hub.KerasLayer`` for Keras 3 and Keras 2.

``tfhub.keras.KerasLayer`` (:mod:`tfhub.keras.layer`) makes each layer as a
Keras 3 or a Keras 2 layer, by the rule of
:func:`tfhub.keras.flavour.flavour_for_caller`; the two classes are importable
explicitly as ``tfhub.keras.keras3.KerasLayer`` and
``tfhub.keras.keras2.KerasLayer``. Nothing here imports TensorFlow or Keras
until a layer is made.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def __getattr__(name: str) -> Any:
    if name != "KerasLayer":
        raise AttributeError(f"module 'tfhub.keras' has no attribute {name!r}")
    from tfhub.keras.layer import KerasLayer  # lazy by design

    globals()[name] = KerasLayer
    return KerasLayer
