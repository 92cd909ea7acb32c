"""Acceptance 1: converted modules compute what the originals compute, for every loader."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

import tfhub as hub
from tfhub import convert

TOLERANCE = 1e-5


def _inputs_for(function) -> dict:
    """Keyword inputs for a signature function of the original module (seeded, batch 2)."""
    rng = np.random.default_rng(1)
    kwargs = {}
    for name, spec in function.structured_input_signature[1].items():
        if spec.dtype == tf.string:
            kwargs[name] = tf.constant(["cat", "zebra"])
        elif name.endswith("_indices"):
            kwargs[name] = tf.constant([[0, 1], [1, 3]], tf.int64)
        elif name.endswith("_dense_shape"):
            kwargs[name] = tf.constant([2, 4], tf.int64)
        elif name.endswith("_component_1"):  # ragged row splits: rows of 2 and 1
            kwargs[name] = tf.constant([0, 2, 3], spec.dtype)
        elif name.endswith("_component_0") or name.endswith("_values"):
            kwargs[name] = tf.cast(rng.integers(1, 5, size=[3 if "comp" in name else 2]), spec.dtype)
        else:
            shape = [2 if d is None else d for d in (spec.shape.as_list() if spec.shape.rank else [2, 1])]
            kwargs[name] = tf.constant(rng.standard_normal(shape), spec.dtype)
    return kwargs


def _assert_close(expected, actual) -> None:
    assert sorted(expected) == sorted(actual)
    for key in expected:
        for a, b in zip(tf.nest.flatten(expected[key], expand_composites=True),
                        tf.nest.flatten(actual[key], expand_composites=True)):
            np.testing.assert_allclose(np.asarray(b), np.asarray(a), atol=TOLERANCE, rtol=0)


def _check_all_loaders(src: Path, dst: Path) -> None:
    original = hub.load(str(src))
    loaders = [hub.load, tf.saved_model.load]
    try:
        import tensorflow_hub  # the peer library, when installed

        loaders.append(tensorflow_hub.load)
    except ImportError:
        pass
    for load in loaders:
        converted = load(str(dst))
        for name, function in original.signatures.items():
            kwargs = _inputs_for(function)
            _assert_close(function(**kwargs), converted.signatures[name](**kwargs))


@pytest.mark.parametrize("name", ["double", "affine", "partitioned", "trainable", "lookup",
                                  "sparse_ragged", "batch_norm"])
def test_tf1_test_modules_convert_with_same_outputs(tf1_modules, tmp_path, name):
    report = convert.tf1_to_tf2(str(tf1_modules[name]), str(tmp_path / "out"))
    assert report.max_abs_diff is not None and report.max_abs_diff <= TOLERANCE
    assert {s.name for s in report.signatures} == set(hub.load(str(tf1_modules[name])).signatures)
    _check_all_loaders(tf1_modules[name], tmp_path / "out")


def test_real_half_plus_two_v1_converts(half_plus_two, tmp_path):
    report = convert.tf1_to_tf2(str(half_plus_two), str(tmp_path / "hp2"))
    assert report.max_abs_diff <= TOLERANCE
    _check_all_loaders(half_plus_two, tmp_path / "hp2")
    converted = hub.load(str(tmp_path / "hp2"))
    x = tf.constant([[1.0], [4.0]])
    np.testing.assert_allclose(converted(x).numpy(), [[2.5], [4.0]])
    assert not getattr(converted, "_is_hub_module_v1", False)
    assert not (tmp_path / "hp2" / "tfhub_module.pb").exists()
    assert len(converted.trainable_variables) == 2 and converted.regularization_losses == []


def test_other_signatures_are_attributes_and_serving_signatures(tf1_modules, tmp_path):
    convert.tf1_to_tf2(str(tf1_modules["affine"]), str(tmp_path / "out"))
    converted = tf.saved_model.load(str(tmp_path / "out"))
    assert {"default", "sum", "serving_default"} <= set(converted.signatures)
    a, c = tf.constant([1.0, 2.0]), tf.constant([10.0, 20.0])
    np.testing.assert_allclose(converted.sum({"a": a, "c": c})["sum"].numpy(), [11.0, 22.0])
    np.testing.assert_allclose(converted.sum({"a": a, "c": c})["scaled"].numpy(), [6.0, 12.0])
    np.testing.assert_allclose(converted(tf.ones([1, 3])).numpy(), [[3.0, 3.0]])


def test_tables_and_assets_are_carried_over_and_relocatable(tf1_modules, tmp_path):
    convert.tf1_to_tf2(str(tf1_modules["lookup"]), str(tmp_path / "out"))
    moved = tmp_path / "elsewhere" / "model"
    shutil.move(str(tmp_path / "out"), str(moved))
    assert (moved / "assets" / "vocab.txt").read_text() == "cat\ndog\nbird\n"
    for load in (hub.load, tf.saved_model.load):
        converted = load(str(moved))
        np.testing.assert_array_equal(converted(tf.constant(["dog", "cat", "emu"])).numpy(), [1, 0, -1])


def test_training_argument_selects_train_variant_and_runs_updates(tf1_modules, tmp_path):
    convert.tf1_to_tf2(str(tf1_modules["batch_norm"]), str(tmp_path / "out"))
    converted = hub.load(str(tmp_path / "out"))
    moving_mean = next(v for v in converted.variables if "moving_mean" in v.name)
    x = tf.constant([[1.0, 0.0], [3.0, 0.0]])  # dense output h = x0 - x1: batch mean 2
    inference = converted(x, training=False)
    assert moving_mean.numpy()[0] == 0.0
    training = converted(x, training=True)
    assert moving_mean.numpy()[0] == pytest.approx(1.0)  # momentum 0.5 towards 2
    # Batch statistics in training: the outputs are normalised to mean 0.
    assert abs(float(tf.reduce_mean(training))) < 1e-3
    assert not np.allclose(inference.numpy(), training.numpy())


def test_check_reports_without_writing(tf1_modules, tmp_path):
    report = convert.check(str(tf1_modules["batch_norm"]))
    assert report.problems == [] and report.update_ops == 2 and report.regularization_losses == 1
    assert report.signatures[0].has_train_variant and report.destination is None
    assert "train variant" in report.render()
