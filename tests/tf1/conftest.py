"""Fixtures for the TF1 Hub format tests."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

tf = pytest.importorskip("tensorflow")


@pytest.fixture
def half_plus_two_dir(shared_testdata: Path, tmp_path: Path) -> Path:
    """The real TF 1.x module half_plus_two_v1, extracted into the test's tmp dir."""
    target = tmp_path / "half_plus_two"
    target.mkdir()
    with tarfile.open(shared_testdata / "half_plus_two_v1.tar.gz") as archive:
        archive.extractall(target)
    return target


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
