"""Acceptance 1: tensorflow_hub and tfhub resolve and load models served by `tfhub serve`."""

from __future__ import annotations

import os

import numpy as np
import pytest

from tests.server.conftest import TF1_PATH, TF2_PATH

X = np.array([[1.0], [2.0], [10.0]], dtype=np.float32)


def _check_both(hub, server) -> None:  # tensorflow_hub or tfhub
    import tensorflow as tf

    scaler = hub.load(server.url + TF2_PATH)
    np.testing.assert_allclose(scaler(tf.constant(X)).numpy(), 3 * X + 1)
    module = hub.load(server.url + TF1_PATH)
    outputs = module.signatures["default"](default=tf.constant(X))
    np.testing.assert_allclose(outputs["default"].numpy(), 0.5 * X + 2)


def test_tensorflow_hub_resolves_and_loads_served_models(server, cache_dir):
    tensorflow_hub = pytest.importorskip("tensorflow_hub")
    path = tensorflow_hub.resolve(server.url + TF2_PATH)
    assert os.path.dirname(path) == str(cache_dir)
    _check_both(tensorflow_hub, server)
    requests_seen = server.wait_for_log(lambda r: r["query"] == "tf-hub-format=compressed")
    assert requests_seen and {r["status"] for r in requests_seen} == {200}


def test_tfhub_resolves_and_loads_served_models(server, cache_dir):
    import tfhub

    assert os.path.dirname(tfhub.resolve(server.url + TF1_PATH)) == str(cache_dir)
    _check_both(tfhub, server)


def test_keras_layer_over_served_model(server):
    import tensorflow as tf

    import tfhub

    layer = tfhub.KerasLayer(server.url + TF2_PATH)
    np.testing.assert_allclose(layer(tf.constant(X)).numpy(), 3 * X + 1)


def test_tensorflow_hub_module_in_graph_mode_on_tf215(server):
    """hub.Module exists in tensorflow_hub 0.15 only (the TF 2.15 lane)."""
    tensorflow_hub = pytest.importorskip("tensorflow_hub")
    if not hasattr(tensorflow_hub, "Module"):
        pytest.skip(f"tensorflow_hub {tensorflow_hub.__version__} has no hub.Module")
    import tensorflow as tf

    with tf.Graph().as_default():
        module = tensorflow_hub.Module(server.url + TF1_PATH)
        y = module(tf.constant(X))
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            np.testing.assert_allclose(session.run(y), 0.5 * X + 2)
