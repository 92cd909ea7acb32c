"""Stand-ins for the tfhub.dev models of the vision, audio and generative tutorials.

tfhub.dev cannot be reached from here (and many of its models are gone), so
each tutorial script builds a small model with the same interface as the one
it names: signatures, dtypes, dict structures, trainable and non-trainable
variables, regularization losses, assets. The scripts serve them with
:func:`standins_hub.serve` (``tfhub serve`` on 127.0.0.1, ``TFHUB_MIRROR`` pointed
at it), so the tutorials keep their own ``https://tfhub.dev/...`` handles:
resolving, download, extraction and caching run exactly as they would for
tfhub.dev. Sizes are smaller than the real models' (image resolution, number
of detections); the structures are not.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import numpy as np
import tensorflow as tf

import tfhub as hub

Builder = Callable[[str], None]


# ---------------------------------------------------------------- helpers


def _save_reusable(path: str, call: tf.types.experimental.GenericFunction, variables: list,
                   trainable: list, regularization_losses: list = (), **extra) -> None:
    """A Reusable SavedModel: ``__call__``, (trainable_)variables, regularization_losses, extras."""
    root = tf.train.Checkpoint()
    root.__call__ = call
    root.variables = list(variables)
    root.trainable_variables = list(trainable)
    root.regularization_losses = list(regularization_losses)
    for name, value in extra.items():
        setattr(root, name, value)
    tf.saved_model.save(root, path)


def _rng_variable(shape: tuple, seed: int, name: str, trainable: bool = True, scale: float = 0.1) -> tf.Variable:
    values = np.random.RandomState(seed).normal(0.0, scale, shape).astype("float32")
    return tf.Variable(values, name=name, trainable=trainable)


# ---------------------------------------------------------------- object detection

OPENIMAGES_ENTITIES = [b"Person", b"Table", b"Chair", b"Window", b"Building", b"Plant", b"Bottle", b"Dog"]
MAX_DETECTIONS = 8


def write_openimages_detector(path: str) -> None:
    """Like google/faster_rcnn/openimages_v4/inception_resnet_v2/1: a TF1 Hub format module.

    Signature ``default``: ``images`` float32 [1, H, W, 3] in [0, 1] -> unbatched
    ``detection_boxes`` [N, 4], ``detection_scores`` [N], ``detection_class_entities``
    / ``detection_class_names`` [N] strings, ``detection_class_labels`` [N] int64.
    Made with tfhub's own ``hub.create_module_spec``.
    """
    def module_fn() -> None:
        images = tf.compat.v1.placeholder(tf.float32, [1, None, None, 3], name="images")
        weights = tf.compat.v1.get_variable(
            "detector/weights", initializer=np.linspace(-1.0, 1.0, 3 * MAX_DETECTIONS, dtype="float32")
            .reshape(3, MAX_DETECTIONS))
        colour = tf.reduce_mean(images, axis=[1, 2])  # [1, 3]
        logits = tf.matmul(colour, weights)[0]
        scores, order = tf.math.top_k(tf.sigmoid(logits), k=MAX_DETECTIONS)
        corners = tf.cast(order, tf.float32) / (2.0 * MAX_DETECTIONS)
        boxes = tf.stack([corners, corners, corners + 0.5, corners + 0.5], axis=1)
        labels = tf.cast(order, tf.int64) % len(OPENIMAGES_ENTITIES)
        entities = tf.gather(tf.constant(OPENIMAGES_ENTITIES), labels)
        hub.add_signature(inputs={"images": images}, outputs={
            "detection_boxes": boxes, "detection_scores": scores,
            "detection_class_entities": entities,
            "detection_class_names": tf.strings.join(["/m/0", tf.strings.as_string(labels)]),
            "detection_class_labels": labels})

    _export_tf1(hub.create_module_spec(module_fn), path)


def write_tf2_detector(path: str) -> None:
    """Like the TF2 Detection API models (e.g. tensorflow/ssd_mobilenet_v2/2).

    ``__call__``: uint8 [1, H, W, 3] -> a dict of batched ``detection_boxes`` [1, N, 4],
    ``detection_classes`` [1, N] float32 (COCO ids from 1), ``detection_scores``
    [1, N], ``num_detections`` [1] float32.
    """
    weights = _rng_variable((3, MAX_DETECTIONS), seed=1, name="box_predictor", scale=1.0)

    @tf.function(input_signature=[tf.TensorSpec([1, None, None, 3], tf.uint8, name="input_tensor")])
    def detect(images: tf.Tensor) -> dict:
        colour = tf.reduce_mean(tf.cast(images, tf.float32) / 255.0, axis=[1, 2])
        scores, order = tf.math.top_k(tf.sigmoid(tf.matmul(colour, weights)), k=MAX_DETECTIONS)
        corners = tf.cast(order, tf.float32) / (2.0 * MAX_DETECTIONS)
        return {"detection_boxes": tf.stack([corners, corners, corners + 0.5, corners + 0.5], axis=2),
                "detection_classes": tf.cast(order + 1, tf.float32),
                "detection_scores": scores,
                "num_detections": tf.constant([float(MAX_DETECTIONS)])}

    _save_reusable(path, detect, [weights], [])


# ---------------------------------------------------------------- style transfer


def write_arbitrary_stylization(path: str) -> None:
    """Like google/magenta/arbitrary-image-stylization-v1-256/2.

    ``__call__(content, style)``: float32 [1, H, W, 3] and [1, h, w, 3] in [0, 1] ->
    a one-element list holding the stylized content image, [1, H, W, 3].
    """
    mix = tf.Variable([[0.6, 0.3, 0.1], [0.1, 0.6, 0.3], [0.3, 0.1, 0.6]], name="transformer/mix")
    spec = tf.TensorSpec([None, None, None, 3], tf.float32)

    @tf.function(input_signature=[spec, spec])
    def stylize(content: tf.Tensor, style: tf.Tensor) -> list:
        style_colour = tf.reduce_mean(style, axis=[1, 2], keepdims=True)
        mixed = tf.einsum("bhwc,cd->bhwd", content, mix)
        return [tf.clip_by_value(0.7 * mixed + 0.3 * style_colour, 0.0, 1.0)]

    _save_reusable(path, stylize, [mix], [])


# ---------------------------------------------------------------- audio

YAMNET_CLASSES = 521
YAMNET_EMBEDDING = 1024
SAMPLE_RATE = 16000


def yamnet_class_names() -> list:
    """Display names of the stand-in's classes (the real map starts Speech, Child speech, ...)."""
    return ["Speech", "Dog", "Cat", "Music"] + [f"Class {i}" for i in range(4, YAMNET_CLASSES)]


