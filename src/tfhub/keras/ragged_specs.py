"""Symbolic calls of a Keras 3 ``hub.KerasLayer`` that keep RaggedTensors ragged.

Keras 3 traces a layer on dense placeholders and describes each output as a dense
``KerasTensor``. A TF Hub model whose functions return or take RaggedTensors (a BERT
preprocessor's ``tokenize`` and ``bert_pack_inputs``) then breaks in the Functional
API: ``tokenize``'s ragged output becomes a dense ``KerasTensor``, and tracing
``bert_pack_inputs`` on a dense placeholder matches none of its signatures. Here a
ragged ``KerasTensor`` is traced as a ragged placeholder and a ragged output is
described by a ragged ``KerasTensor`` (Keras 3 versions whose ``KerasTensor`` has no
``ragged`` get the dense description, as before).
"""

from __future__ import annotations

from typing import Any, Callable, Tuple

import keras
from keras.src import backend as keras_backend  # compute_output_spec: not in keras.backend

from tfhub._tf import tensorflow


class _RaggedSpec:
    """A ragged value's type, carried through Keras' tracing as an opaque leaf."""

    def __init__(self, shape: Tuple[Any, ...], dtype: Any, ragged_rank: int,
                 row_splits_dtype: Any) -> None:
        self.shape, self.dtype = tuple(shape), dtype
        self.ragged_rank, self.row_splits_dtype = ragged_rank, row_splits_dtype

    def placeholder(self) -> Any:
        """A ragged placeholder of this type, in the graph being traced."""
        tf = tensorflow()
        values = tf.compat.v1.placeholder(self.dtype, [None, *self.shape[self.ragged_rank + 1:]])
        for _ in range(self.ragged_rank):
            splits = tf.compat.v1.placeholder(self.row_splits_dtype, [None])
            values = tf.RaggedTensor.from_row_splits(values, splits, validate=False)
        return values

    def keras_tensor(self) -> Any:
        """The ragged KerasTensor of this type (dense where Keras has none)."""
        try:
            return keras.KerasTensor(self.shape, self.dtype, ragged=True, ragged_rank=self.ragged_rank,
                                     row_splits_dtype=self.row_splits_dtype)
        except TypeError:  # a Keras 3 without ragged KerasTensors
            return keras.KerasTensor(self.shape, self.dtype)


def _hide(value: Any) -> Any:
    if isinstance(value, keras.KerasTensor) and getattr(value, "ragged", False):
        rank = getattr(value, "ragged_rank", None) or len(value.shape) - 1
        return _RaggedSpec(value.shape, value.dtype, rank,
                           getattr(value, "row_splits_dtype", None) or "int64")
    return value


def _describe(value: Any) -> Any:
    tf = tensorflow()
    if isinstance(value, tf.RaggedTensor):
        return _RaggedSpec(tuple(value.shape.as_list()), value.dtype.name, value.ragged_rank,
                           value.row_splits.dtype.name)
    return value


def compute_output_spec(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The KerasTensors ``call`` returns for KerasTensor inputs, ragged ones kept ragged."""
    tf = tensorflow()

    def traced(*inner_args: Any, **inner_kwargs: Any) -> Any:
        inner_args, inner_kwargs = tf.nest.map_structure(
            lambda v: v.placeholder() if isinstance(v, _RaggedSpec) else v, (inner_args, inner_kwargs))
        return tf.nest.map_structure(_describe, call(*inner_args, **inner_kwargs))

    args, kwargs = keras.tree.map_structure(_hide, (args, kwargs))
    spec = keras_backend.compute_output_spec(traced, *args, **kwargs)
    return keras.tree.map_structure(
        lambda v: v.keras_tensor() if isinstance(v, _RaggedSpec) else v, spec)
