"""Fine-tuning a TF2 SavedModel from TF1-style code: an Estimator whose model_fn
wraps a Keras model holding hub.KerasLayer(handle, trainable=True).

TF 2.15 lane only: tf.estimator was removed in TensorFlow 2.16. Without it the
script prints why and exits with code 77 ("skipped").

The session config sets `share_cluster_devices_in_session`: the SavedModel's
functions run as function-call ops, which can only reach variables on other
cluster devices (an Estimator with parameter servers) with that setting; see
docs/distributed.md. Here it runs locally, where the setting is harmless.
`hub.KerasLayer` needs nothing special in a model_fn (graph mode): its
variables' initializers restore the SavedModel's values, which the script checks
through the loss before training.
"""

import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf

SKIP = 77
try:
    _ = tf.estimator.Estimator  # raises where the Estimator is gone
except (AttributeError, ImportError):  # TF 2.16+, or TF 2.15 without tensorflow-estimator
    print(f"skipped: tf.estimator is not available in TensorFlow {tf.__version__} "
          "(removed in 2.16); this example runs in the TF 2.15 lane "
          "(tensorflow-estimator 2.15)", file=sys.stderr)
    sys.exit(SKIP)
tf.get_logger().setLevel("ERROR")

import tfhub as hub
from _models import write_reusable_tf2

work = tempfile.mkdtemp()
handle = write_reusable_tf2(f"{work}/model")  # y = x @ w + 1, w = [[2], [3]]

# Synthetic regression. The target's direction differs from w, so the Dense head
# alone cannot fit it: the hub layer's own weights must be fine-tuned.
rng = np.random.default_rng(0)
x_train = rng.uniform(-1.0, 1.0, size=(64, 2)).astype("float32")
y_train = (x_train @ np.array([[1.0], [-2.0]], "float32") + 0.5).astype("float32")


def input_fn(shuffle_and_repeat: bool):
    def make():
        data = tf.data.Dataset.from_tensor_slices(({"x": x_train}, y_train))
        if shuffle_and_repeat:
            data = data.shuffle(64, seed=0).repeat()
        return data.batch(16)
    return make


def model_fn(features, labels, mode):
    model = tf.keras.Sequential([
        tf.keras.Input([2]),
        hub.KerasLayer(handle, trainable=True),
        tf.keras.layers.Dense(1, kernel_initializer="ones"),
    ])
    training = mode == tf.estimator.ModeKeys.TRAIN
    predictions = model(features["x"], training=training)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"y": predictions})
    loss = tf.reduce_mean(tf.square(predictions - labels)) + tf.add_n([0.0] + model.losses)
    optimizer = tf.compat.v1.train.AdamOptimizer(0.05)
    train_op = optimizer.minimize(loss, global_step=tf.compat.v1.train.get_global_step(),
                                  var_list=model.trainable_variables)
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


session_config = tf.compat.v1.ConfigProto(
    experimental=tf.compat.v1.ConfigProto.Experimental(share_cluster_devices_in_session=True),
    intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)
config = tf.estimator.RunConfig(model_dir=f"{work}/estimator", session_config=session_config,
                                tf_random_seed=0, log_step_count_steps=1000)
estimator = tf.estimator.Estimator(model_fn, config=config)


def hub_weights():
    """The hub layer's w in the latest checkpoint (the only [2, 1] model variable)."""
    return [estimator.get_variable_value(name) for name in estimator.get_variable_names()
            if "Adam" not in name and estimator.get_variable_value(name).shape == (2, 1)]


# Before training there is no checkpoint: evaluate initializes the model, so the
# hub layer holds the SavedModel's weights (restored by its variables' initializers).
before = estimator.evaluate(input_fn(False))["loss"]
estimator.train(input_fn(True), steps=150)
after = estimator.evaluate(input_fn(False))["loss"]
hub_w_after = hub_weights()
predictions = np.array([p["y"] for p in estimator.predict(input_fn(False))])

# The untrained model is Dense(kernel=1, bias=0) over the SavedModel's x @ [[2], [3]] + 1.
expected_before = float(np.mean((x_train @ np.array([[2.0], [3.0]], "float32") + 1.0 - y_train) ** 2))
print(f"eval loss before training: {before:.4f} (from the SavedModel's weights: "
      f"{expected_before:.4f}), after 150 steps: {after:.5f}")
print(f"hub weights w: [2. 3.] -> {np.ravel(hub_w_after).round(3)}")
print(f"predictions: {predictions.shape[0]} rows, first {np.ravel(predictions[:3]).round(3)}, "
      f"targets {np.ravel(y_train[:3]).round(3)}")

failures = []
if not estimator.config.session_config.experimental.share_cluster_devices_in_session:
    failures.append("the Estimator's session config lost share_cluster_devices_in_session")
if not np.isclose(before, expected_before, rtol=1e-4):
    failures.append(f"the untrained loss {before} is not the SavedModel's {expected_before}")
if not after < before / 10:
    failures.append(f"loss did not drop tenfold ({before} -> {after})")
if len(hub_w_after) != 1 or np.allclose(hub_w_after[0], [[2.0], [3.0]]):
    failures.append(f"the hub layer's weights were not fine-tuned: {hub_w_after}")
if predictions.shape != (64, 1) or not np.all(np.isfinite(predictions)):
    failures.append(f"bad predictions: shape {predictions.shape}")
if failures:
    print("FAILED: " + "; ".join(failures), file=sys.stderr)
    sys.exit(1)
print("ok")
