"""hub.KerasLayer, Keras 2 flavour (what tensorflow_hub supports): tf.keras on TF 2.15,
tf_keras on TF 2.16+ (the default group sets TF_USE_LEGACY_KERAS=1 there, so tf.keras is
tf_keras; group "plain" runs without it)."""

import json
import os

import numpy as np

from tests.differential.harness import attempt, scenario

X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 0.5], [-2.0, 1.0]], np.float32)
Y = X @ np.array([[3.0], [-1.0]], np.float32) + 1.0


def weights(layer):
    return {"trainable": sorted(w.name for w in layer.trainable_weights),
            "non_trainable": sorted(w.name for w in layer.non_trainable_weights)}


def fit(keras, model, epochs=3):
    model.compile(keras.optimizers.SGD(0.05), "mse")
    return model.fit(X, Y, epochs=epochs, batch_size=2, shuffle=False, verbose=0).history["loss"]


@scenario([("KerasLayer", "handle"), ("KerasLayer", "call"), ("KerasLayer", "resolved_object")])
def keras_call_frozen_default(hub, ctx):
    import tensorflow as tf
    layer = hub.KerasLayer(ctx.models["reusable"])
    y = layer(tf.constant(X))
    return {"y": y, "dtype": y.dtype, "shape": y.shape, "trainable": layer.trainable,
            "weights": weights(layer), "losses": len(layer.losses),
            "resolved_vars": sorted(v.name for v in layer.resolved_object.variables)}


@scenario([("KerasLayer", "trainable")])
def keras_fine_tune_sequential(hub, ctx):
    keras = ctx.keras()
    layer = hub.KerasLayer(ctx.models["reusable"], trainable=True)
    model = keras.Sequential([keras.Input((2,)), layer])
    losses = fit(keras, model)
    return {"losses": losses, "weights": weights(layer), "layer_losses": [float(x) for x in layer.losses],
            "w": layer.trainable_weights[0], "predict": model.predict(X, verbose=0)}


@scenario([("KerasLayer", "trainable")])
def keras_partly_trainable_savedmodel(hub, ctx):
    keras = ctx.keras()
    layer = hub.KerasLayer(ctx.models["frozen"], trainable=True)
    model = keras.Sequential([keras.Input((2,)), layer])
    fit(keras, model)
    return {"weights": weights(layer), "bias_b": [v for v in layer.weights if "bias_b" in v.name][0]}


@scenario([("KerasLayer", "trainable")])
def keras_functional_fit_then_freeze(hub, ctx):
    keras = ctx.keras()
    inputs = keras.Input((2,))
    layer = hub.KerasLayer(ctx.models["reusable"], trainable=True)
    model = keras.Model(inputs, keras.layers.Dense(1, kernel_initializer="ones")(layer(inputs)))
    first = fit(keras, model, epochs=2)
    layer.trainable = False
    second = fit(keras, model, epochs=1)
    return {"first": first, "second": second, "weights": weights(layer),
            "model_trainable": len(model.trainable_weights)}


@scenario([("KerasLayer", "arguments")])
def keras_arguments_config_and_save(hub, ctx):
    keras = ctx.keras()
    layer = hub.KerasLayer(ctx.models["scaled"], arguments={"scale": 3.0})
    model = keras.Sequential([keras.Input((2,)), layer])
    config = layer.get_config()
    path = os.path.join(ctx.tmp, "m.h5")
    model.save(path)
    again = keras.models.load_model(path, custom_objects={"KerasLayer": hub.KerasLayer})
    return {"y": model.predict(X, verbose=0), "arguments": config["arguments"],
            "json": json.loads(json.dumps(config))["arguments"], "reloaded": again.predict(X, verbose=0)}


@scenario([("KerasLayer", "arguments")])
def keras_arguments_call(hub, ctx):
    import tensorflow as tf
    layer = hub.KerasLayer(ctx.models["scaled"], arguments={"scale": 3.0})
    return {"y": layer(tf.constant(X))}


@scenario([("KerasLayer", "output_shape"), ("KerasLayer", "compute_output_shape")])
def keras_compute_output_shape(hub, ctx):
    layer = hub.KerasLayer(ctx.models["reusable"], output_shape=[1])
    return {"shape": layer.compute_output_shape((None, 2))}


@scenario([("KerasLayer", "output_shape"), ("KerasLayer", "get_config")])
def keras_output_shape_config(hub, ctx):
    import tensorflow as tf
    keras = ctx.keras()
    layer = hub.KerasLayer(ctx.models["reusable"], output_shape=[1])
    model = keras.Sequential([keras.Input((2,)), layer])
    return {"config": layer.get_config()["output_shape"], "model_output": list(model.output_shape),
            "y": layer(tf.constant(X)).shape}


