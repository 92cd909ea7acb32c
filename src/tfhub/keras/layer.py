"""``hub.KerasLayer``: one public class, made as a Keras 3 or a Keras 2 layer.

``hub.KerasLayer(...)`` returns an instance of ``tfhub.keras.keras3.KerasLayer``
or ``tfhub.keras.keras2.KerasLayer``, as :func:`flavour.flavour_for_caller`
decides when the layer is made. Both derive from this class, so
``isinstance(layer, hub.KerasLayer)`` holds, and so do user subclasses of
``hub.KerasLayer``. This module imports neither TensorFlow nor Keras.
"""

from __future__ import annotations

import inspect
from typing import Any, Dict, Optional, Tuple

from tfhub.keras import flavour
from tfhub.keras.layer_core import HubLayerCore

# (user subclass, flavour) -> that subclass on top of the flavour's class.
_FLAVOURED: Dict[Tuple[type, str], type] = {}


class KerasLayer(HubLayerCore):
    """``hub.KerasLayer(handle, trainable=False, arguments=None, ...)``.

    Arguments as in :class:`tfhub.keras.layer_core.HubLayerCore`.
    """

    #: "keras3" or "keras2" on the classes that are real Keras layers.
    _hub_flavour: str = ""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        concrete = cls if cls._hub_flavour else _flavoured(cls, flavour.flavour_for_caller())
        make = super(KerasLayer, concrete).__new__
        if make is object.__new__:
            return make(concrete)
        return make(concrete, *args, **kwargs)

    # The Keras layer methods tensorflow_hub's class has, visible on this class too
    # (`hub.KerasLayer.get_config`). `call` and `get_config` are both flavours' (each
    # flavour marks `call` as not to be converted by AutoGraph); compute_output_shape
    # differs, so each flavour class defines its own, and this one only passes on.
    def call(self, inputs: Any, training: Any = None) -> Any:
        return self._hub_call(inputs, training)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return super().compute_output_shape(input_shape)  # type: ignore[misc]

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()  # type: ignore[misc] - the Keras Layer's
        config.update(self._hub_config())
        return config

    @classmethod
    def from_config(cls, config: Dict[str, Any]) -> Any:
        if not cls._hub_flavour:  # e.g. custom_objects={"KerasLayer": hub.KerasLayer}
            return _flavoured(cls, flavour.flavour_for_caller()).from_config(config)
        return super().from_config(config)  # type: ignore[misc] - the Keras Layer's


class _ConstructorSignature:
    """``inspect.signature(hub.KerasLayer)`` shows the constructor's parameters, not
    ``__new__``'s ``*args, **kwargs``; subclasses (flavours, users') get their own."""

    def __get__(self, instance: Any, owner: type) -> Optional[inspect.Signature]:
        below = owner.__mro__[:owner.__mro__.index(KerasLayer)] if KerasLayer in owner.__mro__ else ()
        if instance is not None or any("__init__" in vars(k) or "__new__" in vars(k) for k in below):
            return None  # inspect then reads the class as usual
        init = inspect.signature(HubLayerCore.__init__)
        return init.replace(parameters=list(init.parameters.values())[1:])


KerasLayer.__signature__ = _ConstructorSignature()  # type: ignore[attr-defined]


def _flavoured(cls: type, which: str) -> type:
    """``cls`` (``KerasLayer`` or a user subclass of it) as a ``which`` layer."""
    base = flavour.flavour_module(which).KerasLayer
    if cls is KerasLayer:
        return base
    key = (cls, which)
    if key not in _FLAVOURED:
        _FLAVOURED[key] = type(cls.__name__, (cls, base),
                               {"__module__": cls.__module__, "__qualname__": cls.__qualname__})
    return _FLAVOURED[key]
