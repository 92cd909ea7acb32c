"""Guide snippet: export a ModuleSpec with weights from a training checkpoint."""

import os
import tempfile

import numpy as np
import tensorflow as tf

import tfhub as hub

v1 = tf.compat.v1


def module_fn():
    x = v1.placeholder(tf.float32, [None, 2])
    w = v1.get_variable("w", [2, 1])
    hub.add_signature(inputs=x, outputs=tf.matmul(x, w))


def main():
    workdir = tempfile.mkdtemp()
    with tf.Graph().as_default():  # a training job that saved "model/w" in a checkpoint
        w = v1.get_variable("model/w", initializer=[[3.0], [4.0]])
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            checkpoint = v1.train.Saver([w]).save(session, os.path.join(workdir, "model.ckpt"))
    spec = hub.create_module_spec(module_fn)
    export_path = os.path.join(workdir, "hub_module")
    spec.export(export_path, checkpoint_path=checkpoint,
                name_transform_fn=lambda name: "model/" + name)
    with hub.eval_function_for_module(export_path) as f:
        np.testing.assert_allclose(f([[1.0, 1.0]]), [[7.0]])
    print("OK")


if __name__ == "__main__":
    main()
