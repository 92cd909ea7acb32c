"""hub.load on real models: TF2 SavedModels, the TF1 Hub format, over HTTP and from disk."""

import hashlib
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import tfhub as hub
from tfhub import errors, formats
from tests.conftest import pack_bytes


@pytest.fixture
def half_plus_two_archive(shared_testdata) -> bytes:
    return (shared_testdata / "half_plus_two_v1.tar.gz").read_bytes()


def test_real_tf1_module_over_http(http_server, cache_dir, half_plus_two_archive):
    url = http_server.add("/google/half_plus_two/1", body=half_plus_two_archive)
    module = hub.load(url)
    (request,) = http_server.gets()
    assert request.query == [("tf-hub-format", "compressed")]
    assert hub.resolve(url) == str(cache_dir / hashlib.sha1(url.encode()).hexdigest())
    assert module._is_hub_module_v1 is True
    out = module.signatures["default"](tf.constant([[1.0], [4.0], [-2.0]]))
    np.testing.assert_allclose(out["default"].numpy(), [[2.5], [4.0], [1.0]])
    assert len(http_server.gets()) == 1


def test_tf2_saved_model(tf2_model_dir):
    model = hub.load(str(tf2_model_dir))
    assert model._is_hub_module_v1 is False
    np.testing.assert_allclose(model(tf.constant([[2.0]])).numpy(), [[7.0]])
    assert len(model.trainable_variables) == 2 and len(model.regularization_losses) == 1


def test_pathlike_and_options(tf2_model_dir):
    model = hub.load(tf2_model_dir, options=tf.saved_model.LoadOptions(allow_partial_checkpoint=True))
    np.testing.assert_allclose(model(tf.constant([[0.0]])).numpy(), [[1.0]])


def test_tf1_hub_module_defaults_to_the_empty_tag_set(tf1_hub_module_dir):
    module = hub.load(str(tf1_hub_module_dir))
    out = module.signatures["default"](default=tf.constant([[2.0]]))
    np.testing.assert_allclose(out["default"].numpy(), [[3.0]])


def test_unknown_tags_keep_tensorflow_error_type_with_an_explanation(tf1_hub_module_dir):
    with pytest.raises(RuntimeError, match="could not be found") as info:
        hub.load(str(tf1_hub_module_dir), tags=["nope"])
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert str(tf1_hub_module_dir) in notes and "Fix:" in notes


def test_non_string_handle():
    with pytest.raises(ValueError, match="Expected a string, got 42"):
        hub.load(42)


def test_directory_without_saved_model(tmp_path):
    (tmp_path / "README").write_text("not a model")
    with pytest.raises(errors.ModelFormatError, match="contains neither 'saved_model.pb' nor 'saved_model.pbtxt'") as info:
        hub.load(str(tmp_path))
    assert isinstance(info.value, ValueError)


def test_archive_without_saved_model_over_http(http_server, tmp_path, cache_dir):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "notes.txt").write_text("x")
    url = http_server.add("/m", body=pack_bytes(tmp_path / "m"))
    with pytest.raises(ValueError, match="incompatible/unknown type"):
        hub.load(url)


def test_detect(tf1_hub_module_dir, tf2_model_dir, tmp_path):
    assert formats.detect(tf1_hub_module_dir).is_hub_module_v1
    assert not formats.detect(tf2_model_dir).is_hub_module_v1
    with pytest.raises(errors.ModelFormatError):
        formats.detect(tmp_path)


def test_gfile_archive_and_directory_handles(tf2_model_dir):
    # ram:// is a tf.io.gfile filesystem like gs://, served from memory.
    archive_handle = "ram://bucket/scaler.tar.gz"
    with tf.io.gfile.GFile(archive_handle, "wb") as f:
        f.write(pack_bytes(tf2_model_dir))
    model = hub.load(archive_handle)
    np.testing.assert_allclose(model(tf.constant([[1.0]])).numpy(), [[4.0]])
    assert Path(hub.resolve(archive_handle)).is_dir()  # cached locally
    assert hub.resolve("ram://bucket") == "ram://bucket"  # a directory is used in place
    with pytest.raises(errors.HandleNotFoundError):
        hub.resolve("ram://bucket/missing.tar.gz")


def test_cache_shared_with_tensorflow_hub(http_server, cache_dir, half_plus_two_archive):
    tensorflow_hub = pytest.importorskip("tensorflow_hub", reason="tensorflow_hub is the interoperability peer")
    theirs = http_server.add("/theirs", body=half_plus_two_archive)
    ours = http_server.add("/ours", body=half_plus_two_archive)
    # tensorflow_hub downloads, tfhub reuses its entry.
    assert tensorflow_hub.resolve(theirs) == hub.resolve(theirs)
    # tfhub downloads, tensorflow_hub reuses our entry.
    assert hub.resolve(ours) == tensorflow_hub.resolve(ours)
    assert [r.path for r in http_server.gets()] == ["/theirs", "/ours"]
    out = tensorflow_hub.load(ours).signatures["default"](tf.constant([[2.0]]))
    np.testing.assert_allclose(out["default"].numpy(), [[3.0]])
