"""Tutorial "Solve GLUE tasks using BERT" (tensorflow.org/text/tutorials/bert_glue), its
preprocessing model: ``preprocessor.tokenize`` and ``preprocessor.bert_pack_inputs`` as
``hub.KerasLayer``s on symbolic inputs, with ``import tfhub as hub``.

The tutorial's code is kept as written, handle included. Changed:
* ``import tensorflow_hub as hub`` -> ``import tfhub as hub``; no ``import tensorflow_text``
  (the stand-in preprocessor needs no custom ops);
* the GLUE data from tensorflow_datasets -> a few sentence pairs in memory, mapped
  through the preprocessing model in ``tf.data`` as the tutorial does;
* ``tf.keras.utils.plot_model`` is left out (it needs pydot and graphviz);
* added at the end: export as a SavedModel, reload, and check the outputs are equal.
"""

import os

import numpy as np
import tensorflow as tf

import tfhub as hub

import standins_hub
import standins_text

tfhub_handle_preprocess = "https://tfhub.dev/tensorflow/bert_en_uncased_preprocess/3"
work = standins_hub.serve({tfhub_handle_preprocess: standins_text.bert_preprocessor})


# --- the tutorial ------------------------------------------------------------------
def make_bert_preprocess_model(sentence_features, seq_length=128):
  """Returns Model mapping string features to BERT inputs.

  Args:
    sentence_features: a list with the names of string-valued features.
    seq_length: an integer that defines the sequence length of BERT inputs.

  Returns:
    A Keras Model that can be called on a list or dict of string Tensors
    (with the order or names, resp., given by sentence_features) and
    returns a dict of tensors for input to BERT.
  """

  input_segments = [
      tf.keras.layers.Input(shape=(), dtype=tf.string, name=ft)
      for ft in sentence_features]

  # Tokenize the text to word pieces.
  bert_preprocess = hub.load(tfhub_handle_preprocess)
  tokenizer = hub.KerasLayer(bert_preprocess.tokenize, name='tokenizer')
  segments = [tokenizer(s) for s in input_segments]

  # Optional: Trim segments in a smart way to fit seq_length.
  # Simple cases (like this example) can skip this step and let
  # the next step apply a default truncation to approximately equal lengths.
  truncated_segments = segments

  # Pack inputs. The details (start/end token ids, dict of output tensors)
  # are model-dependent, so this gets loaded from the SavedModel.
  packer = hub.KerasLayer(bert_preprocess.bert_pack_inputs,
                          arguments=dict(seq_length=seq_length),
                          name='packer')
  model_inputs = packer(truncated_segments)
  return tf.keras.Model(input_segments, model_inputs)


test_preprocess_model = make_bert_preprocess_model(['my_input1', 'my_input2'])
test_text = [np.array(['some random test sentence']),
             np.array(['another sentence'])]
text_preprocessed = test_preprocess_model(test_text)

print('Keys           : ', list(text_preprocessed.keys()))
print('Shape Word Ids : ', text_preprocessed['input_word_ids'].shape)
print('Word Ids       : ', text_preprocessed['input_word_ids'][0, :16])
print('Shape Mask     : ', text_preprocessed['input_mask'].shape)
print('Input Mask     : ', text_preprocessed['input_mask'][0, :16])
print('Shape Type Ids : ', text_preprocessed['input_type_ids'].shape)
print('Type Ids       : ', text_preprocessed['input_type_ids'][0, :16])
# --- end of the tutorial's cells used here -----------------------------------------

words = text_preprocessed["input_word_ids"].numpy()[0]
# [CLS] some rando ##m test sente ##nce [SEP] anoth ##er sente ##nce [SEP], then padding
assert words.shape == (128,) and words[0] == standins_text.CLS_ID, words
assert list(np.flatnonzero(words == standins_text.SEP_ID)) == [7, 12], words[:16]
assert list(text_preprocessed["input_type_ids"].numpy()[0, :14]) == [0] * 8 + [1] * 5 + [0]

# The tutorial maps its tf.data pipeline through the preprocessing model.
pairs = tf.data.Dataset.from_tensor_slices(
    {"my_input1": ["the first sentence", "a cat"], "my_input2": ["the second one", "a dog"]})
mapped = next(iter(pairs.batch(2).map(lambda ex: test_preprocess_model(
    [ex["my_input1"], ex["my_input2"]]))))
assert mapped["input_word_ids"].shape == (2, 128)

# The layers wrap functions, not handles, so the model has no .keras config (as with
# tensorflow_hub); it is exported as a SavedModel (Keras 3 and Keras 2: model.export).
path = os.path.join(work, "preprocess")
test_preprocess_model.export(path)
reloaded = tf.saved_model.load(path)
again = reloaded.serve([tf.constant(t) for t in test_text])
for key, value in text_preprocessed.items():
    np.testing.assert_array_equal(again[key], value)
print("ok")
