"""KerasLayer user code, run in a fresh interpreter with tensorflow_hub or tfhub.

``python parity_scenarios.py HUB KERAS DIR`` imports ``KERAS`` as ``keras``
(``tf_keras``, ``keras`` or ``tf.keras``) and then ``HUB`` (``tensorflow_hub``
or ``tfhub``) as ``hub``, the way user code does, runs every scenario in its
own directory under DIR and prints ``OUTCOME <name> <json>`` for each;
test_parity.py compares the outcomes of the two libraries. An exception is an
outcome too (its type and message).
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Dict

import numpy as np

SCENARIOS: Dict[str, Callable[..., Any]] = {}


def scenario(func: Callable[..., Any]) -> Callable[..., Any]:
    SCENARIOS[func.__name__] = func
    return func


def save_partly_trainable(path: Path) -> str:
    """y = x @ kernel_w + kernel_b + bias_b; only kernel_w is in trainable_variables."""
    import tensorflow as tf

    root = tf.train.Checkpoint()
    kernel_w, kernel_b = tf.Variable([[2.0]]), tf.Variable([0.0])
    bias_b = tf.Variable([1.0])

    @tf.function(input_signature=[tf.TensorSpec([None, 1], tf.float32)])
    def call(x):
        return tf.matmul(x, kernel_w) + kernel_b + bias_b

    root.__call__ = call
    root.variables = [kernel_w, kernel_b, bias_b]
    root.trainable_variables = [kernel_w]
    tf.saved_model.save(root, str(path))
    return str(path)


def save_any_shape(path: Path) -> str:
    """A float model y = 2x + 1 and a string model len(x), inputs of any shape."""
    import tensorflow as tf

    root = tf.Module()
    root.__call__ = tf.function(lambda x: 2.0 * x + 1.0,
                                input_signature=[tf.TensorSpec(None, tf.float32)])
    tf.saved_model.save(root, str(path / "float"))
    text = tf.Module()
    text.__call__ = tf.function(lambda x: tf.strings.length(x),
                                input_signature=[tf.TensorSpec(None, tf.string)])
    tf.saved_model.save(text, str(path / "text"))
    return str(path)


def save_scale(path: Path) -> str:
    """y = scale * x, ``scale`` a call argument; no variables (so .h5 can hold it)."""
    import tensorflow as tf

    root = tf.Module()
    root.__call__ = tf.function(lambda x, scale: scale * x, input_signature=[
        tf.TensorSpec([None, 1], tf.float32), tf.TensorSpec([], tf.float32)])
    tf.saved_model.save(root, str(path))
    return str(path)


X = np.ones((8, 1), "float32")
Y = np.full((8, 1), 5.0, "float32")


@scenario
def frozen_variables(hub: Any, keras: Any, workdir: Path) -> Any:
    """Issue #13 item 1: only trainable_variables are trained."""
    layer = hub.KerasLayer(save_partly_trainable(workdir / "m"), trainable=True)
    model = keras.Sequential([keras.Input((1,)), layer])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    model.fit(X, Y, epochs=2, verbose=0)
    return {"n_trainable": len(layer.trainable_weights),
            "n_non_trainable": len(layer.non_trainable_weights),
            "frozen_after_fit": sorted(np.asarray(w).tolist() for w in layer.non_trainable_weights),
            "kernel_moved": [np.asarray(w).tolist() != [[2.0]] for w in layer.trainable_weights]}


@scenario
def arguments_config(hub: Any, keras: Any, workdir: Path) -> Any:
    """Item 2: a layer with arguments= has a JSON config; its model saves and clones."""
    layer = hub.KerasLayer(save_scale(workdir / "scale"), arguments={"scale": 3.0})
    model = keras.Sequential([keras.Input((1,)), layer])
    outcome = {"config": json.loads(json.dumps(layer.get_config()["arguments"]))}
    for suffix in (".keras", ".h5"):
        if suffix == ".h5" and keras.__name__ == "keras":
            continue  # Keras 3 writes no model config into .h5 (tensorflow_hub has no Keras 3 layer)
        model.save(workdir / f"m{suffix}")
        reloaded = keras.models.load_model(workdir / f"m{suffix}",
                                           custom_objects={"KerasLayer": hub.KerasLayer})
        outcome[suffix] = reloaded.predict(X[:1], verbose=0).tolist()
    outcome["clone"] = keras.models.clone_model(model).predict(X[:1], verbose=0).tolist()
    return outcome


