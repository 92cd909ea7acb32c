"""Writes the benchmark models (run in a venv with TensorFlow and tfhub).

* ``saved-model``: a reusable TF2 SavedModel whose variables hold ``--mb``
  megabytes of random float32 (gzip barely shrinks it), with a small dense
  ``__call__`` on [batch, 128] floats, so load and archive figures see real size
  while call overhead is not drowned in arithmetic.
* ``tf1-module``: a TF1 Hub format module of ``--variables`` variables holding
  ``--mb`` megabytes together, signature ``default``: x + sum of each variable's
  first element.

The directory is written beside its target and renamed into place, so a cut
run leaves nothing that looks finished.
"""

from __future__ import annotations

import argparse
import os
import shutil

import numpy as np
import tensorflow as tf

_WIDTH = 256  # columns of each big table
_TABLES = 8


def write_saved_model(path: str, megabytes: float) -> None:
    rng = np.random.default_rng(7)
    rows = max(1, int(megabytes * (1 << 20)) // (_TABLES * _WIDTH * 4))
    module = tf.train.Checkpoint()
    module.tables = [tf.Variable(rng.standard_normal((rows, _WIDTH), dtype=np.float32), name=f"table_{i}")
                     for i in range(_TABLES)]
    module.w1 = tf.Variable(rng.standard_normal((128, 256), dtype=np.float32) * 0.05, name="w1")
    module.b1 = tf.Variable(np.zeros(256, np.float32), name="b1")
    module.w2 = tf.Variable(rng.standard_normal((256, 64), dtype=np.float32) * 0.05, name="w2")

    @tf.function(input_signature=[tf.TensorSpec([None, 128], tf.float32)])
    def call(x):
        return tf.matmul(tf.nn.relu(tf.matmul(x, module.w1) + module.b1), module.w2)

    module.__call__ = call
    # The Reusable SavedModel attributes hub.KerasLayer looks for.
    module.variables = list(module.tables) + [module.w1, module.b1, module.w2]
    module.trainable_variables = [module.w1, module.b1, module.w2]
    module.regularization_losses = []
    tf.saved_model.save(module, path)


def write_tf1_module(path: str, megabytes: float, variables: int) -> None:
    import tfhub as hub  # tfhub's own TF1 Hub format writer

    size = max(1, int(megabytes * (1 << 20)) // (variables * 4))
    initializer = tf.compat.v1.random_normal_initializer(seed=3)

    def module_fn():
        x = tf.compat.v1.placeholder(tf.float32, [None], name="x")
        firsts = []
        for i in range(variables):
            variable = tf.compat.v1.get_variable(f"v{i:04d}", [size], initializer=initializer)
            firsts.append(variable[0])
        hub.add_signature(inputs=x, outputs=x + tf.add_n(firsts))

    with tf.Graph().as_default():
        module = hub.Module(hub.create_module_spec(module_fn))
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            module.export(path, session)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["saved-model", "tf1-module"])
    parser.add_argument("path")
    parser.add_argument("--mb", type=float, required=True)
    parser.add_argument("--variables", type=int, default=1000)
    parser.add_argument("--archive", help="also pack the model as this .tar.gz")
    args = parser.parse_args()
    temp = args.path + ".partial"
    shutil.rmtree(temp, ignore_errors=True)
    if args.kind == "saved-model":
        write_saved_model(temp, args.mb)
    else:
        write_tf1_module(temp, args.mb, args.variables)
    if args.archive:
        from tfhub.resolving import archive

        archive.pack_to_file(temp, args.archive)
    shutil.rmtree(args.path, ignore_errors=True)
    os.rename(temp, args.path)


if __name__ == "__main__":
    main()
