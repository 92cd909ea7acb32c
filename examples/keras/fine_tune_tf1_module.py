"""Fine-tune a TF1 Hub format module in TF2 (hub.KerasLayer or tfhub.tf2.tf1_trainable).

Usage: python fine_tune_tf1_module.py MODULE_DIR
(MODULE_DIR: a TF1 Hub format module, e.g. written with hub.create_module_spec /
ModuleSpec.export, whose "default" signature maps [None, 2] floats to [None, 1].)
"""

import sys

import numpy as np
import tensorflow as tf

import tfhub as hub
from tfhub.tf2.tf1_trainable import load_trainable

handle = sys.argv[1]

# 1. As a Keras layer: trainable=True loads the module for fine-tuning.
keras = tf.keras
layer = hub.KerasLayer(handle, trainable=True)  # signature="default", output_key="default"
model = keras.Sequential([keras.Input((2,)), layer])
model.compile(keras.optimizers.SGD(0.05), "mse")
x = np.random.rand(64, 2).astype("float32")
losses = model.fit(x, x @ [[3.0], [-1.0]], epochs=10, verbose=0).history["loss"]
print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f}; regularization losses: {len(model.losses)}")
assert losses[-1] < losses[0]

# 2. Without Keras: a tf.Module following the Reusable SavedModel convention.
module = load_trainable(handle, signature="default")
with tf.GradientTape() as tape:
    y = module(tf.constant(x), training=True)["default"]  # {"train"} variant + UPDATE_OPS
    loss = tf.reduce_mean(y ** 2) + tf.add_n([f() for f in module.regularization_losses])
grads = tape.gradient(loss, module.trainable_variables)
assert all(g is not None for g in grads)
print("ok")
