"""Guide snippet: create a module with module_fn, train it, export it."""

import os
import tempfile

import numpy as np
import tensorflow as tf

import tfhub as hub

v1 = tf.compat.v1


def dense(inputs, units, name):
    """The guide's tf.layers.dense, written with plain TF1 ops."""
    with v1.variable_scope(name):
        kernel = v1.get_variable("kernel", [inputs.shape[-1], units])
        bias = v1.get_variable("bias", [units], initializer=v1.zeros_initializer())
        return tf.matmul(inputs, kernel) + bias


def module_fn():
    inputs = v1.placeholder(dtype=tf.float32, shape=[None, 50])
    layer1 = dense(inputs, 200, "dense")
    layer2 = dense(layer1, 100, "dense_1")
    outputs = dict(default=layer2, hidden_activations=layer1)
    # Add default signature.
    hub.add_signature(inputs=inputs, outputs=outputs)


def main():
    spec = hub.create_module_spec(module_fn)
    export_path = os.path.join(tempfile.mkdtemp(), "my_module")
    with tf.Graph().as_default():
        module = hub.Module(spec, trainable=True)
        x = np.random.RandomState(0).rand(8, 50).astype(np.float32)
        loss = tf.reduce_mean(tf.square(module(x)))
        train = v1.train.GradientDescentOptimizer(0.01).minimize(loss)
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            before = session.run(loss)
            for _ in range(5):
                session.run(train)
            after = session.run(loss)
            module.export(export_path, session)
    assert after < before, (before, after)
    with hub.eval_function_for_module(export_path) as f:
        out = f(x, as_dict=True)
    assert out["default"].shape == (8, 100) and out["hidden_activations"].shape == (8, 200)
    print("exported to", export_path)
    print("OK")


if __name__ == "__main__":
    main()
