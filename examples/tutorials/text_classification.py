"""Tutorial "Text classification with TensorFlow Hub: Movie reviews"
(tensorflow.org/tutorials/keras/text_classification_with_hub), with ``import tfhub as hub``.

The tutorial's code is kept as written, handle included. Changed:
* ``import tensorflow_hub as hub`` -> ``import tfhub as hub``;
* the IMDB reviews from tensorflow_datasets -> a few reviews in memory, the same
  structure (a ``tf.data`` of (text, label) pairs, ``as_supervised=True``);
* 10 epochs -> 1, and the prints of the notebook cells are gone;
* added at the end: save as ``.keras``, reload, and check the outputs are equal.
"""

import os

import numpy as np
import tensorflow as tf

import tfhub as hub

import standins_hub
import standins_text

work = standins_hub.serve({"https://tfhub.dev/google/nnlm-en-dim50/2": standins_text.text_embedding})

reviews = ["This was a great movie, I loved it", "A bad film. Boring and too long",
           "Good acting and a good story", "It is the worst movie of the year"] * 8
labels = [1, 0, 1, 0] * 8
dataset = tf.data.Dataset.from_tensor_slices((reviews, labels))
train_data, validation_data, test_data = dataset.take(20), dataset.skip(20).take(6), dataset.skip(26)

# --- the tutorial ------------------------------------------------------------------
train_examples_batch, train_labels_batch = next(iter(train_data.batch(10)))

embedding = "https://tfhub.dev/google/nnlm-en-dim50/2"
hub_layer = hub.KerasLayer(embedding, input_shape=[],
                           dtype=tf.string, trainable=True)
hub_layer(train_examples_batch[:3])

model = tf.keras.Sequential()
model.add(hub_layer)
model.add(tf.keras.layers.Dense(16, activation='relu'))
model.add(tf.keras.layers.Dense(1))

model.summary()

model.compile(optimizer='adam',
              loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=['accuracy'])

history = model.fit(train_data.shuffle(10000).batch(512),
                    epochs=1,
                    validation_data=validation_data.batch(512),
                    verbose=1)

results = model.evaluate(test_data.batch(512), verbose=2)

for name, value in zip(model.metrics_names, results):
    print("%s: %.3f" % (name, value))
# --- end of the tutorial -----------------------------------------------------------

before = hub_layer.trainable_weights[0].numpy()
assert len(hub_layer.trainable_weights) == 1, hub_layer.trainable_weights
model.fit(train_data.batch(8), epochs=1, verbose=0)
assert not np.allclose(before, hub_layer.trainable_weights[0].numpy()), "fit did not train the embedding"

path = os.path.join(work, "classifier.keras")
model.save(path)
reloaded = tf.keras.models.load_model(path)
np.testing.assert_allclose(reloaded.predict(tf.constant(reviews[:4]), verbose=0),
                           model.predict(tf.constant(reviews[:4]), verbose=0), rtol=1e-5)
print("ok")
