"""The hub.KerasLayer rules (reference §1.9), in whichever Keras tf.keras is."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import tensorflow as tf

import tfhub as hub
from tfhub import errors


def test_output_key_and_outputs_as_dict_are_exclusive(reusable_model):
    with pytest.raises(ValueError, match="either output_key or signature_outputs_as_dict"):
        hub.KerasLayer(reusable_model, signature="two", output_key="y",
                       signature_outputs_as_dict=True)
    with pytest.raises(ValueError, match="either output_key"):
        hub.KerasLayer(reusable_model, signature="two")


def test_outputs_as_dict_needs_a_signature(reusable_model):
    with pytest.raises(ValueError, match="only valid if specifying a signature"):
        hub.KerasLayer(reusable_model, signature_outputs_as_dict=True)


def test_unknown_signature_lists_the_available_ones(reusable_model):
    with pytest.raises(ValueError, match=r"Unknown signature nope.*'serving_default', 'two'"):
        hub.KerasLayer(reusable_model, signature="nope", output_key="y")


def test_missing_output_key_names_the_available_keys(reusable_model):
    layer = hub.KerasLayer(reusable_model, signature="two", output_key="nope")
    with pytest.raises(errors.KerasLayerArgumentError, match=r"available: \['double', 'y'\]"):
        layer(tf.constant([[1.0, 2.0]]))


def test_outputs_as_dict_returns_every_output(reusable_model):
    layer = hub.KerasLayer(reusable_model, signature="two", signature_outputs_as_dict=True)
    out = layer(tf.constant([[1.0, 2.0]]))
    assert sorted(out) == ["double", "y"]
    np.testing.assert_allclose(out["y"].numpy(), [[5.5]])


def test_non_callable_models_need_a_signature(tmp_path):
    with pytest.raises(ValueError, match="Expected a string"):
        hub.KerasLayer(tf.Module())  # neither a handle nor callable, as in tensorflow_hub
    module = tf.Module()
    module.v = tf.Variable(1.0)
    tf.saved_model.save(module, str(tmp_path / "plain"))
    with pytest.raises(ValueError, match="Signature name has to be specified"):
        hub.KerasLayer(str(tmp_path / "plain"))


def test_a_loaded_savedmodel_without_call_is_used_through_its_signatures(tmp_path):
    """What tf.saved_model.load returns for a Keras 3 model saved with tf.saved_model.save."""
    module = tf.Module()
    module.w = tf.Variable([[2.0], [3.0]])
    serve = tf.function(lambda x: {"y": tf.matmul(x, module.w)},
                        input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    tf.saved_model.save(module, str(tmp_path / "signature_only"), signatures={"serving_default": serve})
    loaded = tf.saved_model.load(str(tmp_path / "signature_only"))
    assert not callable(loaded)
    with pytest.raises(errors.KerasLayerArgumentError, match=r"pass signature=one of \['serving_default'\]"):
        hub.KerasLayer(loaded)
    layer = hub.KerasLayer(loaded, signature="serving_default", output_key="y")
    np.testing.assert_allclose(layer(tf.constant([[1.0, 1.0]])).numpy(), [[5.0]])


def test_tags_or_load_options_with_a_callable_handle_are_refused():
    with pytest.raises(ValueError, match="mutually exclusive with setting tags"):
        hub.KerasLayer(lambda x: x, tags=["serve"])
    with pytest.raises(ValueError, match="mutually exclusive with setting load_options"):
        hub.KerasLayer(lambda x: x, load_options=tf.saved_model.LoadOptions())


def test_config_round_trip_and_refusals(reusable_model):
    layer = hub.KerasLayer(reusable_model, signature="two", output_key="y", output_shape=[1],
                           name="hub")
    config = layer.get_config()
    assert (config["handle"], config["signature"], config["output_key"],
            config["output_shape"]) == (reusable_model, "two", "y", (1,))
    clone = type(layer).from_config(config)
    np.testing.assert_allclose(clone(tf.constant([[1.0, 2.0]])).numpy(), [[5.5]])
    with pytest.raises(ValueError, match="not JSON-serializable"):
        hub.KerasLayer(reusable_model, arguments={"y": object()}).get_config()
    with pytest.raises(NotImplementedError, match="string `handle`"):
        hub.KerasLayer(lambda x: x).get_config()


def test_bad_output_shape_is_a_type_error(reusable_model):
    with pytest.raises(TypeError, match="Cannot convert to nest of TensorShapes"):
        hub.KerasLayer(reusable_model, output_shape="wide")


def test_trainable_signature_and_frozen_tf1_module_are_refused_at_call(
        reusable_model, half_plus_two_v1):
    layer = hub.KerasLayer(reusable_model, signature="two", output_key="y", trainable=True)
    with pytest.raises(ValueError, match="calling a SavedModel signature"):
        layer(tf.constant([[1.0, 2.0]]))
    frozen = hub.KerasLayer(half_plus_two_v1)
    frozen.trainable = True
    with pytest.raises(ValueError, match="TF1 Hub format unless .*trainable=True"):
        frozen(tf.constant([[1.0]]))


def test_training_argument_only_reaches_a_trainable_model(reusable_model):
    layer = hub.KerasLayer(reusable_model, trainable=True)
    calls = layer.resolved_object.variables[2]
    layer(tf.constant([[1.0, 2.0]]), training=True)
    assert int(calls.numpy()) == 1
    layer.trainable = False
    layer(tf.constant([[1.0, 2.0]]), training=True)
    assert int(calls.numpy()) == 1


def test_weights_registration(reusable_model):
    layer = hub.KerasLayer(reusable_model, trainable=True)
    assert len(layer.trainable_weights) == 2 and len(layer.non_trainable_weights) == 1
    frozen = hub.KerasLayer(reusable_model)
    assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 3


def test_tf1_fine_tuning_is_available_from_tfhub_tf2(tf1_bn_module, half_plus_two_v1):
    from tfhub.tf2.tf1_trainable import load_trainable

    module = load_trainable(tf1_bn_module)
    assert len(module.trainable_variables) == 4 and len(module.regularization_losses) == 1
    with pytest.raises(errors.Tf1FineTuningError, match="Unknown signature nope"):
        load_trainable(tf1_bn_module, signature="nope")
    with pytest.raises(errors.Tf1FineTuningError, match="no graph variant with tags"):
        load_trainable(tf1_bn_module, tags=["serve"])


def test_trainable_on_a_model_with_nothing_trainable_warns_once_and_names_convert(tmp_path):
    """A plain tf.Module SavedModel lists no trainable_variables: fit would train nothing."""
    module = tf.Module()
    module.v = tf.Variable(2.0)
    module.__call__ = tf.function(lambda x: x * module.v, input_signature=[tf.TensorSpec([None], tf.float32)])
    tf.saved_model.save(module, str(tmp_path / "plain"))
    with pytest.warns(UserWarning, match=r"trains? nothing|change nothing") as caught:
        layer = hub.KerasLayer(str(tmp_path / "plain"), trainable=True)
    assert len(caught) == 1 and "tfhub convert" in str(caught[0].message)
    assert not layer.trainable_weights
    np.testing.assert_allclose(layer(tf.constant([1.0, 3.0])).numpy(), [2.0, 6.0])


def test_a_model_with_trainable_variables_gives_no_such_warning(reusable_model, recwarn):
    hub.KerasLayer(reusable_model, trainable=True)
    assert not [w for w in recwarn if "trainable=True" in str(w.message)]


def test_inputs_by_keyword_as_in_the_bert_tutorials(reusable_model):
    # hub_encoder(inputs=dict(...), training=False): tf_keras finds `inputs` by
    # reading call's signature, which must survive the AutoGraph marker.
    layer = hub.KerasLayer(reusable_model)
    np.testing.assert_allclose(layer(inputs=tf.constant([[1.0, 2.0]]), training=False), [[5.5]])


class _Scaled(tf.Module):
    """y = x * v + offset, v a variable of the module."""

    def __init__(self) -> None:
        super().__init__()
        self.v = tf.Variable(1.0)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32), tf.TensorSpec([], tf.float32)])
    def __call__(self, x, offset):
        return x * self.v + offset


def test_a_deep_copied_keras2_layer_calls_its_own_copy_of_the_model():
    # Each layer binds its call once (tfhub.keras.bound_call); a copy must not reuse the
    # original's, nor lose the arguments.
    try:
        from tfhub.keras.keras2 import KerasLayer
    except ImportError as exc:
        pytest.skip(f"no Keras 2 here: {exc}")
    layer = KerasLayer(_Scaled(), arguments={"offset": 1.0})
    assert float(layer(tf.constant([2.0]))[0]) == 3.0
    twin = copy.deepcopy(layer)
    twin.resolved_object.v.assign(10.0)
    assert float(twin(tf.constant([2.0]))[0]) == 21.0
    assert float(layer(tf.constant([2.0]))[0]) == 3.0
