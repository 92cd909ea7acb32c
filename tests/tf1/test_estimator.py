"""Acceptance 4: a real tf.estimator trains a model with a hub.Module and exports it."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tfhub as hub
from tfhub import errors
from tests.tf1 import module_fns

v1 = tf.compat.v1


def _estimator_or_skip():
    try:
        return tf.compat.v1.estimator
    except (AttributeError, ImportError):
        pytest.skip(f"TensorFlow {tf.__version__} has no tf.estimator (runs in the TF 2.15 lane)")


def test_exporter_without_estimator_raises_import_error():
    if hasattr(tf.compat.v1, "estimator"):
        pytest.skip("this TensorFlow has tf.estimator")
    with pytest.raises(ImportError, match="tensorflow-estimator") as info:
        hub.LatestModuleExporter("hub", lambda: None)
    assert isinstance(info.value, errors.EstimatorMissingError)


def test_register_twice_is_an_error(graph):
    module = hub.Module(hub.create_module_spec(module_fns.double_fn))
    hub.register_module_for_export(module, "m")
    with pytest.raises(ValueError, match="already a module registered to be exported as 'm'"):
        hub.register_module_for_export(module, "m")


def _model_fn(spec):
    def model_fn(features, labels, mode, config):
        module = hub.Module(spec, trainable=True)
        hub.register_module_for_export(module, "affine")
        predictions = module(features["x"])
        loss, train_op = None, None
        if mode != tf.estimator.ModeKeys.PREDICT:
            loss = tf.reduce_mean(tf.square(predictions - labels))
            train_op = v1.train.GradientDescentOptimizer(0.05).minimize(
                loss, global_step=v1.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, predictions=predictions, loss=loss,
                                          train_op=train_op)

    return model_fn


def test_estimator_trains_and_latest_module_exporter_exports(tmp_path):
    estimator_lib = _estimator_or_skip()
    spec = hub.create_module_spec(module_fns.affine_fn)
    estimator = estimator_lib.Estimator(_model_fn(spec), model_dir=str(tmp_path / "model"))
    x = np.random.RandomState(0).rand(32, 3).astype(np.float32)
    y = x @ np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]], np.float32)

    def input_fn():
        return tf.data.Dataset.from_tensors(({"x": x}, y)).repeat()

    estimator.train(input_fn, steps=20)

    def serving_input_fn():
        placeholder = v1.placeholder(tf.float32, [None, 3])
        return tf.estimator.export.ServingInputReceiver({"x": placeholder}, {"x": placeholder})

    exporter = hub.LatestModuleExporter("hub", serving_input_fn, exports_to_keep=1)
    assert exporter.name == "hub"
    export_dir = exporter.export(estimator, str(tmp_path / "export"))
    assert isinstance(export_dir, bytes)
    trained_w = estimator.get_variable_value("module/w")
    trained_b = estimator.get_variable_value("module/b")
    assert not np.allclose(trained_w, 1.0)
    with hub.eval_function_for_module(export_dir.decode() + "/affine") as f:
        np.testing.assert_allclose(f(x[:2]), x[:2] @ trained_w + trained_b, rtol=1e-5)
    assert [p.name for p in (tmp_path / "export").iterdir()] == [
        export_dir.decode().rsplit("/", 1)[1]]
