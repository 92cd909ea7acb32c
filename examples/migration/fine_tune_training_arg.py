"""Fine-tuning in TF2 with m(inputs, training=is_training), on a converted TF1 module.

`tfhub convert` turns a TF1 Hub format module into a reusable TF2 SavedModel
whose __call__ takes `training`; its gradients flow into trainable_variables.
"""

import tempfile

import numpy as np
import tensorflow as tf

import tfhub as hub
from _models import write_tf1_hub_module
from tfhub import convert

work = tempfile.mkdtemp()
src = write_tf1_hub_module(f"{work}/module")
report = convert.tf1_to_tf2(src, f"{work}/converted")
assert report.max_abs_diff <= 1e-5, report.render()
m = hub.load(f"{work}/converted")
x, target = tf.constant([1.0, 2.0]), tf.constant([3.0, 6.0])  # k * x -> wants k = 3
optimizer = tf.optimizers.SGD(0.05)
losses = []
for _ in range(20):
    is_training = True
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((m(x, training=is_training) - target) ** 2)
    grads = tape.gradient(loss, m.trainable_variables)
    optimizer.apply_gradients(zip(grads, m.trainable_variables))
    losses.append(float(loss))
assert losses[-1] < losses[0] / 10, losses
np.testing.assert_allclose(m(x, training=False).numpy(), [3.0, 6.0], atol=0.1)
print("ok")