@scenario
def output_shape_config(hub: Any, keras: Any, workdir: Path) -> Any:
    """Items 3, 4, 6: nested output_shape in get_config; compute_output_shape."""
    path = save_partly_trainable(workdir / "m")
    nested = hub.KerasLayer(path, output_shape=[[1], [2]]).get_config()["output_shape"]
    single = hub.KerasLayer(path, output_shape=[1])
    return {"nested": json.loads(json.dumps(nested)),
            "computed": [None if d is None else int(d)
                         for d in single.compute_output_shape((None, 1))],
            "computed_batch": [None if d is None else int(d)
                               for d in single.compute_output_shape((4, 1))]}


@scenario
def python_values(hub: Any, keras: Any, workdir: Path) -> Any:
    """Item 5: the layer called on Python values."""
    path = save_any_shape(workdir)
    floats, text = hub.KerasLayer(path + "/float"), hub.KerasLayer(path + "/text")
    return {"scalar": floats(10.0).numpy().tolist(), "nested": floats([[10.0]]).numpy().tolist(),
            "text": text(["a text"]).numpy().tolist()}


@scenario
def which_keras(hub: Any, keras: Any, workdir: Path) -> Any:
    """Item 7: the layer joins a model of the Keras the user code imported, and fits."""
    layer = hub.KerasLayer(save_partly_trainable(workdir / "m"), trainable=True)
    model = keras.Sequential([keras.Input((1,)), layer, keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.05), "mse")
    losses = model.fit(X, Y, epochs=3, verbose=0).history["loss"]
    return {"is_layer": isinstance(layer, keras.layers.Layer),
            "is_hub_layer": isinstance(layer, hub.KerasLayer), "learns": losses[-1] < losses[0]}


@scenario
def string_input_sequential(hub: Any, keras: Any, workdir: Path) -> Any:
    """Issue #19: a text model first in a Sequential (input_shape=[], dtype=tf.string),
    fine-tuned on a tf.data of strings (Keras 3 made the model's input float32)."""
    import tensorflow as tf

    root = tf.train.Checkpoint()
    root.w = tf.Variable([[0.5, 0.1]])
    root.__call__ = tf.function(
        lambda x: tf.cast(tf.strings.length(x), tf.float32)[:, None] * root.w,
        input_signature=[tf.TensorSpec([None], tf.string)])
    root.variables, root.trainable_variables = [root.w], [root.w]
    tf.saved_model.save(root, str(workdir / "text"))
    model = keras.Sequential([
        hub.KerasLayer(str(workdir / "text"), input_shape=[], dtype=tf.string, trainable=True),
        keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.01), "mse")
    data = tf.data.Dataset.from_tensor_slices((["a", "bb", "ccc", "dddd"], [1.0, 2, 3, 4]))
    losses = model.fit(data.batch(2), epochs=2, verbose=0).history["loss"]
    return {"epochs": len(losses), "input_dtype": tf.as_dtype(model.inputs[0].dtype).name,
            "output_shape": list(model.predict(tf.constant(["abc"]), verbose=0).shape)}


@scenario
def save_for_fresh_load(hub: Any, keras: Any, workdir: Path) -> Any:
    """Item 8 (first half): a model holding a KerasLayer, saved to .keras (and .h5)."""
    layer = hub.KerasLayer(save_scale(workdir / "handle"), arguments={"scale": 3.0})
    model = keras.Sequential([keras.Input((1,)), layer])
    model.save(workdir / "model.keras")
    if keras.__name__ != "keras":
        model.save(workdir / "model.h5")
    return model.predict(X[:1], verbose=0).tolist()


def _keras(name: str) -> Any:
    if name == "tf.keras":
        import tensorflow as tf

        return tf.keras
    return importlib.import_module(name)


def main(hub_name: str, keras_name: str, workdir: Path) -> None:
    # Bound as module globals, as `import tf_keras as keras` / `import tfhub as
    # hub` at the top of user code would bind them.
    globals()["keras"] = keras = _keras(keras_name)
    globals()["hub"] = hub = importlib.import_module(hub_name)
    for name, run in SCENARIOS.items():
        (workdir / name).mkdir(parents=True, exist_ok=True)
        try:
            outcome: Any = run(hub, keras, workdir / name)
        except Exception as exc:  # an error is an outcome to compare
            traceback.print_exc()
            outcome = {"error": type(exc).__name__, "message": str(exc)[:300]}
        print(f"OUTCOME {name} {json.dumps(outcome)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
