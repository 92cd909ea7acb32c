"""Exports TF1 Hub format modules with tensorflow_hub 0.15 (the interoperability peer).

Run as a script: ``python peer_export.py <target_dir>`` writes ``affine/`` and
``lookup/`` there. The tests also import :func:`export_with` in process.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
W_VALUES = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)


def export_with(hub, target: str) -> None:
    """Exports an affine module (trained w) and a vocabulary lookup module with ``hub``."""

    def affine_fn():
        x = v1.placeholder(tf.float32, [None, 3])
        w = v1.get_variable("w", [3, 2], initializer=v1.zeros_initializer())
        hub.add_signature(inputs=x, outputs=tf.matmul(x, w))
        hub.add_signature("named", inputs={"x": x}, outputs={"y": tf.matmul(x, w) + 1.0})

    vocab = os.path.join(target, "vocab.txt")
    with open(vocab, "w") as f:
        f.write("red\ngreen\nblue\n")

    def lookup_fn():
        words = v1.placeholder(tf.string, [None])
        table = v1.lookup.StaticHashTable(v1.lookup.TextFileInitializer(
            vocab, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
            tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER), -1)
        hub.add_signature(inputs=words, outputs=table.lookup(words))

    for name, module_fn in (("affine", affine_fn), ("lookup", lookup_fn)):
        with tf.Graph().as_default():
            module = hub.Module(hub.create_module_spec(module_fn))
            with v1.Session() as session:
                session.run(v1.global_variables_initializer())
                for variable in module.variables:
                    session.run(variable.assign(W_VALUES))
                module.export(os.path.join(target, name), session)
    os.remove(vocab)


def outputs_of(hub, target: str):
    """Runs both exported modules with ``hub`` in a graph; returns numpy outputs."""
    with tf.Graph().as_default():
        affine = hub.Module(os.path.join(target, "affine"))
        lookup = hub.Module(os.path.join(target, "lookup"))
        fetches = [affine([[1.0, 1.0, 1.0]]),
                   affine({"x": [[0.0, 1.0, 0.0]]}, signature="named", as_dict=True)["y"],
                   lookup(["blue", "red", "pink"])]
        with v1.Session() as session:
            session.run([v1.global_variables_initializer(), v1.tables_initializer()])
            return [a.tolist() for a in session.run(fetches)]


EXPECTED = [[[9.0, 12.0]], [[4.0, 5.0]], [2, 0, -1]]

if __name__ == "__main__":
    import tensorflow_hub

    export_with(tensorflow_hub, sys.argv[1])
