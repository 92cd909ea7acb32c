"""Tutorial "Classify text with BERT" (tensorflow.org/text/tutorials/classify_text_with_bert),
with ``import tfhub as hub``.

The tutorial's code is kept as written, handles included. Changed:
* ``import tensorflow_hub as hub`` -> ``import tfhub as hub``; no ``import tensorflow_text``
  and no ``from official.nlp import optimization`` (tf-models-official): the optimizer
  ``optimization.create_optimizer(..., optimizer_type='adamw')`` -> ``tf.keras.optimizers.Adam``;
* the IMDB directory read by ``text_dataset_from_directory`` -> a few reviews in memory
  (the same batches of (text, label)); 5 epochs -> 1; no plots;
* ``compile(..., metrics=metrics)`` -> ``metrics=[metrics]``: Keras 3 takes only a list,
  tuple or dict there ("Expected `metrics` argument to be a list, tuple, or dict");
* ``classifier_model.save(saved_model_path, include_optimizer=False)``: Keras 3 refuses a
  path without ``.keras``, so with Keras 3 the model is exported with
  ``classifier_model.export(saved_model_path)`` and the reloaded model is called through
  its ``serve`` endpoint (Keras 2 runs the tutorial's lines);
* added at the end: the same with ``.keras``, and checks that the outputs are equal.
"""

import os

import numpy as np
import tensorflow as tf

import tfhub as hub

import standins_hub
import standins_text

tfhub_handle_encoder = "https://tfhub.dev/tensorflow/small_bert/bert_en_uncased_L-4_H-512_A-8/1"
tfhub_handle_preprocess = "https://tfhub.dev/tensorflow/bert_en_uncased_preprocess/3"
work = standins_hub.serve({tfhub_handle_encoder: standins_text.bert_encoder,
                           tfhub_handle_preprocess: standins_text.bert_preprocessor})

reviews = ["This was a great movie, I loved it", "A bad film. Boring and too long",
           "Good acting and a good story", "It is the worst movie of the year"] * 4
train_ds = tf.data.Dataset.from_tensor_slices((reviews, [1, 0, 1, 0] * 4)).batch(8)
val_ds = train_ds.take(1)

# --- the tutorial ------------------------------------------------------------------
print(f'BERT model selected           : {tfhub_handle_encoder}')
print(f'Preprocess model auto-selected: {tfhub_handle_preprocess}')

bert_preprocess_model = hub.KerasLayer(tfhub_handle_preprocess)

text_test = ['this is such an amazing movie!']
text_preprocessed = bert_preprocess_model(text_test)

print(f'Keys       : {list(text_preprocessed.keys())}')
print(f'Shape      : {text_preprocessed["input_word_ids"].shape}')
print(f'Word Ids   : {text_preprocessed["input_word_ids"][0, :12]}')
print(f'Input Mask : {text_preprocessed["input_mask"][0, :12]}')
print(f'Type Ids   : {text_preprocessed["input_type_ids"][0, :12]}')

bert_model = hub.KerasLayer(tfhub_handle_encoder)

bert_results = bert_model(text_preprocessed)

print(f'Loaded BERT: {tfhub_handle_encoder}')
print(f'Pooled Outputs Shape:{bert_results["pooled_output"].shape}')
print(f'Pooled Outputs Values:{bert_results["pooled_output"][0, :12]}')
print(f'Sequence Outputs Shape:{bert_results["sequence_output"].shape}')
print(f'Sequence Outputs Values:{bert_results["sequence_output"][0, :12]}')


def build_classifier_model():
  text_input = tf.keras.layers.Input(shape=(), dtype=tf.string, name='text')
  preprocessing_layer = hub.KerasLayer(tfhub_handle_preprocess, name='preprocessing')
  encoder_inputs = preprocessing_layer(text_input)
  encoder = hub.KerasLayer(tfhub_handle_encoder, trainable=True, name='BERT_encoder')
  outputs = encoder(encoder_inputs)
  net = outputs['pooled_output']
  net = tf.keras.layers.Dropout(0.1)(net)
  net = tf.keras.layers.Dense(1, activation=None, name='classifier')(net)
  return tf.keras.Model(text_input, net)


classifier_model = build_classifier_model()
bert_raw_result = classifier_model(tf.constant(text_test))
print(tf.sigmoid(bert_raw_result))

loss = tf.keras.losses.BinaryCrossentropy(from_logits=True)
metrics = tf.metrics.BinaryAccuracy()

epochs = 1
init_lr = 3e-5
optimizer = tf.keras.optimizers.Adam(learning_rate=init_lr)

classifier_model.compile(optimizer=optimizer,
                         loss=loss,
                         metrics=[metrics])

print(f'Training model with {tfhub_handle_encoder}')
history = classifier_model.fit(x=train_ds,
                               validation_data=val_ds,
                               epochs=epochs)

dataset_name = 'imdb'
saved_model_path = os.path.join(work, './{}_bert'.format(dataset_name.replace('/', '_')))

if standins_hub.keras3():
  classifier_model.export(saved_model_path)
else:
  classifier_model.save(saved_model_path, include_optimizer=False)

reloaded_model = tf.saved_model.load(saved_model_path)
call_reloaded = reloaded_model.serve if standins_hub.keras3() else reloaded_model

examples = [
    'this is such an amazing movie!',  # this is the same sentence tried earlier
    'The movie was great!',
    'The movie was meh.',
    'The movie was okish.',
    'The movie was terrible...'
]

reloaded_results = tf.sigmoid(call_reloaded(tf.constant(examples)))
original_results = tf.sigmoid(classifier_model(tf.constant(examples)))
# --- end of the tutorial -----------------------------------------------------------

assert list(text_preprocessed) and text_preprocessed["input_word_ids"].shape == (1, 128)
assert bert_results["pooled_output"].shape == (1, 512)
assert bert_results["sequence_output"].shape == (1, 128, 512)
assert len(bert_results["encoder_outputs"]) == 4
encoder = classifier_model.get_layer("BERT_encoder")
assert len(encoder.trainable_weights) == 7 and not encoder.non_trainable_weights
np.testing.assert_allclose(reloaded_results, original_results, rtol=1e-5)

path = os.path.join(work, "classifier.keras")
classifier_model.save(path)
reloaded = tf.keras.models.load_model(path)
np.testing.assert_allclose(reloaded(tf.constant(examples)), classifier_model(tf.constant(examples)),
                           rtol=1e-5)
print("ok")