@scenario([("KerasLayer", "output_shape")])
def keras_nested_output_shape_config(hub, ctx):
    layer = hub.KerasLayer(ctx.models["reusable"], signature="serving_default",
                           signature_outputs_as_dict=True, output_shape=[[1], [1]])
    return {"config": layer.get_config()["output_shape"]}


@scenario([("KerasLayer", "output_key")])
def keras_output_key(hub, ctx):
    import tensorflow as tf
    layer = hub.KerasLayer(ctx.models["dict_out"], output_key="b")
    bad = hub.KerasLayer(ctx.models["dict_out"], output_key="nope")
    return {"y": layer(tf.constant(X)), "bad": attempt(lambda: bad(tf.constant(X))),
            "all": hub.KerasLayer(ctx.models["dict_out"])(tf.constant(X))}


@scenario([("KerasLayer", "signature"), ("KerasLayer", "signature_outputs_as_dict"),
           ("KerasLayer", "output_key")])
def keras_signature(hub, ctx):
    import tensorflow as tf
    handle = ctx.models["reusable"]
    as_dict = hub.KerasLayer(handle, signature="two", signature_outputs_as_dict=True)(tf.constant(X))
    keyed = hub.KerasLayer(handle, signature="serving_default", output_key="double")(tf.constant(X))
    return {"as_dict": as_dict, "keyed": keyed,
            "unknown": attempt(lambda: hub.KerasLayer(handle, signature="nope")),
            "dict_without_signature": attempt(lambda: hub.KerasLayer(handle, signature_outputs_as_dict=True)),
            "no_key": attempt(lambda: hub.KerasLayer(handle, signature="two")(tf.constant(X)))}


@scenario([("KerasLayer", "get_config"), ("KerasLayer", "handle"), ("KerasLayer", "tags")])
def keras_get_config(hub, ctx):
    layer = hub.KerasLayer(ctx.models["reusable"], trainable=True, name="enc", tags=None)
    config = layer.get_config()
    clone = hub.KerasLayer.from_config(config)
    return {"keys": sorted(config), "handle": config["handle"] == ctx.models["reusable"],
            "trainable": config["trainable"], "name": config["name"], "clone": clone.get_config() == config}


@scenario([("KerasLayer", "tags")])
def keras_tags(hub, ctx):
    import tensorflow as tf
    return {"serve": hub.KerasLayer(ctx.models["reusable"], tags=["serve"])(tf.constant(X)),
            "bogus": attempt(lambda: hub.KerasLayer(ctx.models["reusable"], tags=["bogus"]))}


@scenario([("KerasLayer", "load_options")])
def keras_load_options(hub, ctx):
    import tensorflow as tf
    options = tf.saved_model.LoadOptions(experimental_io_device="/job:localhost")
    layer = hub.KerasLayer(ctx.models["reusable"], load_options=options)
    return {"y": layer(tf.constant(X)), "config_keys": sorted(layer.get_config())}


@scenario([("KerasLayer", "kwargs")])
def keras_input_shape_kwargs(hub, ctx):
    import tensorflow as tf
    keras = ctx.keras()
    model = keras.Sequential([hub.KerasLayer(ctx.models["reusable"], input_shape=[2], dtype=tf.float32,
                                             name="hub_layer"), keras.layers.Dense(1)])
    return {"output_shape": list(model.output_shape), "names": [l.name for l in model.layers],
            "params": model.count_params()}


@scenario([("KerasLayer", "call")])
def keras_python_values(hub, ctx):
    return {"scalar": hub.KerasLayer(ctx.models["scalar"])(10.0),
            "nested_list": hub.KerasLayer(ctx.models["reusable"])([[10.0, 1.0]]),
            "text": hub.KerasLayer(ctx.models["text"])(["a text", "another"]).shape}


@scenario([("KerasLayer", "call")])
def keras_training_argument(hub, ctx):
    import tensorflow as tf
    layer = hub.KerasLayer(ctx.models["reusable"], trainable=True)
    frozen = hub.KerasLayer(ctx.models["reusable"])
    for training in (True, False, None):
        layer(tf.constant(X), training=training)
        frozen(tf.constant(X), training=training)

    def count(counted):
        return [int(w.numpy()) for w in counted.weights if "train_calls" in w.name]

    return {"trainable_layer": count(layer), "frozen_layer": count(frozen)}


