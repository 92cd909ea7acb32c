"""End-to-end scenarios run in a fresh interpreter (python scenarios.py NAME DIR).

Used for what must be set before TensorFlow starts: TF_USE_LEGACY_KERAS=1
(Keras 2 on TF 2.16+) and logical CPU devices for MirroredStrategy.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

X = np.random.RandomState(0).rand(32, 2).astype("float32")
Y = X @ np.array([[3.0], [-1.0]], dtype="float32") + 1.0


def keras2(workdir: Path) -> None:
    """Acceptance 2: Sequential and Functional fit, .keras/h5 round trip, in Keras 2."""
    import tensorflow as tf

    import tfhub as hub
    from tests.keras.conftest import save_reusable_model

    keras = tf.keras
    assert not str(getattr(keras, "__version__", "")).startswith("3"), "tf.keras is Keras 3"
    path = str(save_reusable_model(workdir / "model"))
    layer = hub.KerasLayer(path, trainable=True)
    assert isinstance(layer, keras.layers.Layer) and type(layer).__module__ == "tfhub.keras.keras2"
    sequential = keras.Sequential([keras.Input((2,)), layer])
    inputs = keras.Input((2,))
    functional = keras.Model(inputs, hub.KerasLayer(path, trainable=True)(inputs))
    for model in (sequential, functional):
        model.compile(keras.optimizers.SGD(0.05), "mse")
        losses = model.fit(X, Y, epochs=8, batch_size=8, verbose=0).history["loss"]
        assert losses[-1] < losses[0], losses
    assert len(sequential.losses) == 1
    sequential.save(workdir / "m.h5")
    reloaded = keras.models.load_model(workdir / "m.h5")
    np.testing.assert_array_equal(reloaded.predict(X, verbose=0), sequential.predict(X, verbose=0))
    print("keras2 ok")


def mirrored(workdir: Path) -> None:
    """Acceptance 5: fit under MirroredStrategy on two logical CPUs; wrong scope refused."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import tfhub as hub
    from tests.keras.conftest import save_reusable_model

    keras = tf.keras
    path = str(save_reusable_model(workdir / "model"))
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        layer = hub.KerasLayer(path, trainable=True)
        model = keras.Sequential([keras.Input((2,)), layer])
        model.compile(keras.optimizers.SGD(0.05), "mse")
    assert all(strategy.extended.variable_created_in_scope(v)
               for v in layer.resolved_object.variables)
    losses = model.fit(X, Y, epochs=8, batch_size=8, verbose=0).history["loss"]
    assert losses[-1] < losses[0], losses
    outside = hub.KerasLayer(path)
    with strategy.scope():
        try:
            outside(tf.constant(X))
        except ValueError as exc:
            assert "with strategy.scope()" in str(exc), exc
        else:
            raise AssertionError("a layer built outside the scope was accepted")
        try:  # symbolic call while building a model (AutoGraph must not re-type the error)
            keras.Sequential([keras.Input((2,)), outside])
        except ValueError as exc:
            assert "with strategy.scope()" in str(exc), exc
        else:
            raise AssertionError("a model with a layer built outside the scope was accepted")
    print("mirrored ok")


if __name__ == "__main__":
    {"keras2": keras2, "mirrored": mirrored}[sys.argv[1]](Path(sys.argv[2]))
