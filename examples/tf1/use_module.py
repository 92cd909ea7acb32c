"""Guide snippet: instantiate a module from a handle and apply it."""

import os
import tempfile

import numpy as np
import tensorflow as tf

import tfhub as hub

v1 = tf.compat.v1


def export_text_module(path):
    """A tiny 'text embedding' module to use: words -> 2-d vectors."""

    def module_fn():
        sentences = v1.placeholder(tf.string, [None])
        lengths = tf.cast(tf.strings.length(sentences), tf.float32)
        embeddings = tf.stack([lengths, 2.0 * lengths], axis=1)
        hub.add_signature(inputs=sentences, outputs=embeddings)

    with tf.Graph().as_default():
        module = hub.Module(hub.create_module_spec(module_fn))
        with v1.Session() as session:
            module.export(path, session)


def main():
    handle = os.path.join(tempfile.mkdtemp(), "text_module")
    export_text_module(handle)
    with tf.Graph().as_default():
        m = hub.Module(handle)
        embeddings = m(tf.constant(["hi", "hello"]))
        all_outputs = m(["x"], as_dict=True)
        with v1.Session() as session:
            session.run([v1.global_variables_initializer(), v1.tables_initializer()])
            values, outputs = session.run([embeddings, all_outputs])
    np.testing.assert_allclose(values, [[2.0, 4.0], [5.0, 10.0]])
    assert sorted(outputs) == ["default"]
    print("OK")


if __name__ == "__main__":
    main()
