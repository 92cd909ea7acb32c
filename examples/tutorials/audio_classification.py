"""tensorflow.org/hub/tutorials/yamnet and tensorflow.org/tutorials/audio/transfer_learning_audio.

With ``import tfhub as hub``; the tutorials' code is kept as written, the
handle included. Changed besides the import line:

* yamnet reads its WAV with ``scipy.io.wavfile`` and resamples with
  ``scipy.signal``; scipy is not a dependency here, so the WAV (already 16 kHz)
  is read with ``tf.audio.decode_wav`` into the same int16 values.
* transfer_learning_audio resamples with ``tensorflow_io``; the WAVs written
  here are 16 kHz already, so that line is left out. Its ESC-50 download
  and pandas table are replaced by a few generated WAV files with their
  label and fold; it fits one epoch instead of 20.
* Keras 3 refuses two lines of the tutorial (Keras 2 and TF 2.15 run them as
  written, and so does this script there):
  - ``tf.keras.layers.Input(shape=(1024), ...)``: ``(1024)`` is the int 1024,
    not a tuple. Keras 3: ``shape=(1024,)``.
  - ``serving_model.save(saved_model_path, include_optimizer=False)`` to a
    SavedModel directory: Keras 3 saves only ``.keras`` files. Keras 3:
    ``serving_model.export(saved_model_path)``; the reloaded SavedModel is
    then called through ``reloaded_model.serve(...)`` and its
    ``serving_default`` signature names the output ``output_0`` (not
    ``classifier``).

The model is a stand-in (standins_media.py) served under its tfhub.dev handle
through ``TFHUB_MIRROR``. Run: ``python examples/tutorials/audio_classification.py``.
"""

import csv

import numpy as np
import tensorflow as tf

import standins_hub
import standins_media
import tfhub as hub
from tfhub.keras import flavour

work = standins_hub.serve({"https://tfhub.dev/google/yamnet/1": standins_media.write_yamnet})
keras3 = flavour.which_keras() == flavour.KERAS3  # TF 2.16+ without TF_USE_LEGACY_KERAS=1

# ---- yamnet.ipynb
# Load the model.
model = hub.load('https://tfhub.dev/google/yamnet/1')


# Find the name of the class with the top score when mean-aggregated across frames.
def class_names_from_csv(class_map_csv_text):
  """Returns list of class names corresponding to score vector."""
  class_names = []
  with tf.io.gfile.GFile(class_map_csv_text) as csvfile:
    reader = csv.DictReader(csvfile)
    for row in reader:
      class_names.append(row['display_name'])

  return class_names

class_map_path = model.class_map_path().numpy()
class_names = class_names_from_csv(class_map_path)
assert class_names == standins_media.yamnet_class_names()

wav_file_name = str(work / 'miaow_16k.wav')
standins_media.write_wav(work / 'miaow_16k.wav', seconds=6.7, frequency=440.0)
# The tutorial: sample_rate, wav_data = wavfile.read(wav_file_name, 'rb')
audio, rate = tf.audio.decode_wav(tf.io.read_file(wav_file_name))
sample_rate, wav_data = int(rate), np.round(audio[:, 0].numpy() * 32768).astype(np.int16)

# The wav_data needs to be normalized to values in [-1.0, 1.0]
waveform = wav_data / tf.int16.max

# Run the model, check the output.
scores, embeddings, spectrogram = model(waveform)

scores_np = scores.numpy()
spectrogram_np = spectrogram.numpy()
infered_class = class_names[scores_np.mean(axis=0).argmax()]
print(f'The main sound is: {infered_class}')
assert scores_np.shape == (14, standins_media.YAMNET_CLASSES), scores_np.shape
assert embeddings.shape == (14, standins_media.YAMNET_EMBEDDING) and spectrogram_np.shape[1] == 64

# ---- transfer_learning_audio.ipynb
yamnet_model_handle = 'https://tfhub.dev/google/yamnet/1'
yamnet_model = hub.load(yamnet_model_handle)

@tf.function
def load_wav_16k_mono(filename):
    """ Load a WAV file, convert it to a float tensor, resample to 16 kHz single-channel audio. """
    file_contents = tf.io.read_file(filename)
    wav, sample_rate = tf.audio.decode_wav(
          file_contents,
          desired_channels=1)
    wav = tf.squeeze(wav, axis=-1)
    sample_rate = tf.cast(sample_rate, dtype=tf.int64)
    # Left out: wav = tfio.audio.resample(wav, rate_in=sample_rate, rate_out=16000)
    return wav

my_classes = ['dog', 'cat']
# Instead of ESC-50's table (filtered_pd): two sounds per fold, a low tone "dog", a high tone "cat".
filenames, targets, folds = [], [], []
for fold in range(1, 6):
  for target, frequency in enumerate((220.0, 1760.0)):
    path = work / f'{fold}-{my_classes[target]}.wav'
    standins_media.write_wav(path, seconds=5.0, frequency=frequency * (1 + 0.05 * fold))
    filenames.append(str(path)), targets.append(target), folds.append(fold)

