"""A TF1 Hub format module in TF2: KerasLayer(signature=..., output_key=...) and hub.load(...).signatures."""

import tempfile

import numpy as np
import tensorflow as tf

import tfhub as hub
from _models import write_tf1_hub_module

path = write_tf1_hub_module(f"{tempfile.mkdtemp()}/module")

# hub.load with explicit tags (the empty tag set), then a named signature with keyword inputs.
m = hub.load(path, tags=[])
out = m.signatures["mix"](x1=tf.constant([1.0, 2.0]), x2=tf.constant([3.0, 4.0]))
np.testing.assert_allclose(out["sum"].numpy(), [4.0, 6.0])
np.testing.assert_allclose(out["prod"].numpy(), [6.0, 16.0])

# KerasLayer on a signature: dict inputs become keyword arguments.
layer = hub.KerasLayer(path, signature="mix", output_key="prod")
np.testing.assert_allclose(layer({"x1": tf.constant([1.0]), "x2": tf.constant([5.0])}).numpy(), [10.0])
# The default signature needs no arguments at all.
np.testing.assert_allclose(hub.KerasLayer(path)(tf.constant([4.0])).numpy(), [8.0])
print("ok")
