"""``text_embedding_column_v2``: a feature column over a TF2 model through ``hub.KerasLayer``."""

from __future__ import annotations

import collections
from typing import Any, Dict

from tfhub._tf import tensorflow

tf = tensorflow()

from tensorflow.python.feature_column import feature_column_v2 as _fc


class TextEmbeddingColumnV2(
        _fc.DenseColumn,
        collections.namedtuple("TextEmbeddingColumnV2",
                               ("key", "module_path", "output_key", "trainable"))):
    """Embeds a string feature with ``hub.KerasLayer(module_path, output_key=...)``."""

    @property
    def _is_v2_column(self) -> bool:
        return True

    @property
    def name(self) -> str:
        return f"{self.key}_hub_module_embedding"

    @property
    def parents(self):
        return [self.key]

    @property
    def _resource_name(self) -> str:
        return f"hub_text_column_{self.key}"

    @property
    def parse_example_spec(self) -> Dict[str, Any]:
        return {self.key: tf.io.FixedLenFeature([1], tf.string)}

    def _layer(self) -> Any:
        from tfhub.keras import KerasLayer

        return KerasLayer(self.module_path, output_key=self.output_key, trainable=self.trainable)

    @property
    def variable_shape(self) -> Any:
        layer = self._layer()
        traced = tf.function(layer).get_concrete_function(tf.TensorSpec([None], tf.string))
        output = traced.structured_outputs
        if not isinstance(output, tf.Tensor):
            raise ValueError("The SavedModel doesn't return a single result on __call__, "
                             f"but {type(output).__name__}. Did you specify the right `output_key`?")
        return output.shape[1:]

    def transform_feature(self, transformation_cache: Any, state_manager: Any) -> Any:
        return transformation_cache.get(self.key, state_manager)

    def create_state(self, state_manager: Any) -> None:
        if not hasattr(state_manager, "has_resource"):
            raise NotImplementedError("text_embedding_column_v2 needs a feature column "
                                      "StateManager with has_resource (TensorFlow 2.3+).")
        state_manager.add_resource(self, self._resource_name, self._layer())

    def get_dense_tensor(self, transformation_cache: Any, state_manager: Any) -> Any:
        text = tf.reshape(transformation_cache.get(self, state_manager), [-1])
        if state_manager is not None and state_manager.has_resource(self, self._resource_name):
            layer = state_manager.get_resource(self, self._resource_name)
        else:
            layer = self._layer()
        return layer(text)

    def get_config(self) -> Dict[str, Any]:
        return dict(zip(self._fields, self))

    @classmethod
    def from_config(cls, config, custom_objects=None, columns_by_name=None):
        return cls(**config)
