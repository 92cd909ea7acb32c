"""TF1 Hub format modules to convert, written once per session.

The modules of the TF1 tests (tests/tf1/module_fns.py, exported with
tfhub's own create_module_spec + hub.Module.export), the batch-norm module of
the Keras tests (written with plain TF1 APIs), and one with TF1 reference
variables (which cannot be converted).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

tf = pytest.importorskip("tensorflow")

import tfhub as hub
from tests.keras import tf1_module_builder
from tests.tf1 import module_fns

v1 = tf.compat.v1


def _export(spec, path: Path) -> Path:
    with tf.Graph().as_default():
        module = hub.Module(spec, trainable=True)
        with v1.Session() as session:
            session.run([v1.global_variables_initializer(), v1.tables_initializer()])
            module.export(str(path), session)
    return path


def _reference_variable_module(path: Path) -> Path:
    with tf.Graph().as_default() as graph:
        x = v1.placeholder(tf.float32, [None, 1])
        w = v1.get_variable("w", [1, 1], initializer=v1.ones_initializer(), use_resource=False)
        y = tf.matmul(x, w)
        signature = v1.saved_model.build_signature_def(
            inputs={"default": v1.saved_model.build_tensor_info(x)},
            outputs={"default": v1.saved_model.build_tensor_info(y)})
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            builder = v1.saved_model.Builder(str(path))
            builder.add_meta_graph_and_variables(session, [], signature_def_map={"default": signature})
            builder.save()
    (path / "tfhub_module.pb").write_bytes(b"\x08\x03")
    return path


@pytest.fixture(scope="session")
def tf1_modules(tmp_path_factory) -> dict:
    """name -> directory of a TF1 Hub format module."""
    root = tmp_path_factory.mktemp("tf1_modules")
    vocab = root / "vocab.txt"
    vocab.write_text("cat\ndog\nbird\n")
    train_tags = [({"train"}, {"is_training": True}), (set(), {"is_training": False})]
    specs = {
        "double": hub.create_module_spec(module_fns.double_fn),
        "affine": hub.create_module_spec(module_fns.affine_fn),
        "partitioned": hub.create_module_spec(module_fns.partitioned_fn),
        "trainable": hub.create_module_spec(module_fns.trainable_fn, tags_and_args=train_tags),
        "lookup": hub.create_module_spec(module_fns.make_lookup_fn(str(vocab))),
        "sparse_ragged": hub.create_module_spec(module_fns.sparse_ragged_fn),
    }
    modules = {name: _export(spec, root / name) for name, spec in specs.items()}
    with tf.Graph().as_default():
        tf1_module_builder.write_module(str(root / "batch_norm"))
    modules["batch_norm"] = root / "batch_norm"
    os.remove(vocab)  # the modules must work from their own assets/
    return modules


@pytest.fixture(scope="session")
def reference_variable_module(tmp_path_factory) -> Path:
    return _reference_variable_module(tmp_path_factory.mktemp("refvar") / "module")


@pytest.fixture
def half_plus_two(half_plus_two_dir: Path) -> Path:
    """The real TF 1.x module half_plus_two_v1, extracted (root conftest)."""
    return half_plus_two_dir


def leftovers(directory: Path) -> list:
    """Entries of a directory (the conversion's temporary siblings would show here)."""
    return sorted(p.name for p in directory.iterdir())
