"""Acceptance 3: fine-tuning a TF1 Hub format module in a graph."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

import tfhub as hub
from tests.tf1 import module_fns

v1 = tf.compat.v1

_TAGS_AND_ARGS = [({"train"}, {"is_training": True}), (set(), {"is_training": False})]


def _train(module, steps: int = 30):
    x = tf.constant([[1.0, 2.0], [2.0, 1.0], [3.0, 0.0]])
    target = tf.constant([[3.0], [3.0], [3.0]])
    loss = tf.reduce_mean(tf.square(module(x) - target)) + tf.add_n(
        v1.losses.get_regularization_losses())
    optimizer = v1.train.GradientDescentOptimizer(0.05)
    with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
        train_op = optimizer.minimize(loss)
    with v1.Session() as session:
        session.run(v1.global_variables_initializer())
        first = session.run(loss)
        for _ in range(steps):
            session.run(train_op)
        moving_mean = session.run(module.variable_map["batch_norm/moving_mean"])
        return first, session.run(loss), moving_mean


def test_trainable_module_trains_with_regularization_and_update_ops():
    spec = hub.create_module_spec(module_fns.trainable_fn, _TAGS_AND_ARGS)
    assert spec.get_tags() == [frozenset(), frozenset({"train"})]
    with tf.Graph().as_default():
        module = hub.Module(spec, trainable=True, tags={"train"})
        assert [v.op.name for v in v1.trainable_variables()] == ["module/w"]
        assert len(v1.losses.get_regularization_losses()) == 1
        assert v1.get_collection(v1.GraphKeys.UPDATE_OPS) == []  # imported on application
        first, last, moving_mean = _train(module)
        assert len(v1.get_collection(v1.GraphKeys.UPDATE_OPS)) == 1
    assert last < first / 10
    np.testing.assert_allclose(moving_mean, [2.0, 1.0], atol=1e-3)


def test_non_trainable_module_has_no_trainable_variables_or_losses():
    spec = hub.create_module_spec(module_fns.trainable_fn, _TAGS_AND_ARGS)
    with tf.Graph().as_default():
        module = hub.Module(spec, tags={"train"})
        module([[1.0, 2.0]])
        assert v1.trainable_variables() == []
        assert v1.losses.get_regularization_losses() == []
        assert v1.get_collection(v1.GraphKeys.UPDATE_OPS) == []
        assert len(module.variables) == 2


def test_trained_values_survive_export(tmp_path):
    spec = hub.create_module_spec(module_fns.trainable_fn, _TAGS_AND_ARGS)
    with tf.Graph().as_default():
        module = hub.Module(spec, trainable=True, tags={"train"})
        w = module.variable_map["w"]
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            session.run(w.assign([[1.0], [-1.0]]))
            module.export(str(tmp_path / "trained"), session)
    with hub.eval_function_for_module(str(tmp_path / "trained")) as f:
        np.testing.assert_allclose(f([[5.0, 2.0]]), [[3.0]])
    with hub.eval_function_for_module(str(tmp_path / "trained"), tags={"train"}) as f:
        np.testing.assert_allclose(f([[1.0, 4.0]]), [[-3.0]])