@scenario([("KerasLayer", "get_config")])
def keras_save_and_reload(hub, ctx):
    import tensorflow as tf
    keras = ctx.keras()
    model = keras.Sequential([keras.Input((2,)), hub.KerasLayer(ctx.models["reusable"], trainable=True),
                              keras.layers.Dense(1, kernel_initializer="ones")])
    fit(keras, model, epochs=1)
    out = {}
    for name in ("m.h5", "saved_model", "m.keras"):
        path = os.path.join(ctx.tmp, name)
        model.save(path)
        again = keras.models.load_model(path, custom_objects={"KerasLayer": hub.KerasLayer})
        out[name] = again.predict(X, verbose=0)
    clone = keras.models.clone_model(model)
    out["clone_layers"] = [type(l).__name__ for l in clone.layers]
    out["predict"] = model.predict(X, verbose=0)
    del tf
    return out


@scenario([("KerasLayer", "handle")])
def keras_layer_from_url(hub, ctx):
    import tensorflow as tf
    layer = hub.KerasLayer(ctx.url + "/reusable", trainable=True)
    return {"y": layer(tf.constant(X)), "weights": weights(layer)}


@scenario([("KerasLayer", "handle")])
def keras_text_classifier_guide(hub, ctx):
    """The text classification tutorial's shape: strings -> hub layer -> Dense."""
    import tensorflow as tf
    keras = ctx.keras()
    model = keras.Sequential([hub.KerasLayer(ctx.models["text"], input_shape=[], dtype=tf.string,
                                             trainable=True),
                              keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(keras.optimizers.SGD(0.1), keras.losses.BinaryCrossentropy(from_logits=True))
    texts = np.array(["good movie", "bad film", "great", "awful"])
    history = model.fit(texts, np.array([1, 0, 1, 0]), epochs=2, shuffle=False, verbose=0)
    return {"loss": history.history["loss"], "predict": model.predict(texts, verbose=0)}


# Deliberate: tfhub fine-tunes TF1 Hub format modules (tensorflow_hub leaves them frozen).
@scenario([("KerasLayer", "handle"), ("KerasLayer", "signature"), ("KerasLayer", "trainable"),
           ("KerasLayer", "tags")], hub=("0.15",), differs={"train_weights": (
               {"non_trainable": ["moving:0", "w:0"], "trainable": []},
               {"non_trainable": ["moving:0"], "trainable": ["w:0"]}),
               "train_call": ({"error": ["ValueError"]}, [4, 1])})
def keras_tf1_hub_module(hub, ctx):
    import tensorflow as tf
    handle = ctx.models["tf1_affine"]
    default = hub.KerasLayer(handle)
    named = hub.KerasLayer(handle, signature="named", signature_outputs_as_dict=True)
    train = hub.KerasLayer(handle, tags={"train"}, trainable=True)
    return {"default": default(tf.constant(X)), "named": named({"x": tf.constant(X)}),
            "train_weights": weights(train), "default_weights": weights(default),
            "train_call": attempt(lambda: train(tf.constant(X)).shape.as_list(), message=False)}


@scenario([("KerasLayer", "trainable"), ("KerasLayer", "signature")])
def keras_trainable_signature_refused(hub, ctx):
    """tensorflow_hub refuses to train through a signature (no training mode, no losses)."""
    import tensorflow as tf
    layer = hub.KerasLayer(ctx.models["reusable"], signature="serving_default", output_key="y",
                           trainable=True)
    return {"call": attempt(lambda: layer(tf.constant(X)))}


@scenario([("KerasLayer", "handle")], hub=("0.16",), group="plain")
def keras_tf_keras_import_pattern(hub, ctx):
    """tensorflow_hub 0.16's documented pattern on TF 2.16+, no TF_USE_LEGACY_KERAS."""
    import tf_keras as keras
    model = keras.Sequential([keras.Input((2,)), hub.KerasLayer(ctx.models["reusable"])])
    return {"predict": model.predict(X, verbose=0)}


@scenario([("KerasLayer", "handle"), ("KerasLayer", "get_config")])
def keras_callable_handle(hub, ctx):
    """The guides' ``hub.KerasLayer(hub.load(...))``: a loaded object as the handle."""
    import tensorflow as tf
    layer = hub.KerasLayer(hub.load(ctx.models["reusable"]), trainable=True)
    return {"y": layer(tf.constant(X)), "weights": weights(layer), "config": attempt(layer.get_config),
            "not_callable": attempt(lambda: hub.KerasLayer(object()))}
