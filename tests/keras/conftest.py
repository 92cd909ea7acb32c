"""Fixtures for the KerasLayer tests: tiny models written by TF's own APIs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

tf = pytest.importorskip("tensorflow")

from tests.keras import tf1_module_builder


def keras3_or_skip():
    """The Keras 3 module, or a skip when tf.keras is Keras 2 here."""
    from tfhub.keras import flavour

    if flavour.which_keras() != flavour.KERAS3:
        pytest.skip("needs Keras 3 (TF 2.16+ without TF_USE_LEGACY_KERAS)")
    import keras

    return keras


def keras2_or_skip():
    """The Keras 2 module (tf.keras on TF 2.15, tf_keras otherwise), or a skip."""
    from tfhub.keras import flavour

    if flavour.which_keras() != flavour.KERAS2:
        pytest.skip("needs Keras 2 as tf.keras (TF 2.15 or TF_USE_LEGACY_KERAS=1)")
    return tf.keras


def save_reusable_model(path: Path) -> Path:
    """Writes a Reusable SavedModel: y = x @ w + b, two inputs, one output.

    ``__call__(x, training)`` counts training-mode calls in the non-trainable
    ``train_calls``; ``regularization_losses`` holds 0.01 * |w|^2; signatures
    ``serving_default`` and ``two`` return {"y", "double"}.
    """
    root = tf.train.Checkpoint()
    w = tf.Variable([[1.0], [2.0]], name="w")
    b = tf.Variable([0.5], name="b")
    train_calls = tf.Variable(0, trainable=False, name="train_calls")
    spec = tf.TensorSpec([None, 2], tf.float32)

    @tf.function
    def call(x, training=False):
        if training:
            train_calls.assign_add(1)
        return tf.matmul(x, w) + b

    for training in (True, False):
        call.get_concrete_function(spec, training)
    root.__call__ = call
    root.variables = [w, b, train_calls]
    root.trainable_variables = [w, b]
    root.regularization_losses = [
        tf.function(lambda: 0.01 * tf.reduce_sum(w ** 2), input_signature=[])]
    signature = tf.function(lambda x: {"y": call(x), "double": 2.0 * call(x)},
                            input_signature=[spec])
    tf.saved_model.save(root, str(path), signatures={"serving_default": signature,
                                                     "two": signature})
    return path


@pytest.fixture
def reusable_model(tmp_path: Path) -> str:
    return str(save_reusable_model(tmp_path / "reusable"))


@pytest.fixture
def half_plus_two_v1(half_plus_two_dir: Path) -> str:
    """The real TF1 Hub format module, extracted (root conftest)."""
    return str(half_plus_two_dir)


@pytest.fixture
def tf1_bn_module(tmp_path: Path) -> str:
    """A TF1 Hub format module with batch norm, an L2 loss and a train variant.

    Written in a subprocess so its graph-mode TF1 code cannot disturb the
    eager state of the test process.
    """
    path = tmp_path / "tf1_bn_module"
    subprocess.run([sys.executable, tf1_module_builder.__file__, str(path)], check=True,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    return str(path)