def write_yamnet(path: str) -> None:
    """Like google/yamnet/1: a 16 kHz mono waveform -> (scores, embeddings, log-mel spectrogram).

    ``__call__``: float32 [num_samples] -> scores [N, 521], embeddings [N, 1024]
    (one per 0.96 s frame, hop 0.48 s), log-mel spectrogram [M, 64]; and
    ``class_map_path()``, the path of the asset ``yamnet_class_map.csv``
    (index, mid, display_name).
    """
    assets = Path(tempfile.mkdtemp())
    csv_path = assets / "yamnet_class_map.csv"
    rows = ["index,mid,display_name"] + [f'{i},/m/{i:05d},"{name}"' for i, name in enumerate(yamnet_class_names())]
    csv_path.write_text("\n".join(rows) + "\n")
    class_map = tf.saved_model.Asset(os.fspath(csv_path))
    mel = tf.signal.linear_to_mel_weight_matrix(64, 257, SAMPLE_RATE, 125.0, 7500.0)
    to_embedding = _rng_variable((64, YAMNET_EMBEDDING), seed=2, name="yamnet/embedding")
    to_scores = _rng_variable((YAMNET_EMBEDDING, YAMNET_CLASSES), seed=3, name="yamnet/logits")

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def call(waveform: tf.Tensor) -> tuple:
        stft = tf.signal.stft(waveform, frame_length=400, frame_step=160, fft_length=512, pad_end=True)
        log_mel = tf.math.log(tf.matmul(tf.abs(stft), mel) + 0.001)
        patches = tf.signal.frame(log_mel, frame_length=96, frame_step=48, pad_end=True, axis=0)
        embeddings = tf.nn.relu(tf.matmul(tf.reduce_mean(patches, axis=1), to_embedding))
        scores = tf.sigmoid(tf.matmul(embeddings, to_scores))
        return scores, embeddings, log_mel

    @tf.function(input_signature=[])
    def class_map_path() -> tf.Tensor:
        return class_map.asset_path

    _save_reusable(path, call, [to_embedding, to_scores], [to_embedding, to_scores],
                   class_map_path=class_map_path, class_map=class_map)
    shutil.rmtree(assets)


