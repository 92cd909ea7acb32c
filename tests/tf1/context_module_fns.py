"""Module functions for ``context_scenarios.py``, written against whichever ``hub`` it binds.

``bind(hub)`` picks the library (tfhub or tensorflow_hub) whose
``add_signature`` the functions call, so the same graphs are built with both.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

v1 = tf.compat.v1
hub: Any = None


def bind(library: Any) -> None:
    global hub
    hub = library


def ref_variable_fn():
    v = v1.get_variable("var123", shape=[], initializer=v1.constant_initializer(10.0),
                        use_resource=False)
    hub.add_signature(outputs=v.value())


def colocated_with_variable_and_input_fn():
    v = v1.get_variable("var123", shape=[], initializer=v1.constant_initializer(1.0),
                        use_resource=False)
    value = v.value()
    x = v1.placeholder(tf.float32, name="x")
    with v1.colocate_with(v), v1.colocate_with(x):
        y = tf.add(value, x, name="y")
    hub.add_signature(inputs=x, outputs=y)


def state_and_input_colocation_fn():
    w = tf.Variable(111, name="w")
    with v1.colocate_with(w.op):
        v = tf.Variable(1.0, name="v")
        y = tf.add(v, 1.0, name="y")
    x = v1.placeholder(tf.float32, name="x")
    with v1.colocate_with(x):
        z = tf.add(x, 1.0, name="z")
    hub.add_signature(inputs={"x": x}, outputs={"y": y, "z": z})


def multi_output_input_fn():
    x, y = tf.split([1, 2], 2, name="split")
    with v1.colocate_with(x), v1.colocate_with(y):
        z = tf.add(x, y, name="add")
    hub.add_signature(inputs={"x": x, "y": y}, outputs=z, name="both")
    hub.add_signature(inputs={"x": x}, outputs=z, name="partial")


def random_variable_fn():
    r = v1.get_variable("rv", shape=[], initializer=v1.random_uniform_initializer(),
                        use_resource=True)
    hub.add_signature(outputs=r.value())


def variable_plus_input_fn():
    x = v1.placeholder(tf.float32, name="x")
    unfed = v1.placeholder(tf.float32, name="unfed")
    r = v1.get_variable("rv", shape=[], initializer=v1.constant_initializer(10.0),
                        use_resource=True)
    t = v1.get_variable("rv_unused", shape=[], initializer=v1.constant_initializer(10.0),
                        use_resource=True)
    t.assign(unfed)  # not on the path to any output; must be pruned where everything runs
    hub.add_signature(inputs={"x": x}, outputs=x + r)


def unused_input_fn():
    x = v1.placeholder(tf.int64)
    unused = v1.placeholder(tf.int64)
    hub.add_signature(inputs={"x": x, "unused": unused}, outputs=x * x)


def counted_fn():
    """Every application's output depends, by control dependency only, on a counter++."""
    counter = v1.get_variable("counter", shape=[], dtype=tf.int32,
                              initializer=v1.zeros_initializer(), use_resource=True)
    x = v1.placeholder(tf.float32, shape=[], name="x")
    bump = counter.assign_add(1)
    with tf.control_dependencies([bump]):
        y = tf.identity(2.0 * x, name="y")
    hub.add_signature(inputs=x, outputs=y)


def update_ops_fn():
    counter = tf.Variable(0, trainable=False, name="counter")
    v1.add_to_collection(v1.GraphKeys.UPDATE_OPS, counter.assign_add(1))
    hub.add_signature(outputs=counter.value())
