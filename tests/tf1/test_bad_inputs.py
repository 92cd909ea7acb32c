"""Every bad input of the TF1 Hub format API: error type and message."""

from __future__ import annotations

import os

import pytest
import tensorflow as tf

import tfhub as hub
from tfhub import errors
from tests.tf1 import module_fns

v1 = tf.compat.v1


@pytest.fixture(scope="module")
def affine_spec():
    return hub.create_module_spec(module_fns.affine_fn)


def test_unknown_signature(affine_spec, graph):
    module = hub.Module(affine_spec)
    with pytest.raises(ValueError, match="Signature 'nope' is missing") as info:
        module([[1.0, 2.0, 3.0]], signature="nope")
    assert isinstance(info.value, errors.UnknownSignatureError)
    with pytest.raises(errors.UnknownSignatureError, match="Available signatures"):
        affine_spec.get_input_info_dict("nope")


def test_unknown_tags(affine_spec, graph):
    with pytest.raises(ValueError, match=r"No such graph variant: tags=\['a', 'b'\]"):
        hub.Module(affine_spec, tags={"b", "a"})
    with pytest.raises(KeyError, match="no graph with tags"):
        affine_spec.get_output_info_dict(tags={"train"})


@pytest.mark.parametrize("inputs, match", [
    ({"a": [1.0]}, r"missing \['c'\], extra given \[\]"),
    ({"a": [1.0], "c": [1.0], "d": [2.0]}, r"missing \[\], extra given \['d'\]"),
    ([1.0], "Signature expects multiple inputs. Use a dict"),
])
def test_dict_input_mismatch(affine_spec, graph, inputs, match):
    module = hub.Module(affine_spec)
    with pytest.raises(TypeError, match=match) as info:
        module(inputs, signature="sum", as_dict=True)
    assert isinstance(info.value, errors.ModuleCallError)


def test_wrong_dtype_and_shape(affine_spec, graph):
    module = hub.Module(affine_spec)
    with pytest.raises(TypeError, match="Can't convert 'default'"):
        module(tf.constant([[1, 2, 3]], tf.int32))
    with pytest.raises(TypeError, match=r"Can't convert 'default': Got .*\(2, 4\).*Expected"):
        module(tf.zeros([2, 4]))
    with pytest.raises(TypeError, match="Got SparseTensor. Expected Tensor"):
        module(tf.SparseTensor([[0, 0]], [1.0], [1, 3]))


def test_no_inputs_expected(graph):
    def module_fn():
        hub.add_signature(outputs=tf.constant([1.0]))

    module = hub.Module(hub.create_module_spec(module_fn))
    with pytest.raises(TypeError, match="Signature expects no inputs"):
        module(1.0)


def test_as_dict_false_without_default_output(affine_spec, graph):
    module = hub.Module(affine_spec)
    with pytest.raises(TypeError, match="There is no output named 'default'. Use as_dict=True"):
        module({"a": [1.0], "c": [1.0]}, signature="sum")


def test_applying_in_another_graph(affine_spec):
    with tf.Graph().as_default():
        module = hub.Module(affine_spec)
    with tf.Graph().as_default():
        with pytest.raises(RuntimeError, match="graph it was instantiated for"):
            module([[1.0, 2.0, 3.0]])


def test_exporting_from_a_session_of_another_graph(affine_spec, tmp_path, graph):
    module = hub.Module(affine_spec)
    with tf.Graph().as_default() as other, v1.Session(graph=other) as session:
        pass
    with pytest.raises(RuntimeError, match="session graph differs"):
        module.export(str(tmp_path / "m"), session)
    assert not (tmp_path / "m").exists()


def test_exporting_over_an_existing_directory_writes_nothing(affine_spec, tmp_path, graph):
    module = hub.Module(affine_spec)
    target = tmp_path / "m"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with v1.Session() as session:
        session.run(v1.global_variables_initializer())
        with pytest.raises(FileExistsError, match="already exists") as info:
            module.export(str(target), session)
        assert isinstance(info.value, errors.ExportExistsError)
        assert os.listdir(target) == ["keep.txt"]
        assert sorted(os.listdir(tmp_path)) == ["m", "tfhub_cache"] or os.listdir(tmp_path) == ["m"]


def test_failed_export_leaves_no_temp_directory(tmp_path, graph):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("a\n")
    module = hub.Module(hub.create_module_spec(module_fns.make_lookup_fn(str(vocab))))
    vocab.unlink()  # the asset copy will fail midway through the export
    with v1.Session() as session:
        with pytest.raises(tf.errors.NotFoundError):
            module.export(str(tmp_path / "out"), session)
    assert [p for p in os.listdir(tmp_path) if "out" in p] == []


def test_disallowed_collection_in_module_fn():
    def module_fn():
        x = v1.placeholder(tf.float32, [None])
        v1.add_to_collection("my_stuff", x)
        hub.add_signature(inputs=x, outputs=x)

    with pytest.raises(ValueError, match=r"Unsupported collections in graph: \['my_stuff'\]"):
        hub.create_module_spec(module_fn)
    spec = hub.create_module_spec(module_fn, drop_collections=["my_stuff"])
    assert spec.get_signature_names() == ["default"]


def test_module_fn_without_signature():
    with pytest.raises(ValueError, match="No signatures present"):
        hub.create_module_spec(lambda: v1.placeholder(tf.float32))


def test_repeated_tags():
    with pytest.raises(ValueError, match="used repeatedly"):
        hub.create_module_spec(module_fns.double_fn, [({"a"}, {}), ({"a"}, {})])


def test_unsupported_signature_value():
    def module_fn():
        w = v1.get_variable("w", [1])
        hub.add_signature(inputs=v1.placeholder(tf.float32), outputs=w)

    with pytest.raises(ValueError, match="should have one of the types"):
        hub.create_module_spec(module_fn)


def test_malformed_attachment_key():
    with tf.Graph().as_default(), pytest.raises(ValueError, match="malformed key '1x'"):
        hub.attach_message("1x", hub.ImageModuleInfo())


def test_required_attachment_missing(affine_spec):
    with pytest.raises(KeyError, match="No attached message for key 'k'"):
        affine_spec.get_attached_message("k", hub.ImageModuleInfo, required=True)


def test_corrupted_module_def(half_plus_two_dir, graph):
    (half_plus_two_dir / "tfhub_module.pb").write_bytes(b"\x0a\xff garbage")
    with pytest.raises(errors.ModuleDefError, match="corrupted"):
        hub.Module(str(half_plus_two_dir))


def test_corrupted_saved_model(half_plus_two_dir):
    (half_plus_two_dir / "saved_model.pb").write_bytes(b"\x0a\xff garbage")
    with pytest.raises(OSError, match="Cannot parse file"):
        hub.load_module_spec(str(half_plus_two_dir))


def test_module_under_eager_names_the_alternatives(half_plus_two_dir):
    assert tf.executing_eagerly()
    with pytest.raises(RuntimeError, match=r"tf.Graph.*wrap_function.*hub.load"):
        hub.Module(str(half_plus_two_dir))


def test_unknown_spec_type(graph):
    with pytest.raises(ValueError, match="Unknown module spec type"):
        hub.Module(42)


def test_spec_export_needs_checkpoint(affine_spec, tmp_path):
    with pytest.raises(ValueError, match="Missing mandatory `checkpoint_path`"):
        affine_spec.export(str(tmp_path / "x"))


def test_name_scope_already_taken(affine_spec, graph):
    with v1.name_scope("taken"):
        pass
    with pytest.raises(RuntimeError, match="name_scope was already taken"):
        hub.Module(affine_spec, name="taken")
