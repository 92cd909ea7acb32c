"""``hub.KerasLayer`` as a Keras 2 layer (``tf_keras``, or ``tf.keras`` on TF 2.15).

Import this module explicitly to get the Keras 2 class whatever ``tf.keras``
is; ``hub.KerasLayer(...)`` picks a flavour by :func:`tfhub.keras.flavour.flavour_for_caller`.
"""

from __future__ import annotations

import types
from typing import Any, Callable, List

from tfhub._tf import tensorflow
from tfhub.keras import bound_call, flavour, rules
from tfhub.keras.layer import KerasLayer as HubKerasLayer


def _keras2() -> types.ModuleType:
    """tf.keras when it is Keras 2, else the ``tf_keras`` package.

    Raises:
        ImportError: neither is available.
    """
    if flavour.which_keras() == flavour.KERAS2:
        return tensorflow().keras
    try:
        import tf_keras as legacy
    except ImportError as exc:
        raise ImportError(
            "tfhub.keras.keras2 needs Keras 2: install it with `pip install tf_keras` "
            "(matching your TensorFlow version), or use tfhub.keras.keras3.") from exc
    return legacy


keras2 = _keras2()


@keras2.utils.register_keras_serializable(package="tfhub", name="KerasLayer")
class KerasLayer(HubKerasLayer, keras2.layers.Layer):
    """``hub.KerasLayer`` for Keras 2; arguments as in :class:`HubLayerCore`."""

    _hub_flavour = flavour.KERAS2

    def _hub_track_variable(self, variable: Any, trainable: bool) -> None:
        self.add_weight(name=variable.name.split(":")[0], shape=variable.shape,
                        dtype=variable.dtype, trainable=trainable,
                        getter=lambda *_, **__: variable)

    def _hub_register_losses(self, losses: List[Callable[[], Any]]) -> None:
        for loss in losses:
            self.add_loss(loss)

    def _hub_default_training(self) -> Any:
        return keras2.backend.learning_phase()

    call = bound_call.UnconvertedCall(HubKerasLayer.call)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        return rules.output_shape_with_batch(input_shape, self._output_shape)
