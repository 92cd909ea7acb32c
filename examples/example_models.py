"""Small example models, written with TensorFlow's own APIs.

Used by ``make demo`` and by the tests: a TF2 SavedModel (a reusable
``tf.Module`` with ``__call__``, variables and a serving signature) and a model
in the TF1 Hub format (a TF1 graph SavedModel plus ``tfhub_module.pb``).
"""

from __future__ import annotations

import os
from pathlib import Path

import tensorflow as tf

# tfhub_module.pb of the TF1 Hub format: a ModuleDef proto with format FORMAT_V3.
MODULE_DEF_V3 = b"\x08\x03"


def write_tf2_saved_model(path: os.PathLike, scale: float = 3.0, offset: float = 1.0) -> Path:
    """A reusable TF2 SavedModel computing ``x * scale + offset`` on [batch, 1] floats.

    It follows the Reusable SavedModel convention: ``__call__``, ``variables``,
    ``trainable_variables`` and ``regularization_losses``, plus a serving signature.
    """
    scale_var = tf.Variable([[scale]], name="scale")
    offset_var = tf.Variable([offset], name="offset")

    @tf.function(input_signature=[tf.TensorSpec([None, 1], tf.float32, name="x")])
    def call(x: tf.Tensor) -> tf.Tensor:
        return tf.matmul(x, scale_var) + offset_var

    @tf.function(input_signature=[])
    def l2_loss() -> tf.Tensor:
        return 0.01 * tf.reduce_sum(scale_var ** 2)

    obj = tf.train.Checkpoint()
    obj.__call__ = call
    obj.variables = [scale_var, offset_var]
    obj.trainable_variables = [scale_var, offset_var]
    obj.regularization_losses = [l2_loss]
    tf.saved_model.save(obj, os.fspath(path), signatures={"serving_default": call})
    return Path(path)


def write_tf1_hub_module(path: os.PathLike, slope: float = 0.5, intercept: float = 2.0) -> Path:
    """A TF1 Hub format module with signature ``default``: ``x * slope + intercept``."""
    path = Path(path)
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 1], name="x")
        slope_var = tf.compat.v1.get_variable("slope", initializer=tf.constant([[slope]]))
        intercept_var = tf.compat.v1.get_variable("intercept", initializer=tf.constant([intercept]))
        y = tf.add(tf.matmul(x, slope_var), intercept_var, name="y")
        signature = tf.compat.v1.saved_model.build_signature_def(
            inputs={"default": tf.compat.v1.saved_model.build_tensor_info(x)},
            outputs={"default": tf.compat.v1.saved_model.build_tensor_info(y)},
        )
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            builder = tf.compat.v1.saved_model.Builder(os.fspath(path))
            builder.add_meta_graph_and_variables(session, tags=[], signature_def_map={"default": signature})
            builder.save()
    (path / "tfhub_module.pb").write_bytes(MODULE_DEF_V3)
    return path
