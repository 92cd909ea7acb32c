"""hub.KerasLayer(handle) inside a Keras Sequential model."""

import tempfile

import numpy as np
import tensorflow as tf

import tfhub as hub
from _models import write_reusable_tf2
from tfhub.keras import flavour

keras = tf.keras if flavour.which_keras() == flavour.KERAS2 else __import__("keras")
handle = write_reusable_tf2(f"{tempfile.mkdtemp()}/model")
model = keras.Sequential([keras.Input([2]), hub.KerasLayer(handle)])
np.testing.assert_allclose(model.predict(np.array([[1.0, 1.0]], "float32"), verbose=0), [[6.0]])
print("ok")
