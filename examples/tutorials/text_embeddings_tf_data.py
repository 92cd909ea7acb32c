"""Text embeddings inside ``tf.data`` pipelines, as the TF Hub text tutorials use them.

With ``import tfhub as hub``; the handle is the tutorials' own. The patterns:

* ``embed = hub.load(handle)`` then ``embed(sentences)`` on a batch of strings
  (the model page and semantic-similarity tutorials);
* ``dataset.batch(n).map(lambda x: embed(x))`` and
  ``dataset.map(lambda text, label: (embed(text), label))``: embeddings
  computed inside the input pipeline (the approximate-nearest-neighbours
  tutorials embed a corpus batch by batch), then a Keras head fit on them;
* ``hub.KerasLayer(handle, input_shape=[], dtype=tf.string, trainable=True)``
  in a ``Sequential`` fed by a ``tf.data`` pipeline of strings (the
  cord_19_embeddings_keras tutorial), fit for a step, saved and reloaded:
  a ``.keras`` file on Keras 3, and the tutorials' SavedModel
  (``model.save(dir)``) on Keras 2 / TF 2.15 (Keras 3 saves only ``.keras``
  files; its SavedModel export, ``model.export(dir)``, is also checked).

The model is a stand-in (standins_media.write_nnlm: vocabulary asset, OOV
buckets, trainable embeddings) served under its tfhub.dev handle through
``TFHUB_MIRROR``. Run: ``python examples/tutorials/text_embeddings_tf_data.py``.
"""

import numpy as np
import tensorflow as tf

import standins_hub
import standins_media
import tfhub as hub
from tfhub.keras import flavour

module_url = "https://tfhub.dev/google/nnlm-en-dim128/2"
work = standins_hub.serve({module_url: standins_media.write_nnlm})
keras3 = flavour.which_keras() == flavour.KERAS3  # TF 2.16+ without TF_USE_LEGACY_KERAS=1

sentences = ["The movie was great", "a film is not bad", "awful", "good good good", "zebra crossing", "The film"]
labels = [1, 1, 0, 1, 0, 1]

# ---- hub.load, called eagerly and inside tf.data.
embed = hub.load(module_url)
embeddings = embed(["cat is on the mat", "dog is in the fog"])
assert embeddings.shape == (2, standins_media.NNLM_DIM) and embeddings.dtype == tf.float32

eager = embed(sentences).numpy()
dataset = tf.data.Dataset.from_tensor_slices(sentences)
batched = np.concatenate(list(dataset.batch(4).map(lambda x: embed(x)).as_numpy_iterator()))
np.testing.assert_allclose(batched, eager, rtol=1e-6)
unbatched = np.stack(list(dataset.map(lambda x: embed(tf.reshape(x, [1]))[0]).as_numpy_iterator()))
np.testing.assert_allclose(unbatched, eager, rtol=1e-6)

# ---- A head on embeddings computed by the input pipeline.
train_ds = (tf.data.Dataset.from_tensor_slices((sentences, labels)).batch(3)
            .map(lambda text, label: (embed(text), label)).prefetch(tf.data.AUTOTUNE))
head = tf.keras.Sequential([tf.keras.layers.Input(shape=(standins_media.NNLM_DIM,)),
                            tf.keras.layers.Dense(1, activation="sigmoid")])
head.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
head.fit(train_ds, epochs=1, verbose=0)

# ---- hub.KerasLayer in a Sequential model fed strings by tf.data; fine-tuned.
model = tf.keras.Sequential()
model.add(hub.KerasLayer(module_url, input_shape=[], dtype=tf.string, trainable=True))
model.add(tf.keras.layers.Dense(16, activation="relu"))
model.add(tf.keras.layers.Dense(1))
model.compile(optimizer=tf.keras.optimizers.Adam(0.01),
              loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
text_ds = tf.data.Dataset.from_tensor_slices((sentences, labels)).shuffle(6, seed=0).batch(3)
before = model.layers[0].trainable_weights[0].numpy().copy()
model.fit(text_ds, epochs=1, verbose=0)
assert not np.allclose(model.layers[0].trainable_weights[0].numpy(), before), "the embeddings did not train"

probe = tf.constant(sentences)
expected = model.predict(text_ds.map(lambda text, label: text), verbose=0)
assert expected.shape == (6, 1)
expected = model(probe).numpy()
if keras3:
  model.save(work / "text_model.keras")
  reloaded = tf.keras.models.load_model(work / "text_model.keras")
  np.testing.assert_allclose(reloaded(probe).numpy(), expected, rtol=1e-5, atol=1e-6)
  model.export(str(work / "text_model"))
  exported = tf.saved_model.load(str(work / "text_model"))  # kept: its functions need it alive
  np.testing.assert_allclose(exported.serve(probe).numpy(), expected, rtol=1e-5, atol=1e-6)
else:
  model.save(str(work / "text_model"))
  reloaded = tf.keras.models.load_model(str(work / "text_model"))
  np.testing.assert_allclose(reloaded(probe).numpy(), expected, rtol=1e-5, atol=1e-6)
  exported = tf.saved_model.load(str(work / "text_model"))  # kept: its functions need it alive
  np.testing.assert_allclose(exported(probe).numpy(), expected, rtol=1e-5, atol=1e-6)
print("ok")
