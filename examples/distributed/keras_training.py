"""Fine-tuning a ``hub.KerasLayer`` under a tf.distribute strategy (shared by two examples).

The model is ``keras.Sequential([Input((1,)), hub.KerasLayer(handle, trainable=True)])``
built inside ``strategy.scope()``; it is fitted to y = 2x + 0.5 by a custom
training loop (``strategy.run`` inside ``tf.function``), which works with Keras 3
and Keras 2 alike, under MultiWorkerMirroredStrategy and ParameterServerStrategy.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import numpy as np

GLOBAL_BATCH = 8
LEARNING_RATE = 0.1


def dataset_arrays() -> Tuple[np.ndarray, np.ndarray]:
    """32 points of y = 2x + 0.5 on [0, 1]."""
    x = np.linspace(0.0, 1.0, 32, dtype=np.float32).reshape(-1, 1)
    return x, 2.0 * x + 0.5


def dataset(repeat: bool = True) -> Any:
    """The data as a tf.data.Dataset of global batches, sharded by data under a strategy."""
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices(dataset_arrays()).batch(GLOBAL_BATCH)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return (data.repeat() if repeat else data).with_options(options)


def build_model(strategy: Any, handle: str) -> Tuple[Any, Any, Any]:
    """(model, hub layer, optimizer), all created inside ``strategy.scope()``."""
    import tensorflow as tf

    import tfhub as hub

    keras = tf.keras
    with strategy.scope():
        layer = hub.KerasLayer(handle, trainable=True)
        model = keras.Sequential([keras.Input((1,)), layer])
        optimizer = keras.optimizers.SGD(LEARNING_RATE)
    return model, layer, optimizer


def replica_step(model: Any, optimizer: Any) -> Callable[[Any, Any], Any]:
    """One SGD step on one replica's batch; returns its share of the global loss."""
    import tensorflow as tf

    def step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            per_example = tf.reduce_mean(tf.square(model(x, training=True) - y), axis=-1)
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    return step


def full_loss(model: Any) -> float:
    """The mean squared error on the whole dataset."""
    x, y = dataset_arrays()
    return float(np.mean((np.asarray(model(x)) - y) ** 2))


def hub_variables(layer: Any) -> Dict[str, List[Any]]:
    """The values of the hub model's variables, by name."""
    return {v.name: np.asarray(v.numpy()).tolist() for v in layer.resolved_object.variables}


def hub_devices(layer: Any) -> Dict[str, str]:
    """Where the hub model's variables live."""
    return {v.name: v.device for v in layer.resolved_object.variables}


def keras_flavour() -> str:
    """"keras3" or "keras2": which Keras ``tf.keras`` is here."""
    from tfhub.keras import flavour

    return "keras3" if flavour.which_keras() == flavour.KERAS3 else "keras2"


def write_model(path: Path) -> Path:
    """The tiny reusable TF2 SavedModel of examples/example_models.py (x * 3 + 1)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import example_models

    return example_models.write_tf2_saved_model(path)
