"""A TF2 SavedModel used from TF1 compat code: tf.compat.v1 graph + session."""

import tempfile

import numpy as np
import tensorflow as tf

import tfhub as hub
from _models import write_reusable_tf2

handle = write_reusable_tf2(f"{tempfile.mkdtemp()}/model")
v1 = tf.compat.v1
with tf.Graph().as_default():
    m = hub.load(handle)
    x = v1.placeholder(tf.float32, [None, 2])
    y = m(x)
    with v1.Session() as session:
        session.run(v1.global_variables_initializer())  # the loaded variables restore here
        result = session.run(y, feed_dict={x: [[1.0, 1.0]]})
np.testing.assert_allclose(result, [[6.0]])
print("ok")
