"""Tiny models both libraries read, written once per session: ``python -m ... models OUTDIR``.

Prints a JSON object name -> path. TF1 Hub format modules are made with tfhub's
``create_module_spec`` + ``export`` (the only TF1 Hub API on TF 2.16+), so reading
them with tensorflow_hub 0.15 is part of what the scenarios check.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import tensorflow as tf

v1 = tf.compat.v1


def _frozen(path: Path) -> None:
    """Issue #13 item 1: a SavedModel listing only some variables as trainable."""
    kernel_w = tf.Variable([[2.0], [-1.0]], name="kernel_w")
    kernel_b = tf.Variable([0.0], name="kernel_b")
    bias_b = tf.Variable([1.0], name="bias_b")
    root = tf.train.Checkpoint(variables=[kernel_w, kernel_b, bias_b],
                               trainable_variables=[kernel_w])
    root.__call__ = tf.function(lambda x: tf.matmul(x, kernel_w) + kernel_b + bias_b,
                                input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    tf.saved_model.save(root, str(path))


def _dict_out(path: Path) -> None:
    scale = tf.Variable(2.0, name="scale")
    root = tf.train.Checkpoint(variables=[scale], trainable_variables=[scale])
    root.__call__ = tf.function(lambda x: {"a": x * scale, "b": x + 1.0},
                                input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    tf.saved_model.save(root, str(path))


def _text(path: Path) -> None:
    table = tf.Variable(tf.reshape(tf.range(30, dtype=tf.float32) / 10.0, [10, 3]), name="table")
    root = tf.train.Checkpoint(variables=[table], trainable_variables=[table])
    root.__call__ = tf.function(
        lambda s: tf.gather(table, tf.strings.to_hash_bucket_fast(s, 10)),
        input_signature=[tf.TensorSpec([None], tf.string)])
    tf.saved_model.save(root, str(path))


def _text_dict(path: Path) -> None:
    root = tf.train.Checkpoint()
    root.__call__ = tf.function(
        lambda s: {"emb": tf.stack([tf.cast(tf.strings.length(s), tf.float32)] * 2, axis=1),
                   "len": tf.strings.length(s)},
        input_signature=[tf.TensorSpec([None], tf.string)])
    tf.saved_model.save(root, str(path))


def _scalar(path: Path) -> None:
    root = tf.train.Checkpoint()
    root.__call__ = tf.function(lambda x: x * 2.0, input_signature=[tf.TensorSpec(None, tf.float32)])
    tf.saved_model.save(root, str(path))


def _scaled(path: Path) -> None:
    """``__call__(x, scale)``: for ``KerasLayer(arguments={"scale": ...})``."""
    root = tf.train.Checkpoint()
    root.__call__ = tf.function(lambda x, scale: x * scale, input_signature=[
        tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([], tf.float32)])
    tf.saved_model.save(root, str(path))


def _affine_fn(training: bool = False) -> None:
    import tfhub as hub
    x = v1.placeholder(tf.float32, [None, 2], name="x")
    w = v1.get_variable("w", initializer=tf.constant([[1.0], [2.0]]))
    moving = v1.get_variable("moving", initializer=tf.constant(0.0), trainable=False)
    y = tf.matmul(x, w) + 0.5
    if training:
        v1.add_to_collection(v1.GraphKeys.UPDATE_OPS, moving.assign(moving + 1.0))
        v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, 0.01 * tf.reduce_sum(w * w))
        y = y + 100.0
    hub.add_signature(inputs=x, outputs=y)
    hub.add_signature("named", inputs={"x": x}, outputs={"y": y, "z": 2.0 * y})
    hub.attach_message("numbers", tf.train.Int64List(value=[3, 1, 4]))


def _text_fn(shape=(None,)) -> None:
    import tfhub as hub
    s = v1.placeholder(tf.string, list(shape))
    table = v1.get_variable(
        "table", initializer=tf.reshape(tf.range(40, dtype=tf.float32) / 10.0, [10, 4]))
    hub.add_signature(inputs=s, outputs=tf.gather(table, tf.strings.to_hash_bucket_fast(s, 10)))


def _image_fn(size=(8, 8), info=False) -> None:
    import tfhub as hub
    images = v1.placeholder(tf.float32, [None, size[0], size[1], 3])
    w = v1.get_variable("w", initializer=tf.ones([3, 5]))
    features = tf.matmul(tf.reduce_mean(images, axis=[1, 2]), w)
    hub.add_signature(inputs={"images": images}, outputs={"default": features})
    if info:
        hub.attach_image_module_info(hub.ImageModuleInfo(
            default_image_size=hub.ImageModuleInfo.InputSize(height=6, width=7)))


def _export_tf1(path: Path, module_fn, tags_and_args=None) -> None:
    import tfhub as hub
    spec = hub.create_module_spec(module_fn, tags_and_args=tags_and_args or [(set(), {})])
    with tf.Graph().as_default():
        module = hub.Module(spec)
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            module.export(str(path), session)


def write_all(root: Path) -> dict:
    from tests.keras.conftest import save_reusable_model

    paths = {name: root / name for name in (
        "reusable", "frozen", "dict_out", "text", "text_dict", "scalar", "scaled",
        "tf1_affine", "tf1_text", "tf1_text10", "tf1_image", "tf1_image_info", "tf1_image_any")}
    save_reusable_model(paths["reusable"])
    _frozen(paths["frozen"])
    _dict_out(paths["dict_out"])
    _text(paths["text"])
    _scalar(paths["scalar"])
    _text_dict(paths["text_dict"])
    _scaled(paths["scaled"])
    _export_tf1(paths["tf1_affine"], _affine_fn,
                [(set(), {"training": False}), ({"train"}, {"training": True})])
    _export_tf1(paths["tf1_text"], _text_fn)
    _export_tf1(paths["tf1_text10"], lambda: _text_fn((10,)))
    _export_tf1(paths["tf1_image"], _image_fn)
    _export_tf1(paths["tf1_image_info"], lambda: _image_fn(info=True))
    _export_tf1(paths["tf1_image_any"], lambda: _image_fn(size=(None, None)))
    return {name: str(path) for name, path in paths.items()}


if __name__ == "__main__":
    print(json.dumps(write_all(Path(sys.argv[1]))))
