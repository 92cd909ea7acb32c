"""Inputs for calling a real model's signature, made the way its MANIFEST says.

Batch 1, other unknown dimensions 4, zeros for numbers, "hello" for strings,
and for strings the graph parses with ParseExample: serialized tf.Examples
holding every feature the parse op reads, with the dtype and shape it wants.
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import numpy as np
import tensorflow as tf

_PARSE_OPS = ("ParseExample", "ParseExampleV2")


def _const(tensor: tf.Tensor) -> np.ndarray:
    return tf.make_ndarray(tensor.op.get_attr("value"))


def _parse_specs_in_graph(graph) -> List[Tuple[str, tf.DType, List[int]]]:
    specs = []
    for op in graph.get_operations():
        if op.type == "ParseExampleV2":
            tdense = op.get_attr("Tdense")
            shapes = op.get_attr("dense_shapes")
            keys = [k.decode() for k in _const(op.inputs[3]).ravel()]  # dense_keys
            specs += [(k, d, _dims(s)) for k, d, s in zip(keys, tdense, shapes)]
            for key, dtype in zip(_const(op.inputs[2]).ravel(), op.get_attr("sparse_types")):
                specs.append((key.decode(), dtype, [1]))
        elif op.type == "ParseExample":
            n_sparse, n_dense = op.get_attr("Nsparse"), op.get_attr("Ndense")
            sparse_keys = [_const(t).item().decode() for t in op.inputs[2:2 + n_sparse]]
            dense_keys = [_const(t).item().decode() for t in op.inputs[2 + n_sparse:2 + n_sparse + n_dense]]
            specs += [(k, d, _dims(s)) for k, d, s in zip(dense_keys, op.get_attr("Tdense"), op.get_attr("dense_shapes"))]
            specs += [(k, d, [1]) for k, d in zip(sparse_keys, op.get_attr("sparse_types"))]
    return specs


def _dims(shape_proto) -> List[int]:  # TensorShapeProto
    dims = tf.TensorShape(shape_proto)
    return [] if dims.rank is None else [d if d is not None else 1 for d in dims.as_list()]


def _feature(dtype: tf.DType, shape: List[int]) -> tf.train.Feature:
    count = int(np.prod([d if d and d > 0 else 1 for d in shape])) if shape else 1
    if dtype == tf.string:
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"hello"] * count))
    if dtype.is_floating:
        return tf.train.Feature(float_list=tf.train.FloatList(value=[0.0] * count))
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[0] * count))


def example_for(function) -> bytes | None:  # a ConcreteFunction
    """A serialized tf.Example satisfying every ParseExample op of ``function``."""
    specs = _parse_specs_in_graph(function.graph)
    for inner in function.graph._functions.values():  # nested function graphs
        inner_graph = getattr(inner, "graph", None)
        if inner_graph is not None:
            specs += _parse_specs_in_graph(inner_graph)
    if not specs:
        return None
    features = {key: _feature(dtype, shape) for key, dtype, shape in specs}
    return tf.train.Example(features=tf.train.Features(feature=features)).SerializeToString()


def inputs_for(function) -> Dict[str, tf.Tensor]:  # a ConcreteFunction
    """Keyword inputs for a signature function."""
    example = None
    kwargs = {}
    for name, spec in function.structured_input_signature[1].items():
        if spec.shape.rank is None:
            shape = [1]
        else:
            shape = [1 if i == 0 and d is None else 4 if d is None else d for i, d in enumerate(spec.shape)]
        if name.endswith("dense_shape"):  # a SparseTensor input, split in three
            kwargs[name] = tf.ones(shape, spec.dtype)
        elif spec.dtype == tf.string:
            if example is None:
                example = example_for(function) or b"hello"
            kwargs[name] = tf.fill(shape, tf.constant(example))
        else:
            kwargs[name] = tf.zeros(shape, spec.dtype)
    return kwargs
