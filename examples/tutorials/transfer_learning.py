"""Tutorial "Transfer learning with TensorFlow Hub"
(tensorflow.org/tutorials/images/transfer_learning_with_hub), with ``import tfhub as hub``.

The tutorial's code is kept as written, handle included, from the headless model on
(the part before it, the ImageNet classifier, needs another model and is left out).
Changed:
* ``import tensorflow_hub as hub`` -> ``import tfhub as hub``;
* the flower photos read by ``image_dataset_from_directory`` -> a few random images in
  memory (the same batches of float32 images and int labels, rescaled as in the tutorial);
* 10 epochs -> 1, without the TensorBoard callback; no plots;
* ``model.save(export_path)`` / ``tf.keras.models.load_model(export_path)``: Keras 3
  refuses a path without ``.keras``, so with Keras 3 ``export_path`` ends in ``.keras``
  (Keras 2 runs the tutorial's SavedModel directory);
* added at the end: checks that the frozen hub layer did not change in ``fit``.
"""

import os
import time

import numpy as np
import tensorflow as tf

import tfhub as hub

import standins_feature_vector
import standins_hub

mobilenet_v2 = "https://tfhub.dev/google/tf2-preview/mobilenet_v2/feature_vector/4"
work = standins_hub.serve({mobilenet_v2: standins_feature_vector.image_feature_vector})

class_names = np.array(["daisy", "dandelion", "roses", "sunflowers", "tulips"])
images = tf.random.stateless_uniform([8, 224, 224, 3], seed=[3, 4], maxval=255.0)
train_ds = tf.data.Dataset.from_tensor_slices((images, [0, 1, 2, 3, 4, 0, 1, 2])).batch(4)
normalization_layer = tf.keras.layers.Rescaling(1./255)
train_ds = train_ds.map(lambda x, y: (normalization_layer(x), y))
val_ds = train_ds.take(1)

# --- the tutorial ------------------------------------------------------------------
for image_batch, labels_batch in train_ds:
  print(image_batch.shape)
  print(labels_batch.shape)
  break

feature_extractor_model = mobilenet_v2

feature_extractor_layer = hub.KerasLayer(
    feature_extractor_model,
    input_shape=(224, 224, 3),
    trainable=False)

feature_batch = feature_extractor_layer(image_batch)
print(feature_batch.shape)

num_classes = len(class_names)

model = tf.keras.Sequential([
  feature_extractor_layer,
  tf.keras.layers.Dense(num_classes)
])

model.summary()

predictions = model(image_batch)

model.compile(
  optimizer=tf.keras.optimizers.Adam(),
  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
  metrics=['acc'])

hub_weights = [w.numpy() for w in feature_extractor_layer.weights]

NUM_EPOCHS = 1

history = model.fit(train_ds,
                    validation_data=val_ds,
                    epochs=NUM_EPOCHS)

predicted_batch = model.predict(image_batch)
predicted_id = tf.math.argmax(predicted_batch, axis=-1)
predicted_label_batch = class_names[predicted_id]
print(predicted_label_batch)

t = time.time()

export_path = os.path.join(work, "saved_models/{}".format(int(t)))
if standins_hub.keras3():
  export_path += ".keras"
  os.makedirs(os.path.dirname(export_path))
model.save(export_path)

reloaded = tf.keras.models.load_model(export_path)

result_batch = model.predict(image_batch)
reloaded_result_batch = reloaded.predict(image_batch)

print(abs(reloaded_result_batch - result_batch).max())
# --- end of the tutorial -----------------------------------------------------------

assert feature_batch.shape == (4, 1280) and predictions.shape == (4, num_classes)
assert not feature_extractor_layer.trainable_weights
assert len(feature_extractor_layer.non_trainable_weights) == 6
for before, after in zip(hub_weights, feature_extractor_layer.weights):
    np.testing.assert_array_equal(before, after.numpy())  # frozen: moving statistics too
assert float(sum(model.losses, 0.0)) == 0.0  # its L2 loss counts only when trainable
np.testing.assert_allclose(reloaded_result_batch, result_batch, rtol=1e-5, atol=1e-6)
print("ok")
