"""Fine-tuning a BERT encoder from TF Hub with a custom training loop, with ``import tfhub as hub``.

The hub part is the "TF Hub" section of the tutorial "Fine-tuning a BERT model"
(tensorflow.org/tfmodels/nlp/fine_tune_bert): ``hub.KerasLayer(handle, trainable=True)``
called on BERT's input dict with ``training=``; the classifier is the tutorial "Solve
GLUE tasks using BERT"'s subclassed ``Classifier``; the loop is the one of the TensorFlow
guide "Writing a training loop from scratch" (``tf.GradientTape``, ``apply_gradients`` over
the trainable variables, in a ``tf.function``). Changed: ``import tensorflow_hub as hub``
-> ``import tfhub as hub``; GLUE/MRPC from tensorflow_datasets -> a few sentence pairs,
preprocessed by the hub preprocessor; tf-models-official's optimizer -> Adam. Added at
the end: the trained weights are saved (``save_weights``), loaded into a fresh
``Classifier`` and its outputs compared. Not done: a SavedModel of this subclassed model
with Keras 3, whose saving traces its undeclared inputs as float32 (refused by the
encoder's int32 signature), even inside a Functional model with typed ``Input``s.
"""

import os

import numpy as np
import tensorflow as tf

import tfhub as hub

import standins_hub
import standins_text

hub_url_bert = "https://tfhub.dev/tensorflow/bert_en_uncased_L-12_H-768_A-12/4"
tfhub_handle_preprocess = "https://tfhub.dev/tensorflow/bert_en_uncased_preprocess/3"
work = standins_hub.serve({hub_url_bert: standins_text.bert_encoder,
                           tfhub_handle_preprocess: standins_text.bert_preprocessor})

preprocessor = hub.load(tfhub_handle_preprocess)
sentences1 = ["The company said it expects results soon", "He went home", "A cat sat", "It rained"]
sentences2 = ["Results are expected soon, the company said", "She left", "A dog ran", "It was wet"]
packed = preprocessor.bert_pack_inputs(
    [preprocessor.tokenize(tf.constant(sentences1)), preprocessor.tokenize(tf.constant(sentences2))],
    seq_length=tf.constant(32))
glue_train = tf.data.Dataset.from_tensor_slices((dict(packed), [1, 0, 0, 1])).batch(2)

# --- the tutorials ----------------------------------------------------------------
hub_encoder = hub.KerasLayer(hub_url_bert, trainable=True)

print(f"The Hub encoder has {len(hub_encoder.trainable_variables)} trainable variables")

example_batch, _ = next(iter(glue_train))
result = hub_encoder(
    inputs=dict(
        input_word_ids=example_batch['input_word_ids'],
        input_mask=example_batch['input_mask'],
        input_type_ids=example_batch['input_type_ids'],),
    training=False,
)

print("Pooled output shape:", result['pooled_output'].shape)
print("Sequence output shape:", result['sequence_output'].shape)


class Classifier(tf.keras.Model):
  def __init__(self, num_classes):
    super(Classifier, self).__init__(name="prediction")
    self.encoder = hub.KerasLayer(hub_url_bert, trainable=True)
    self.dropout = tf.keras.layers.Dropout(0.1)
    self.dense = tf.keras.layers.Dense(num_classes)

  def call(self, preprocessed_text):
    encoder_outputs = self.encoder(preprocessed_text)
    pooled_output = encoder_outputs["pooled_output"]
    x = self.dropout(pooled_output)
    x = self.dense(x)
    return x


model = Classifier(2)
optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
train_acc_metric = tf.keras.metrics.SparseCategoricalAccuracy()


@tf.function
def train_step(x, y):
  with tf.GradientTape() as tape:
    logits = model(x, training=True)
    loss_value = loss_fn(y, logits)
  grads = tape.gradient(loss_value, model.trainable_weights)
  optimizer.apply_gradients(zip(grads, model.trainable_weights))
  train_acc_metric.update_state(y, logits)
  return loss_value


model(example_batch)  # builds the dense head before its weights are listed
before = [w.numpy() for w in model.encoder.trainable_weights]
epochs = 2
for epoch in range(epochs):
  for step, (x_batch_train, y_batch_train) in enumerate(glue_train):  # noqa: B007 - as in the guide
    loss_value = train_step(x_batch_train, y_batch_train)
  train_acc = train_acc_metric.result()
  print("Training acc over epoch %d: %.4f, loss %.4f" % (epoch, float(train_acc), float(loss_value)))
  train_acc_metric.reset_state()
# --- end of the tutorials ----------------------------------------------------------

assert result["pooled_output"].shape == (2, 512) and result["sequence_output"].shape == (2, 32, 512)
assert len(hub_encoder.trainable_variables) == 7
changed = [not np.allclose(b, w.numpy()) for b, w in zip(before, model.encoder.trainable_weights)]
assert all(changed), f"the loop left encoder variables unchanged: {changed}"

# A custom loop keeps weights: saved, loaded into a fresh Classifier, same outputs. (The
# SavedModel route does not work here with Keras 3: saving traces this subclassed model's
# undeclared inputs as float32, which the encoder's int32 signature refuses.)
path = os.path.join(work, "classifier.weights.h5")
model.save_weights(path)
fresh = Classifier(2)
fresh(example_batch)
fresh.load_weights(path)
np.testing.assert_allclose(fresh(example_batch, training=False), model(example_batch, training=False),
                           rtol=1e-5, atol=1e-6)
print("ok")
