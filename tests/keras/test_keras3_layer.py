"""hub.KerasLayer as a Keras 3 layer on TF 2.16+ (acceptance 1, 3, 4)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tfhub as hub
from tests.keras.conftest import keras3_or_skip

X = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0], [-1.0, 1.0]] * 8, dtype="float32")
Y = X @ np.array([[3.0], [-1.0]], dtype="float32") + 1.0


@pytest.fixture
def keras():
    return keras3_or_skip()


def _fit_losses(model, keras, epochs=8):
    model.compile(keras.optimizers.SGD(0.05), "mse")
    return model.fit(X, Y, epochs=epochs, batch_size=8, verbose=0).history["loss"]


def test_is_a_keras3_layer_in_sequential_and_fit_trains(keras, reusable_model):
    layer = hub.KerasLayer(reusable_model, trainable=True)
    assert isinstance(layer, keras.layers.Layer)
    model = keras.Sequential([keras.Input((2,)), layer])
    losses = _fit_losses(model, keras)
    assert losses[-1] < losses[0]
    calls = layer.resolved_object.variables[2]
    assert int(calls.numpy()) > 0  # fit ran the training=True branch
    before = int(calls.numpy())
    model.predict(X, verbose=0)
    assert int(calls.numpy()) == before  # inference did not


def test_functional_api_takes_output_shape_from_signature(keras, reusable_model):
    inputs = keras.Input((2,))
    outputs = hub.KerasLayer(reusable_model, signature="two", output_key="double")(inputs)
    assert tuple(outputs.shape) == (None, 1)
    model = keras.Model(inputs, outputs)
    np.testing.assert_allclose(model.predict(X[:2], verbose=0), 2 * (X[:2] @ [[1.0], [2.0]] + 0.5))


def test_functional_api_fit_and_keras_file_round_trip(keras, reusable_model, tmp_path):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, hub.KerasLayer(reusable_model, trainable=True)(inputs))
    losses = _fit_losses(model, keras)
    assert losses[-1] < losses[0]
    model.save(tmp_path / "m.keras")
    reloaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(reloaded.predict(X, verbose=0), model.predict(X, verbose=0))


def test_output_shape_used_when_signature_does_not_know(keras, half_plus_two_v1):
    inputs = keras.Input((1,))
    outputs = hub.KerasLayer(half_plus_two_v1, output_shape=[1])(inputs)
    assert tuple(outputs.shape) == (None, 1)


def test_subclassed_model(keras, reusable_model):
    class Wrapper(keras.Model):
        def __init__(self):
            super().__init__()
            self.hub_layer = hub.KerasLayer(reusable_model, trainable=True)
            self.head = keras.layers.Dense(1)

        def call(self, x):
            return self.head(self.hub_layer(x))

    model = Wrapper()
    losses = _fit_losses(model, keras)
    assert losses[-1] < losses[0]
    assert len(model.trainable_weights) == 4  # w, b + Dense kernel, bias


def test_exported_model_reloads_with_hub_load(keras, reusable_model, tmp_path):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, hub.KerasLayer(reusable_model)(inputs))
    expected = model.predict(X, verbose=0)
    model.export(str(tmp_path / "exported"))
    exported = hub.load(str(tmp_path / "exported"))  # kept: its functions need its variables
    np.testing.assert_allclose(exported.serve(X).numpy(), expected)

    module = tf.Module()
    module.model = model
    module.__call__ = tf.function(lambda x: model(x),
                                  input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    tf.saved_model.save(module, str(tmp_path / "saved"))
    saved = hub.load(str(tmp_path / "saved"))
    np.testing.assert_allclose(saved(X).numpy(), expected)


def test_half_plus_two_tf1_module_inference(keras, half_plus_two_v1):
    layer = hub.KerasLayer(half_plus_two_v1)
    assert layer.get_config()["signature"] == "default"
    model = keras.Sequential([keras.Input((1,)), layer])
    out = model.predict(np.array([[0.0], [2.0], [10.0]], "float32"), verbose=0)
    np.testing.assert_allclose(out.ravel(), [2.0, 3.0, 7.0])
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == 2


def test_tf1_module_with_train_variant_fine_tunes(keras, tf1_bn_module):
    layer = hub.KerasLayer(tf1_bn_module, trainable=True)
    model = keras.Sequential([keras.Input((2,)), layer])
    moving_mean = [w for w in layer.non_trainable_weights if "moving_mean" in w.name][0]
    assert {w.name for w in layer.trainable_weights} == {"w", "b", "bn_gamma", "bn_beta"}
    np.testing.assert_allclose(model.losses[0].numpy(), 0.2)  # 0.1 * |w|^2

    model.predict(X, verbose=0)
    assert moving_mean.numpy()[0] == 0.0  # inference leaves the moving averages alone
    losses = _fit_losses(model, keras)
    assert losses[-1] < losses[0]
    trained_mean = moving_mean.numpy()[0]
    assert trained_mean != 0.0  # UPDATE_OPS ran in the training steps
    model.predict(X, verbose=0)
    assert moving_mean.numpy()[0] == trained_mean


def test_regularization_losses_follow_trainable(keras, reusable_model):
    layer = hub.KerasLayer(reusable_model, trainable=True)
    np.testing.assert_allclose([float(v) for v in layer.losses], [0.05])
    layer.trainable = False
    assert [float(v) for v in layer.losses] == [0.0]
    assert layer.trainable_weights == []


def test_frozen_layer_with_regularization_loss_fits(keras, reusable_model):
    # Keras 3's fit reads the dtype of every loss: the frozen layer's zero must be a tensor.
    model = keras.Sequential([keras.Input((2,)), hub.KerasLayer(reusable_model), keras.layers.Dense(1)])
    losses = _fit_losses(model, keras, epochs=2)
    assert losses[-1] < losses[0]


def _save_ragged_functions(path):
    """A model like a BERT preprocessor: split (strings -> ragged ids) and pack (ragged -> dense)."""
    root = tf.Module()
    root.split = tf.function(
        lambda s: tf.strings.to_hash_bucket_fast(tf.strings.split(s), 50),
        input_signature=[tf.TensorSpec([None], tf.string)])
    root.pack = tf.function(lambda parts, width: parts.to_tensor(
        shape=tf.stack([tf.cast(parts.nrows(), tf.int32), width])))
    root.pack.get_concrete_function(tf.RaggedTensorSpec([None, None], tf.int64, 1),
                                    width=tf.TensorSpec([], tf.int32))
    tf.saved_model.save(root, str(path))
    return str(path)


def test_ragged_outputs_stay_ragged_between_layers(keras, tmp_path):
    loaded = hub.load(_save_ragged_functions(tmp_path / "ragged"))
    text = keras.Input(shape=(), dtype="string")
    parts = hub.KerasLayer(loaded.split)(text)
    assert parts.ragged and parts.shape == (None, None)
    packed = hub.KerasLayer(loaded.pack, arguments=dict(width=4))(parts)
    model = keras.Model(text, packed)
    out = model(tf.constant(["a b c", "d"])).numpy()
    assert out.shape == (2, 4) and list(out[1, 1:]) == [0, 0, 0] and out[0, 2] != 0