testing_wav_data = load_wav_16k_mono(filenames[-1])

main_ds = tf.data.Dataset.from_tensor_slices((filenames, targets, folds))

def load_wav_for_map(filename, label, fold):
  return load_wav_16k_mono(filename), label, fold

main_ds = main_ds.map(load_wav_for_map)

# applies the embedding extraction model to a wav data
def extract_embedding(wav_data, label, fold):
  ''' run YAMNet to extract embedding from the wav data '''
  scores, embeddings, spectrogram = yamnet_model(wav_data)
  num_embeddings = tf.shape(embeddings)[0]
  return (embeddings,
            tf.repeat(label, num_embeddings),
            tf.repeat(fold, num_embeddings))

# extract embedding
main_ds = main_ds.map(extract_embedding).unbatch()

cached_ds = main_ds.cache()
train_ds = cached_ds.filter(lambda embedding, label, fold: fold < 4)
val_ds = cached_ds.filter(lambda embedding, label, fold: fold == 4)
test_ds = cached_ds.filter(lambda embedding, label, fold: fold == 5)

# remove the folds column now that it's not needed anymore
remove_fold_column = lambda embedding, label, fold: (embedding, label)

train_ds = train_ds.map(remove_fold_column)
val_ds = val_ds.map(remove_fold_column)
test_ds = test_ds.map(remove_fold_column)

train_ds = train_ds.cache().shuffle(1000).batch(32).prefetch(tf.data.AUTOTUNE)
val_ds = val_ds.cache().batch(32).prefetch(tf.data.AUTOTUNE)
test_ds = test_ds.cache().batch(32).prefetch(tf.data.AUTOTUNE)

embedding_shape = (1024,) if keras3 else (1024)  # Keras 3 refuses the tutorial's shape=(1024)
my_model = tf.keras.Sequential([
    tf.keras.layers.Input(shape=embedding_shape, dtype=tf.float32,
                          name='input_embedding'),
    tf.keras.layers.Dense(512, activation='relu'),
    tf.keras.layers.Dense(len(my_classes))
], name='my_model')

my_model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                 optimizer="adam",
                 metrics=['accuracy'])

callback = tf.keras.callbacks.EarlyStopping(monitor='loss',
                                            patience=3,
                                            restore_best_weights=True)

history = my_model.fit(train_ds,
                       epochs=1,
                       validation_data=val_ds,
                       callbacks=callback)

loss, accuracy = my_model.evaluate(test_ds)

print("Loss: ", loss)
print("Accuracy: ", accuracy)

scores, embeddings, spectrogram = yamnet_model(testing_wav_data)
result = my_model(embeddings).numpy()

infered_class = my_classes[result.mean(axis=0).argmax()]
print(f'The main sound is: {infered_class}')

class ReduceMeanLayer(tf.keras.layers.Layer):
  def __init__(self, axis=0, **kwargs):
    super(ReduceMeanLayer, self).__init__(**kwargs)
    self.axis = axis

  def call(self, input):
    return tf.math.reduce_mean(input, axis=self.axis)

saved_model_path = str(work / 'dogs_and_cats_yamnet')

input_segment = tf.keras.layers.Input(shape=(), dtype=tf.float32, name='audio')
embedding_extraction_layer = hub.KerasLayer(yamnet_model_handle,
                                            trainable=False, name='yamnet')
_, embeddings_output, _ = embedding_extraction_layer(input_segment)
serving_outputs = my_model(embeddings_output)
serving_outputs = ReduceMeanLayer(axis=0, name='classifier')(serving_outputs)
serving_model = tf.keras.Model(input_segment, serving_outputs)
if keras3:
  serving_model.export(saved_model_path)  # Keras 3 refuses .save() to a SavedModel directory
else:
  serving_model.save(saved_model_path, include_optimizer=False)

reloaded_model = tf.saved_model.load(saved_model_path)

reloaded_results = reloaded_model.serve(testing_wav_data) if keras3 else reloaded_model(testing_wav_data)
cat_or_dog = my_classes[tf.argmax(reloaded_results)]
print(f'The main sound is: {cat_or_dog}')

serving_results = reloaded_model.signatures['serving_default'](testing_wav_data)
cat_or_dog = my_classes[tf.argmax(serving_results['output_0' if keras3 else 'classifier'])]
print(f'The main sound is: {cat_or_dog}')

# The reloaded SavedModel computes what the Keras model and YAMNet + head do.
expected = serving_model(testing_wav_data).numpy()
np.testing.assert_allclose(reloaded_results.numpy(), expected, rtol=1e-5, atol=1e-6)
np.testing.assert_allclose(reloaded_results.numpy(), result.mean(axis=0), rtol=1e-5, atol=1e-6)
print("ok")
