"""``hub.KerasLayer`` as a Keras 3 layer (``import keras``, TF backend).

Import this module explicitly to get the Keras 3 class whatever ``tf.keras``
is; ``hub.KerasLayer(...)`` picks a flavour by :func:`tfhub.keras.flavour.flavour_for_caller`.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

import keras

from tfhub._tf import tensorflow
from tfhub.keras import bound_call, flavour, ragged_specs, rules
from tfhub.keras.layer import KerasLayer as HubKerasLayer

if not keras.__version__.startswith("3."):  # pragma: no cover - environment guard
    raise ImportError(
        f"tfhub.keras.keras3 needs Keras 3, but `import keras` gives {keras.__version__}; "
        "use tfhub.keras.keras2.KerasLayer with this environment.")


@keras.saving.register_keras_serializable(package="tfhub", name="KerasLayer")
class KerasLayer(HubKerasLayer, keras.layers.Layer):
    """``hub.KerasLayer`` for Keras 3; arguments as in :class:`HubLayerCore`."""

    _hub_flavour = flavour.KERAS3

    # Set by _hub_register_losses; read by _get_own_losses.
    _hub_loss_fns: Tuple[Callable[[], Any], ...] = ()

    # Set by _hub_finish_setup for input_shape= with a non-float dtype.
    _hub_batch_input_shape: Optional[Tuple[Any, ...]] = None

    def _hub_finish_setup(self) -> None:
        self.built = True  # no weights to build: they come from the loaded model
        # Keras 3's Sequential turns a first layer's input_shape= into a
        # float32 Input, whatever the layer's dtype; for a string (or int)
        # model, let it build its Input from input_shape and compute_dtype.
        shape = getattr(self, "_input_shape_arg", None)
        if shape is not None and not keras.backend.is_float_dtype(self.compute_dtype):
            self._hub_batch_input_shape = (None, *shape)
            self._input_shape_arg = None

    @property
    def input_shape(self) -> Tuple[Any, ...]:
        """The batch input shape given by ``input_shape=`` with a non-float dtype."""
        if self._hub_batch_input_shape is None:
            raise AttributeError(f"hub.KerasLayer {self.name!r} has no input_shape")
        return self._hub_batch_input_shape

    def _hub_track_variable(self, variable: Any, trainable: bool) -> None:
        # A Keras 3 TF-backend Variable built from a tf.Variable wraps it (no copy).
        wrapped = keras.Variable(
            initializer=variable, trainable=trainable, dtype=variable.dtype,
            shape=variable.shape, name=variable.name.split(":")[0].replace("/", "_"))
        self._track_variable(wrapped)

    def _hub_register_losses(self, losses: List[Callable[[], Any]]) -> None:
        self._hub_loss_fns = tuple(losses)

    def _get_own_losses(self) -> List[Any]:
        # Keras 3 has no callable losses: evaluate them whenever losses are read.
        return super()._get_own_losses() + [loss() for loss in self._hub_loss_fns]

    def _hub_default_training(self) -> Any:
        return False

    call = bound_call.UnconvertedCall(HubKerasLayer.call)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        # Keras 3 takes only tensors positionally; tensorflow_hub's layer (a
        # Keras 2 layer) also takes Python values, e.g. layer(["a text"]).
        # Those never come from a model, so call the function directly.
        if rules.is_python_value(inputs):
            return self.call(inputs, *args, **kwargs)
        return super().__call__(inputs, *args, **kwargs)

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        # Trace call, not Layer's way of building specs from compute_output_shape
        # (that would give every output the layer's dtype); keep ragged values ragged.
        return ragged_specs.compute_output_spec(self.call, *args, **kwargs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            spec = self.compute_output_spec(keras.KerasTensor(input_shape, self.compute_dtype))
            return tensorflow().nest.map_structure(lambda t: tuple(t.shape), spec)
        shapes = rules.output_shape_with_batch(input_shape, self._output_shape)
        return tensorflow().nest.map_structure(lambda s: tuple(s.as_list()), shapes)
