"""``hub.KerasLayer`` as a Keras 3 layer (``import keras``, TF backend).

Import this module explicitly to get the Keras 3 class whatever ``tf.keras``
is; ``tfhub.KerasLayer`` picks a flavour by :func:`tfhub.keras.flavour.which_keras`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional

import keras

from tfhub.keras.layer_core import HubLayerCore

if not keras.__version__.startswith("3."):  # pragma: no cover - environment guard
    raise ImportError(
        f"tfhub.keras.keras3 needs Keras 3, but `import keras` gives {keras.__version__}; "
        "use tfhub.keras.keras2.KerasLayer with this environment.")


@keras.saving.register_keras_serializable(package="tfhub", name="KerasLayer")
class KerasLayer(HubLayerCore, keras.layers.Layer):
    """Wraps a TF Hub model (SavedModel or TF1 Hub format) as a Keras 3 layer.

    Args:
        handle: a model URL or path, or a callable object.
        trainable: whether the model's variables are fine-tuned.
        arguments: extra keyword arguments passed on every call.
        _sentinel: unused; keeps later arguments keyword-only as in
            tensorflow_hub.
        tags: the graph variant to load (string handles only).
        signature: call this SavedModel signature instead of ``__call__``.
        signature_outputs_as_dict: return the signature's whole output dict.
        output_key: return this entry of the signature's outputs.
        output_shape: the output shape without batch dimension, or a nest.
        load_options: ``tf.saved_model.LoadOptions`` (string handles only).
        **kwargs: passed to ``keras.layers.Layer`` (``name``, ``dtype``...).

    Raises:
        KerasLayerArgumentError: arguments that do not fit together or the model.
        KerasLayerOutputShapeError: ``output_shape`` is not a shape nest.
    """

    def __init__(self, handle: Any, trainable: bool = False,
                 arguments: Optional[Dict[str, Any]] = None, _sentinel: Any = None,
                 tags: Optional[Iterable[str]] = None, signature: Optional[str] = None,
                 signature_outputs_as_dict: Optional[bool] = None,
                 output_key: Optional[str] = None, output_shape: Any = None,
                 load_options: Any = None, **kwargs: Any) -> None:
        super().__init__(trainable=trainable, **kwargs)
        self._hub_loss_fns: List[Callable[[], Any]] = []
        self._hub_setup(handle, trainable, arguments, tags, signature,
                        signature_outputs_as_dict, output_key, output_shape, load_options)
        self.built = True

    def _hub_track_variable(self, variable: Any, trainable: bool) -> None:
        # A Keras 3 TF-backend Variable built from a tf.Variable wraps it (no copy).
        wrapped = keras.Variable(
            initializer=variable, trainable=trainable, dtype=variable.dtype,
            shape=variable.shape, name=variable.name.split(":")[0].replace("/", "_"))
        self._track_variable(wrapped)

    def _hub_register_losses(self, losses: List[Callable[[], Any]]) -> None:
        self._hub_loss_fns = list(losses)

    def _get_own_losses(self) -> List[Any]:
        # Keras 3 has no callable losses: evaluate them whenever losses are read.
        return super()._get_own_losses() + [loss() for loss in self._hub_loss_fns]

    def _hub_default_training(self) -> Any:
        return False

    def call(self, inputs: Any, training: Any = None) -> Any:
        return self._hub_call(inputs, training)

    def get_config(self) -> Dict[str, Any]:
        config = super().get_config()
        config.update(self._hub_config())
        return config
