"""tf.saved_model.save called from TF1-compat code (tf.compat.v1 symbols, eager on).

The model is built with tf.compat.v1 variable APIs; saving it with the TF2
saver gives a reusable SavedModel that hub.load and hub.KerasLayer take.
"""

import tempfile

import numpy as np
import tensorflow as tf

import tfhub as hub

v1 = tf.compat.v1


class Scale(tf.Module):
    def __init__(self):
        super().__init__()
        with v1.variable_scope("scale"):
            self.w = v1.Variable(4.0, name="w", use_resource=True)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def __call__(self, x):
        return v1.multiply(x, self.w)


path = f"{tempfile.mkdtemp()}/model"
tf.saved_model.save(Scale(), path)
m = hub.load(path)
np.testing.assert_allclose(m(tf.constant([1.0, 2.0])).numpy(), [4.0, 8.0])
assert float(m.w.numpy()) == 4.0
print("ok")
