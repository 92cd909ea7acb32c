"""Guide snippet: graph variants for training, and fine-tuning with trainable=True."""

import numpy as np
import tensorflow as tf

import tfhub as hub

v1 = tf.compat.v1


def module_fn(is_training):
    images = v1.placeholder(tf.float32, [None, 4])
    weights = v1.get_variable(
        "weights", [4, 1], initializer=v1.zeros_initializer(),
        regularizer=lambda w: 1e-3 * tf.reduce_sum(tf.square(w)))
    moving_mean = v1.get_variable("batch_norm/moving_mean", [4], trainable=False,
                                  initializer=v1.zeros_initializer())
    if is_training:  # the batch-norm style update only runs while training
        batch_mean = tf.reduce_mean(images, axis=0)
        v1.add_to_collection(v1.GraphKeys.UPDATE_OPS,
                             moving_mean.assign(0.9 * moving_mean + 0.1 * batch_mean))
    hub.add_signature(inputs=images, outputs=tf.matmul(images, weights))


def main():
    tags_and_args = [({"train"}, {"is_training": True}), (set(), {"is_training": False})]
    spec = hub.create_module_spec(module_fn, tags_and_args)
    with tf.Graph().as_default():
        m = hub.Module(spec, trainable=True, tags={"train"})
        x = np.random.RandomState(1).rand(16, 4).astype(np.float32)
        y = x.sum(axis=1, keepdims=True)
        loss = tf.reduce_mean(tf.square(m(x) - y)) + tf.add_n(v1.losses.get_regularization_losses())
        update_ops = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(update_ops):
            train_op = v1.train.GradientDescentOptimizer(0.1).minimize(loss)
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            first = session.run(loss)
            for _ in range(100):
                session.run(train_op)
            last = session.run(loss)
    assert update_ops and last < first / 10, (first, last)
    print(f"loss {first:.4f} -> {last:.4f}")
    print("OK")


if __name__ == "__main__":
    main()
