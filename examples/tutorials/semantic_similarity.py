"""Tutorial "Universal Sentence Encoder" (tensorflow.org/hub/tutorials/semantic_similarity_with_tf_hub_universal_encoder),
with ``import tfhub as hub``; then the same encoder as a ``hub.KerasLayer``.

The tutorial's code is kept as written, handle included. Changed:
* ``import tensorflow_hub as hub`` -> ``import tfhub as hub``;
* the heatmap (seaborn) -> the similarity matrix is computed and printed;
* the STS benchmark's pandas DataFrame -> a dict of NumPy arrays with the same columns
  (``batch['sent_1'].tolist()`` as in the tutorial), scipy's Pearson r -> NumPy's;
* added at the end: the encoder as ``hub.KerasLayer(module_url, input_shape=[],
  dtype=tf.string)`` in a ``Sequential``, saved as ``.keras``, reloaded, outputs equal.
"""

import functools
import math
import os

import numpy as np
import tensorflow as tf
from absl import logging

import tfhub as hub

import standins_hub
import standins_text

module_url = "https://tfhub.dev/google/universal-sentence-encoder/4"
work = standins_hub.serve({module_url: functools.partial(
    standins_text.text_embedding, dim=512, normalize=True)})

# --- the tutorial ------------------------------------------------------------------
model = hub.load(module_url)
print("module %s loaded" % module_url)


def embed(input):
  return model(input)


word = "Elephant"
sentence = "I am a sentence for which I would like to get its embedding."
paragraph = (
    "Universal Sentence Encoder embeddings also support short paragraphs. "
    "There is no hard limit on how long the paragraph is. Roughly, the longer "
    "the more 'diluted' the embedding will be.")
messages = [word, sentence, paragraph]

# Reduce logging output.
logging.set_verbosity(logging.ERROR)

message_embeddings = embed(messages)

for i, message_embedding in enumerate(np.array(message_embeddings).tolist()):
  print("Message: {}".format(messages[i]))
  print("Embedding size: {}".format(len(message_embedding)))
  message_embedding_snippet = ", ".join(
      (str(x) for x in message_embedding[:3]))
  print("Embedding: [{}, ...]\n".format(message_embedding_snippet))


def plot_similarity(labels, features, rotation):
  corr = np.inner(features, features)
  print(np.round(corr, 2))  # the tutorial draws it with seaborn.heatmap
  return corr


def run_and_plot(messages_):
  message_embeddings_ = embed(messages_)
  return plot_similarity(messages_, message_embeddings_, 90)


messages = [
    # Smartphones
    "I like my phone",
    "My phone is not good.",
    "Your cellphone looks great.",

    # Weather
    "Will it snow tomorrow?",
    "Recently a lot of hurricanes have hit the US",
    "Global warming is real",

    # Food and health
    "An apple a day, keeps the doctors away",
    "Eating strawberries is healthy",
    "Is paleo better than keto?",

    # Asking about age
    "How old are you?",
    "what is your age?",
]

corr = run_and_plot(messages)

sts_data = {"sent_1": np.array(["A man is playing a guitar.", "A cat sleeps."]),
            "sent_2": np.array(["A man plays the guitar.", "The weather is cold today."]),
            "sim": np.array([4.8, 0.2])}


def run_sts_benchmark(batch):
  sts_encode1 = tf.nn.l2_normalize(embed(tf.constant(batch['sent_1'].tolist())), axis=1)
  sts_encode2 = tf.nn.l2_normalize(embed(tf.constant(batch['sent_2'].tolist())), axis=1)
  cosine_similarities = tf.reduce_sum(tf.multiply(sts_encode1, sts_encode2), axis=1)
  clip_cosine_similarities = tf.clip_by_value(cosine_similarities, -1.0, 1.0)
  scores = 1.0 - tf.acos(clip_cosine_similarities) / math.pi
  """Returns the similarity scores"""
  return scores


scores = run_sts_benchmark(sts_data)
print('Pearson correlation coefficient = {0}'.format(np.corrcoef(scores, sts_data['sim'])[0, 1]))
# --- end of the tutorial -----------------------------------------------------------

assert message_embeddings.shape == (3, 512) and message_embeddings.dtype == tf.float32
np.testing.assert_allclose(np.diag(corr), 1.0, rtol=1e-5)  # the outputs are unit vectors
assert scores.shape == (2,)

encoder = tf.keras.Sequential([hub.KerasLayer(module_url, input_shape=[], dtype=tf.string)])
np.testing.assert_allclose(encoder(tf.constant(messages)), embed(messages), rtol=1e-6)
path = os.path.join(work, "encoder.keras")
encoder.save(path)
reloaded = tf.keras.models.load_model(path)
np.testing.assert_allclose(reloaded.predict(tf.constant(messages), verbose=0), embed(messages),
                           rtol=1e-5, atol=1e-6)
print("ok")
