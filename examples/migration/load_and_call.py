"""hub.load(handle) + m(inputs): the TF2 way to use a TF2 SavedModel."""

import sys
import tempfile

import numpy as np
import tensorflow as tf

import tfhub as hub
from _models import write_reusable_tf2

handle = write_reusable_tf2(f"{tempfile.mkdtemp()}/model")
m = hub.load(handle)
outputs = m(tf.constant([[1.0, 1.0], [0.0, 2.0]]))
np.testing.assert_allclose(outputs.numpy(), [[6.0], [7.0]])
print("ok")
sys.exit(0)
