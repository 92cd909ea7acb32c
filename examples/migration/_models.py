"""Tiny models the migration examples make for themselves (offline)."""

from __future__ import annotations

import os

import tensorflow as tf


def write_reusable_tf2(path: str) -> str:
    """A reusable TF2 SavedModel: y = x @ w + 1 with w = [[2], [3]]; ``__call__(x, training)``."""
    root = tf.train.Checkpoint()
    w = tf.Variable([[2.0], [3.0]], name="w")

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def call(x):
        return tf.matmul(x, w) + 1.0

    root.__call__, root.variables, root.trainable_variables = call, [w], [w]
    root.regularization_losses = []
    tf.saved_model.save(root, path, signatures={"serving_default": call})
    return path


def write_tf1_hub_module(path: str) -> str:
    """A TF1 Hub format module: signature "mix"(x1, x2) -> {"sum", "prod"} and "default"."""
    v1 = tf.compat.v1
    with tf.Graph().as_default() as graph:
        x1 = v1.placeholder(tf.float32, [None], name="x1")
        x2 = v1.placeholder(tf.float32, [None], name="x2")
        k = v1.get_variable("k", initializer=2.0, use_resource=True)
        info = v1.saved_model.build_tensor_info
        mix = v1.saved_model.build_signature_def(
            inputs={"x1": info(x1), "x2": info(x2)},
            outputs={"sum": info(x1 + x2), "prod": info(k * x1 * x2)})
        default = v1.saved_model.build_signature_def(inputs={"default": info(x1)},
                                                     outputs={"default": info(k * x1)})
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            builder = v1.saved_model.Builder(path)
            builder.add_meta_graph_and_variables(
                session, [], signature_def_map={"default": default, "mix": mix})
            builder.save()
    with open(os.path.join(path, "tfhub_module.pb"), "wb") as f:
        f.write(b"\x08\x03")  # ModuleDef{format: FORMAT_V3}
    return path
