"""Tiny module_fns for the TF1 Hub format tests (plain tf.compat.v1 ops only)."""

from __future__ import annotations

import tensorflow as tf

import tfhub as hub

v1 = tf.compat.v1


def double_fn():
    """Stateless: default signature x -> 2x over float32 [None]."""
    x = v1.placeholder(tf.float32, [None])
    hub.add_signature(inputs=x, outputs=2.0 * x)


def affine_fn():
    """One variable w (init 1.0), two signatures and a dict signature."""
    x = v1.placeholder(tf.float32, [None, 3], name="x")
    w = v1.get_variable("w", [3, 2], initializer=v1.ones_initializer())
    b = v1.get_variable("b", [2], initializer=v1.zeros_initializer())
    y = tf.matmul(x, w) + b
    hub.add_signature(inputs=x, outputs=y)
    a = v1.placeholder(tf.float32, [None], name="a")
    c = v1.placeholder(tf.float32, [None], name="c")
    hub.add_signature("sum", inputs={"a": a, "c": c},
                      outputs={"sum": a + c, "scaled": a * tf.reduce_sum(w)})


def partitioned_fn():
    """A variable split in three parts."""
    x = v1.placeholder(tf.float32, [None, 2])
    w = v1.get_variable("w", [6, 2], initializer=v1.ones_initializer(),
                        partitioner=v1.fixed_size_partitioner(3))
    hub.add_signature(inputs=x, outputs=tf.matmul(x, tf.transpose(w.as_tensor())))


def trainable_fn(is_training: bool = False):
    """Linear model with L2 regularization and a batch-norm-like moving mean."""
    x = v1.placeholder(tf.float32, [None, 2])
    w = v1.get_variable("w", [2, 1], initializer=v1.zeros_initializer(),
                        regularizer=lambda t: 0.001 * tf.reduce_sum(tf.square(t)))
    moving_mean = v1.get_variable("batch_norm/moving_mean", [2], trainable=False,
                                  initializer=v1.zeros_initializer())
    if is_training:
        mean = tf.reduce_mean(x, axis=0)
        v1.add_to_collection(v1.GraphKeys.UPDATE_OPS,
                             moving_mean.assign(0.5 * moving_mean + 0.5 * mean))
    hub.add_signature(inputs=x, outputs=tf.matmul(x, w))


def make_lookup_fn(vocab_path: str):
    """A module_fn with a hash table initialised from a vocabulary file (an asset)."""

    def lookup_fn():
        words = v1.placeholder(tf.string, [None])
        initializer = v1.lookup.TextFileInitializer(
            vocab_path, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
            tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER)
        table = v1.lookup.StaticHashTable(initializer, -1)
        hub.add_signature(inputs=words, outputs=table.lookup(words))

    return lookup_fn


def sparse_ragged_fn():
    """Sparse and ragged inputs and outputs."""
    sp = v1.sparse_placeholder(tf.float32, [None, 4])
    values = v1.placeholder(tf.int64, [None])
    splits = v1.placeholder(tf.int64, [None])
    ragged = tf.RaggedTensor.from_row_splits(values, splits, validate=False)
    hub.add_signature(inputs={"sp": sp, "rt": ragged},
                      outputs={"sp_sum": tf.sparse.reduce_sum(sp, axis=1),
                               "sp2": sp * 2.0, "rt2": ragged * 2, "rt_sum": tf.reduce_sum(ragged, axis=1)})
