"""Writes a TF1 Hub format module with plain TF1 APIs (run as a script).

Graph: x[None, 2] -> dense(w: 2x1, b) -> batch norm (moving mean/variance in
UPDATE_OPS) -> "default". An L2 regularizer on w is in REGULARIZATION_LOSSES.
Tag sets: {} (inference: batch norm uses moving statistics) and {"train"}
(batch statistics plus moving-average updates). Both share one checkpoint.
"""

from __future__ import annotations

import os
import sys

import tensorflow as tf

v1 = tf.compat.v1


def _build(training: bool):
    x = v1.placeholder(tf.float32, [None, 2], name="x")
    w = v1.get_variable("w", [2, 1], initializer=v1.constant_initializer([[1.0], [-1.0]]),
                        regularizer=lambda t: 0.1 * tf.reduce_sum(tf.square(t)),
                        use_resource=True)
    b = v1.get_variable("b", [1], initializer=v1.zeros_initializer(), use_resource=True)
    h = tf.matmul(x, w) + b
    return x, _batch_norm(h, training)


def _batch_norm(h, training: bool, momentum: float = 0.5):
    """Batch norm from plain ops; the moving averages go to UPDATE_OPS."""
    with v1.variable_scope("bn"):
        def var(name, init, trainable=True):
            return v1.get_variable(name, [1], initializer=v1.constant_initializer(init),
                                   trainable=trainable, use_resource=True)
        gamma, beta = var("gamma", 1.0), var("beta", 0.0)
        moving_mean = var("moving_mean", 0.0, trainable=False)
        moving_variance = var("moving_variance", 1.0, trainable=False)
        if training:
            mean, variance = tf.nn.moments(h, axes=[0])
            for moving, batch in ((moving_mean, mean), (moving_variance, variance)):
                update = v1.assign_sub(moving, (moving - batch) * (1.0 - momentum))
                v1.add_to_collection(v1.GraphKeys.UPDATE_OPS, update.op)
        else:
            mean, variance = moving_mean, moving_variance
        return tf.nn.batch_normalization(h, mean, variance, beta, gamma, 1e-3)


def write_module(path: str) -> None:
    """Exports the module to ``path`` (tag sets [] and ["train"])."""
    builder = v1.saved_model.Builder(path)
    for tags in ([], ["train"]):
        graph = tf.Graph()
        with graph.as_default():
            x, y = _build(training=bool(tags))
            signature = v1.saved_model.build_signature_def(
                inputs={"default": v1.saved_model.build_tensor_info(x)},
                outputs={"default": v1.saved_model.build_tensor_info(y)})
            with v1.Session(graph=graph) as session:
                session.run(v1.global_variables_initializer())
                if not tags:
                    builder.add_meta_graph_and_variables(
                        session, tags, signature_def_map={"default": signature},
                        strip_default_attrs=True)
                else:
                    builder.add_meta_graph(tags, signature_def_map={"default": signature},
                                           strip_default_attrs=True)
    builder.save()
    with open(os.path.join(path, "tfhub_module.pb"), "wb") as module_def:
        module_def.write(b"\x08\x03")  # ModuleDef{format: FORMAT_V3}


if __name__ == "__main__":
    v1.disable_eager_execution()
    write_module(sys.argv[1])
