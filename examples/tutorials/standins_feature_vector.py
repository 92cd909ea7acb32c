"""A stand-in for the image feature vectors of the transfer-learning tutorial (MobileNet V2).

Written with TensorFlow's own APIs, it has what the tutorial relies on: float32
images [batch, 224, 224, 3] in [0, 1] -> float32 features [batch, 1280];
``__call__(images, training)``; batch normalization, whose moving statistics are
non-trainable variables updated only when training; and an L2 regularization loss
on the convolution kernel.
"""

from __future__ import annotations

import tensorflow as tf

from standins_text import reusable_root


def image_feature_vector(path: str, size: int = 224, features: int = 1280,
                         channels: int = 16, momentum: float = 0.99) -> None:
    """Writes the stand-in SavedModel to ``path``."""
    kernel = tf.Variable(tf.random.stateless_normal([3, 3, 3, channels], seed=[7, 0]) * 0.3,
                         name="conv/kernel")
    gamma = tf.Variable(tf.ones([channels]), name="bn/gamma")
    beta = tf.Variable(tf.zeros([channels]), name="bn/beta")
    mean = tf.Variable(tf.zeros([channels]), trainable=False, name="bn/moving_mean")
    variance = tf.Variable(tf.ones([channels]), trainable=False, name="bn/moving_variance")
    head = tf.Variable(tf.random.stateless_normal([channels, features], seed=[8, 0]) * 0.3,
                       name="head/kernel")
    spec = tf.TensorSpec([None, size, size, 3], tf.float32)

    @tf.function
    def call(images: tf.Tensor, training: bool = False) -> tf.Tensor:
        x = tf.nn.avg_pool2d(images, 8, 8, "VALID")  # small and fast: 224 -> 28
        x = tf.nn.conv2d(x, kernel, 2, "SAME")
        if training:
            batch_mean, batch_variance = tf.nn.moments(x, axes=[0, 1, 2])
            mean.assign(momentum * mean + (1 - momentum) * batch_mean)
            variance.assign(momentum * variance + (1 - momentum) * batch_variance)
        else:
            batch_mean, batch_variance = mean, variance
        x = tf.nn.relu6(tf.nn.batch_normalization(x, batch_mean, batch_variance, beta, gamma, 1e-3))
        return tf.nn.relu(tf.matmul(tf.reduce_mean(x, axis=[1, 2]), head))

    for training in (True, False):
        call.get_concrete_function(spec, training)
    l2 = tf.function(lambda: 4e-5 * tf.reduce_sum(kernel ** 2), input_signature=[])
    root = reusable_root(call, [kernel, gamma, beta, mean, variance, head],
                          [kernel, gamma, beta, head], [l2])
    serving = tf.function(lambda images: call(images, False), input_signature=[spec])
    tf.saved_model.save(root, path, signatures={"serving_default": serving})
