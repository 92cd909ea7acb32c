"""Acceptance 2 (fine-tuning a converted module in Keras 3), the TF2 path, and bad inputs."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

import tfhub as hub
from tfhub import convert, errors
from tests.conftest import REPO_ROOT
from tests.convert.conftest import leftovers
from tests.keras.conftest import keras3_or_skip


def test_converted_module_fine_tunes_with_keras3(tf1_modules, tmp_path):
    keras = keras3_or_skip()
    convert.tf1_to_tf2(str(tf1_modules["batch_norm"]), str(tmp_path / "bn"))
    layer = hub.KerasLayer(str(tmp_path / "bn"), trainable=True)
    model = keras.Sequential([keras.Input([2]), layer])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    assert len(model.losses) == 1 and float(model.losses[0]) > 0  # 0.1 * |w|^2 = 0.2
    rng = np.random.default_rng(0)
    x = rng.standard_normal([64, 2]).astype("float32")
    y = (3.0 * x[:, :1] + 1.0).astype("float32")
    moving_mean = next(v for v in layer.resolved_object.variables if "moving_mean" in v.name)
    before_eval = model.evaluate(x, y, verbose=0)
    assert moving_mean.numpy()[0] == 0.0  # inference leaves the moving averages alone
    model.predict(x, verbose=0)
    assert moving_mean.numpy()[0] == 0.0
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(x, y, verbose=0) < before_eval
    assert moving_mean.numpy()[0] != 0.0  # training ran the update ops
    assert len(layer.trainable_weights) == 4 and len(layer.non_trainable_weights) == 2


def test_plain_tf2_savedmodel_gets_reusable_attributes(tmp_path):
    module = tf.Module()
    module.w = tf.Variable([[2.0]])
    serve = tf.function(lambda x: {"y": tf.matmul(x, module.w)},
                        input_signature=[tf.TensorSpec([None, 1], tf.float32, name="x")])
    tf.saved_model.save(module, str(tmp_path / "plain"), signatures={"serving_default": serve})
    plain = hub.load(str(tmp_path / "plain"))
    assert not hasattr(plain, "trainable_variables") and not callable(plain)
    report = convert.tf1_to_tf2(str(tmp_path / "plain"), str(tmp_path / "reusable"))
    assert report.source_format == "SavedModel" and report.max_abs_diff == 0
    reusable = hub.load(str(tmp_path / "reusable"))
    assert [v.numpy().tolist() for v in reusable.trainable_variables] == [[[2.0]]]
    np.testing.assert_allclose(reusable(tf.constant([[3.0]])).numpy(), [[6.0]])
    layer = hub.KerasLayer(str(tmp_path / "reusable"), trainable=True)
    assert len(layer.trainable_weights) == 1


def test_not_a_model_is_refused_and_nothing_written(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(errors.ModelFormatError, match="contains neither 'saved_model.pb'"):
        convert.tf1_to_tf2(str(tmp_path / "empty"), str(tmp_path / "out"))
    assert leftovers(tmp_path) == ["empty", "tfhub_cache"] or leftovers(tmp_path) == ["empty"]


def test_existing_destination_is_refused_and_kept(tf1_modules, tmp_path):
    dst = tmp_path / "out"
    dst.mkdir()
    (dst / "mine.txt").write_text("keep me")
    with pytest.raises(errors.ConversionTargetExistsError, match="exists; nothing was written"):
        convert.tf1_to_tf2(str(tf1_modules["double"]), str(dst))
    assert (dst / "mine.txt").read_text() == "keep me" and leftovers(dst) == ["mine.txt"]
    convert.tf1_to_tf2(str(tf1_modules["double"]), str(dst), overwrite=True)
    assert not (dst / "mine.txt").exists() and (dst / "saved_model.pb").exists()
    assert [p for p in leftovers(tmp_path) if "tfhub-" in p] == []


def test_unconvertible_parts_are_listed_and_nothing_left(reference_variable_module, tmp_path):
    with pytest.raises(errors.ConversionError) as info:
        convert.tf1_to_tf2(str(reference_variable_module), str(tmp_path / "out"))
    assert "reference variables ['w']" in str(info.value) and "nothing was written" in str(info.value)
    assert not (tmp_path / "out").exists() and [p for p in leftovers(tmp_path) if "tfhub-" in p] == []
    report = convert.check(str(reference_variable_module))
    assert len(report.problems) == 1 and "resource variables" in report.problems[0]


def test_failed_verification_leaves_nothing(tf1_modules, tmp_path):
    with pytest.raises(errors.ConversionVerificationError, match=r"differs from .* by 0 \(tolerance -1\)"):
        convert.tf1_to_tf2(str(tf1_modules["affine"]), str(tmp_path / "out"), tolerance=-1)
    assert leftovers(tmp_path) in (["tfhub_cache"], [])


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tfhub", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, timeout=300)


def test_cli_check_convert_and_errors(tf1_modules, reference_variable_module, tmp_path):
    check = _cli("convert", "--check", str(tf1_modules["batch_norm"]))
    assert check.returncode == 0 and "[train variant for training=True]" in check.stdout
    assert not any(tmp_path.iterdir()) or leftovers(tmp_path) == ["tfhub_cache"]
    done = _cli("convert", str(tf1_modules["affine"]), str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "verified, max abs diff 0" in done.stdout and (tmp_path / "out" / "saved_model.pb").exists()
    again = _cli("convert", str(tf1_modules["affine"]), str(tmp_path / "out"))
    assert again.returncode == 1 and "exists; nothing was written" in again.stderr
    bad = _cli("convert", "--check", str(reference_variable_module))
    assert bad.returncode == 1 and "cannot convert: TF1 reference variables" in bad.stdout
