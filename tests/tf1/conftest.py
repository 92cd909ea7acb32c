"""Fixtures for the TF1 Hub format tests."""

from __future__ import annotations

import pytest

tf = pytest.importorskip("tensorflow")


@pytest.fixture
def graph():
    """A fresh default tf.Graph for the test body (graph mode without touching globals)."""
    with tf.Graph().as_default() as g:
        yield g


def run(*fetches, feed_dict=None):
    """Initialises variables and tables of the default graph and runs ``fetches``."""
    with tf.compat.v1.Session() as session:
        session.run([tf.compat.v1.global_variables_initializer(),
                     tf.compat.v1.tables_initializer()])
        return session.run(list(fetches), feed_dict=feed_dict)
