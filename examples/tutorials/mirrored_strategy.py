"""``hub.KerasLayer`` under ``tf.distribute.MirroredStrategy``, with ``import tfhub as hub``.

Two CPU devices are made from one (logical devices), so the strategy has two
replicas on any machine.

1. tensorflow.org/hub/tutorials/tf2_image_retraining, its model built in
   ``strategy.scope()``: ``hub.KerasLayer(model_handle, trainable=True)``
   (an image feature vector with batch norm and a regularization loss), fit
   for a step, saved with ``tf.saved_model.save`` as the tutorial does and,
   on Keras 3, also as a ``.keras`` file; reloaded outputs must equal the
   model's. Keras 3 runs the model code as written, but its models give
   ``tf.saved_model.save`` no ``__call__``: the reloaded SavedModel is called
   through its ``serving_default`` signature there (Keras 2 / TF 2.15:
   ``reloaded(x)``).
2. tensorflow.org/tutorials/distribute/save_and_load, "loading with
   tf.saved_model.load" part: a Keras model saved with
   ``tf.saved_model.save``, loaded inside another MirroredStrategy's scope and
   wrapped with ``hub.KerasLayer(loaded, trainable=True)``, compiled and fit.
   Keras 2 / TF 2.15 run the tutorial's lines as written, except that the
   second strategy gets ``cross_device_ops=tf.distribute.ReductionToOneDevice()``:
   on CPUs two MirroredStrategy objects that both train clash in
   TensorFlow's collective ops ("Shape mismatch in the collective instance
   100"; the same with tensorflow_hub). Keras 3 refuses: a Keras 3 model
   saved with ``tf.saved_model.save`` keeps no ``__call__``, so the loaded
   object is not callable and ``hub.KerasLayer(loaded, trainable=True)``
   cannot wrap it (tensorflow_hub: "Expected a string"). The line that works:
   ``hub.KerasLayer(loaded, signature="serving_default", output_key="output_0")``
   (tfhub takes a loaded SavedModel through its signatures); signatures are
   not trainable, so on Keras 3 the layer is frozen and the script checks its
   outputs. To fine-tune a reloaded Keras 3 model, save it as ``.keras`` and
   ``tf.keras.models.load_model`` it in the scope (part 1).

The feature vector is a stand-in (standins_feature_vector.py, as in transfer_learning.py) served under its
tfhub.dev handle through ``TFHUB_MIRROR``; MNIST (tfds) is replaced by random
images. Run: ``python examples/tutorials/mirrored_strategy.py``.
"""

import tensorflow as tf

cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(
    cpus[0], [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

import numpy as np

import standins_feature_vector
import standins_hub
import tfhub as hub
from tfhub.keras import flavour

model_handle = "https://tfhub.dev/google/imagenet/mobilenet_v2_100_224/feature_vector/4"
work = standins_hub.serve({model_handle: standins_feature_vector.image_feature_vector})
keras3 = flavour.which_keras() == flavour.KERAS3  # TF 2.16+ without TF_USE_LEGACY_KERAS=1

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
assert strategy.num_replicas_in_sync == 2

# ---- 1. tf2_image_retraining, built in the strategy's scope.
IMAGE_SIZE = (224, 224)
BATCH_SIZE = 4
class_names = ("daisy", "dandelion", "roses")
do_fine_tuning = True
images = np.random.RandomState(0).rand(8, 224, 224, 3).astype("float32")
one_hot_labels = np.eye(len(class_names), dtype="float32")[np.arange(8) % len(class_names)]
train_ds = tf.data.Dataset.from_tensor_slices((images, one_hot_labels)).batch(BATCH_SIZE)

with strategy.scope():
  model = tf.keras.Sequential([
      # Explicitly define the input shape so the model can be properly
      # loaded by the TFLiteConverter
      tf.keras.layers.InputLayer(input_shape=IMAGE_SIZE + (3,)),
      hub.KerasLayer(model_handle, trainable=do_fine_tuning),
      tf.keras.layers.Dropout(rate=0.2),
      tf.keras.layers.Dense(len(class_names),
                            kernel_regularizer=tf.keras.regularizers.l2(0.0001))
  ])
  model.build((None,)+IMAGE_SIZE+(3,))
  model.compile(
    optimizer=tf.keras.optimizers.SGD(learning_rate=0.005, momentum=0.9),
    loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
    metrics=['accuracy'])

hub_layer = model.layers[0]
assert len(model.losses) == 2, model.losses  # the module's L2 loss and the Dense kernel's
moving_mean = [w for w in hub_layer.non_trainable_weights if "moving_mean" in w.name][0]
before = np.array(moving_mean.numpy())
hist = model.fit(train_ds, epochs=1, steps_per_epoch=2).history
assert not np.allclose(moving_mean.numpy(), before), "batch norm statistics did not update in training"

x = images[:BATCH_SIZE]
expected = model(x, training=False).numpy()
saved_model_path = str(work / "saved_flowers_model_mobilenet_v2")
tf.saved_model.save(model, saved_model_path)
reloaded = tf.saved_model.load(saved_model_path)
if keras3:
  reloaded_output = list(reloaded.signatures["serving_default"](tf.constant(x)).values())[0]
else:
  reloaded_output = reloaded(x)
np.testing.assert_allclose(reloaded_output.numpy(), expected, rtol=1e-5, atol=1e-5)
if keras3:
  model.save(work / "flowers.keras")
  with strategy.scope():
    restored = tf.keras.models.load_model(work / "flowers.keras")
  np.testing.assert_allclose(restored(x, training=False).numpy(), expected, rtol=1e-5, atol=1e-5)

# ---- 2. distribute/save_and_load: tf.saved_model.load + hub.KerasLayer in another scope.
mnist_images = np.random.RandomState(1).rand(16, 28, 28, 1).astype("float32")
mnist_labels = np.arange(16) % 10
train_dataset = tf.data.Dataset.from_tensor_slices((mnist_images, mnist_labels)).batch(8)

def get_model():
  with strategy.scope():
    model = tf.keras.Sequential([
        tf.keras.layers.Conv2D(32, 3, activation='relu', input_shape=(28, 28, 1)),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(64, activation='relu'),
        tf.keras.layers.Dense(10)
    ])

    model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=tf.keras.optimizers.Adam(),
                  metrics=[tf.metrics.SparseCategoricalAccuracy()])
    return model

model = get_model()
saved_model_path = str(work / "tf_save")
tf.saved_model.save(model, saved_model_path)

def build_model(loaded):
  x = tf.keras.layers.Input(shape=(28, 28, 1), name='input_x')
  # Wrap what's loaded to a KerasLayer
  if keras3:  # Keras 3's tf.saved_model.save keeps no __call__: its signature, frozen
    keras_layer = hub.KerasLayer(loaded, signature="serving_default", output_key="output_0")(x)
  else:
    keras_layer = hub.KerasLayer(loaded, trainable=True)(x)
  model = tf.keras.Model(x, keras_layer)
  return model

# On CPUs both strategies' all-reduces would be collectives with the same keys and clash
# (TensorFlow's doing: tensorflow_hub fails the same way); the second one reduces on one device.
another_strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"],
                                                  cross_device_ops=tf.distribute.ReductionToOneDevice())
with another_strategy.scope():
  loaded = tf.saved_model.load(saved_model_path)
  model = build_model(loaded)

  model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                optimizer=tf.keras.optimizers.Adam(),
                metrics=[tf.metrics.SparseCategoricalAccuracy()])
  before = [w.numpy().copy() for w in model.trainable_weights]
  model.fit(train_dataset, epochs=1)
if keras3:
  served = loaded.signatures["serving_default"](tf.constant(mnist_images))["output_0"]
  np.testing.assert_allclose(model(mnist_images).numpy(), served.numpy(), rtol=1e-5, atol=1e-5)
else:
  assert before and any(not np.allclose(b, w.numpy()) for b, w in zip(before, model.trainable_weights)), \
      "the loaded model's variables did not train"
print("ok")
