"""Fine-tune a TF2 SavedModel with hub.KerasLayer (Keras 3, or Keras 2 when tf.keras is).

Usage: python fine_tune_savedmodel.py WORKDIR
"""

import sys
from pathlib import Path

import numpy as np
import tensorflow as tf

import tfhub as hub

workdir = Path(sys.argv[1])

# A tiny "reusable" SavedModel: __call__, variables, trainable_variables.
root = tf.train.Checkpoint()
w = tf.Variable([[1.0], [2.0]])
root.__call__ = tf.function(lambda x: tf.matmul(x, w),
                            input_signature=[tf.TensorSpec([None, 2], tf.float32)])
root.variables = [w]
root.trainable_variables = [w]
tf.saved_model.save(root, str(workdir / "model"))

keras = tf.keras  # Keras 3 on TF 2.16+, Keras 2 on TF 2.15 or with TF_USE_LEGACY_KERAS=1
model = keras.Sequential([keras.Input((2,)), hub.KerasLayer(str(workdir / "model"), trainable=True)])
model.compile(keras.optimizers.SGD(0.1), "mse")
x = np.random.rand(64, 2).astype("float32")
losses = model.fit(x, x @ [[3.0], [-1.0]], epochs=10, verbose=0).history["loss"]
print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f}")
assert losses[-1] < losses[0]

model.save(workdir / "model.keras")
reloaded = keras.models.load_model(workdir / "model.keras")
np.testing.assert_array_equal(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))
print("ok")