def write_wav(path: Path, seconds: float, frequency: float) -> None:
    """A 16 kHz mono 16-bit WAV file of a sine tone."""
    t = tf.range(int(seconds * SAMPLE_RATE), dtype=tf.float32) / SAMPLE_RATE
    tone = 0.5 * tf.sin(2.0 * np.pi * frequency * t)[:, tf.newaxis]
    tf.io.write_file(os.fspath(path), tf.audio.encode_wav(tone, SAMPLE_RATE))


# ---------------------------------------------------------------- generative (TF1 Hub format)

BIGGAN_Z = 128
BIGGAN_CLASSES = 1000
BIGGAN_SIZE = 16  # the real biggan-deep-256 makes 256x256 images


def write_biggan(path: str) -> None:
    """Like deepmind/biggan-deep-256/1: a TF1 Hub format module made with ``hub.create_module_spec``.

    Signature ``default``: ``y`` float32 [None, 1000] (one-hot class), ``z``
    float32 [None, 128] (noise), ``truncation`` float32 [] -> ``default``, images
    float32 [None, 16, 16, 3] in [-1, 1].
    """
    def module_fn() -> None:
        y = tf.compat.v1.placeholder(tf.float32, [None, BIGGAN_CLASSES], name="y")
        z = tf.compat.v1.placeholder(tf.float32, [None, BIGGAN_Z], name="z")
        truncation = tf.compat.v1.placeholder(tf.float32, [], name="truncation")
        init = tf.compat.v1.random_normal_initializer(stddev=0.1, seed=4)
        class_embedding = tf.compat.v1.get_variable("embed", [BIGGAN_CLASSES, BIGGAN_Z], initializer=init)
        generator = tf.compat.v1.get_variable("generator", [BIGGAN_Z, BIGGAN_SIZE * BIGGAN_SIZE * 3],
                                              initializer=init)
        hidden = z * truncation + tf.matmul(y, class_embedding)
        images = tf.tanh(tf.reshape(tf.matmul(hidden, generator), [-1, BIGGAN_SIZE, BIGGAN_SIZE, 3]))
        hub.add_signature(inputs={"y": y, "z": z, "truncation": truncation}, outputs=images)

    _export_tf1(hub.create_module_spec(module_fn), path)


def _export_tf1(spec: "hub.ModuleSpec", path: str) -> None:
    """Exports a TF1 Hub format module from its spec, with freshly initialized variables."""
    with tf.Graph().as_default():
        module = hub.Module(spec)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            module.export(path, session)


# ---------------------------------------------------------------- text embeddings

NNLM_DIM = 128
NNLM_VOCABULARY = ["<unk>", "the", "a", "movie", "film", "good", "great", "bad", "awful", "is", "was", "not"]
NNLM_OOV_BUCKETS = 4


def write_nnlm(path: str) -> None:
    """Like google/nnlm-en-dim128/2: sentences (string [None]) -> embeddings float32 [None, 128].

    Words are looked up in the vocabulary asset (with out-of-vocabulary
    buckets); a sentence is the sqrt-n combination of its words' trainable
    embeddings.
    """
    assets = Path(tempfile.mkdtemp())
    vocabulary_file = assets / "tokens.txt"
    vocabulary_file.write_text("\n".join(NNLM_VOCABULARY) + "\n")
    asset = tf.saved_model.Asset(os.fspath(vocabulary_file))
    table = tf.lookup.StaticVocabularyTable(
        tf.lookup.TextFileInitializer(asset, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                      tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER),
        num_oov_buckets=NNLM_OOV_BUCKETS)
    embeddings = _rng_variable((len(NNLM_VOCABULARY) + NNLM_OOV_BUCKETS, NNLM_DIM), seed=5, name="embeddings")

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def embed(sentences: tf.Tensor) -> tf.Tensor:
        words = tf.strings.split(tf.strings.lower(sentences))
        ids = table.lookup(words)
        vectors = tf.ragged.map_flat_values(tf.nn.embedding_lookup, embeddings, ids)
        counts = tf.cast(tf.maximum(ids.row_lengths(), 1), tf.float32)[:, tf.newaxis]
        return tf.reduce_sum(vectors, axis=1) / tf.sqrt(counts)

    _save_reusable(path, embed, [embeddings], [embeddings], table=table, vocabulary=asset)
    shutil.rmtree(assets)
