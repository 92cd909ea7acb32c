"""hub.Module over specs made by create_module_spec and over the real TF 1.x module."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

import tfhub as hub
from tests.tf1 import module_fns
from tests.tf1.conftest import run

v1 = tf.compat.v1


def test_half_plus_two_from_tf1_works_in_a_graph(half_plus_two_dir, graph):
    module = hub.Module(str(half_plus_two_dir))
    assert module.get_signature_names() == ["default"]
    assert sorted(module.variable_map) == ["a", "b"]
    y = module(np.array([[1.0], [3.0]], np.float32))
    y2 = module(tf.constant([[10.0]]))
    assert len(v1.global_variables()) == 2  # applying twice shares the state
    first, second = run(y, y2)
    np.testing.assert_allclose(first, [[2.5], [3.5]])
    np.testing.assert_allclose(second, [[7.0]])


def test_half_plus_two_spec_and_eval_function(half_plus_two_dir):
    spec = hub.load_module_spec(str(half_plus_two_dir))
    assert spec.get_tags() == [frozenset()]
    assert spec.get_output_info_dict()["default"].dtype == tf.float32
    with hub.eval_function_for_module(spec) as f:  # works under eager: private graph
        np.testing.assert_allclose(f([[4.0]]), [[4.0]])


def test_half_plus_two_reexport_roundtrip(half_plus_two_dir, tmp_path, graph):
    module = hub.Module(str(half_plus_two_dir))
    with v1.Session() as session:
        session.run(v1.global_variables_initializer())
        module.export(str(tmp_path / "copy"), session)
    assert sorted(p.name for p in (tmp_path / "copy").iterdir()) == [
        "assets", "saved_model.pb", "tfhub_module.pb", "variables"]
    with hub.eval_function_for_module(str(tmp_path / "copy")) as f:
        np.testing.assert_allclose(f([[2.0]]), [[3.0]])


def test_state_scope_naming_and_repeated_application(graph):
    spec = hub.create_module_spec(module_fns.affine_fn)
    with v1.variable_scope("outer"):
        module = hub.Module(spec, name="mymod")
    other = hub.Module(spec)
    third = hub.Module(spec)
    names = sorted(v.op.name for v in v1.global_variables())
    assert names == ["module/b", "module/w", "module_1/b", "module_1/w",
                     "outer/mymod/b", "outer/mymod/w"]
    first = module([[1.0, 2.0, 3.0]])
    second = module([[1.0, 1.0, 1.0]])
    assert first.name.startswith("mymod_apply_default/")
    assert second.name.startswith("mymod_apply_default_1/")
    assert len(v1.global_variables()) == 6
    np.testing.assert_allclose(run(first, second), [[[6.0, 6.0]], [[3.0, 3.0]]])
    assert other is not third


def test_name_scope_does_not_change_state_scope(graph):
    spec = hub.create_module_spec(module_fns.affine_fn)
    with v1.name_scope("foo"):
        hub.Module(spec, name="a")
    with v1.variable_scope("vs"):
        hub.Module(spec, name="a")
    assert sorted(v.op.name for v in v1.global_variables()) == [
        "a/b", "a/w", "vs/a/b", "vs/a/w"]


def test_dict_signature_and_as_dict(graph):
    module = hub.Module(hub.create_module_spec(module_fns.affine_fn))
    outputs = module({"a": [1.0, 2.0], "c": [3.0, 4.0]}, signature="sum", as_dict=True)
    assert sorted(outputs) == ["scaled", "sum"]
    total, scaled = run(outputs["sum"], outputs["scaled"])
    np.testing.assert_allclose(total, [4.0, 6.0])
    np.testing.assert_allclose(scaled, [6.0, 12.0])
    assert sorted(module.get_signature_names()) == ["default", "sum"]
    assert sorted(module.get_input_info_dict("sum")) == ["a", "c"]


def test_stateless_module_has_no_variables(graph):
    module = hub.Module(hub.create_module_spec(module_fns.double_fn))
    assert module.variable_map == {} and module.variables == []
    np.testing.assert_allclose(run(module([1.0, 2.0]))[0], [2.0, 4.0])


def test_partitioned_variable_map(graph, tmp_path):
    spec = hub.create_module_spec(module_fns.partitioned_fn)
    module = hub.Module(spec)
    parts = module.variable_map["w"]
    assert isinstance(parts, list) and len(parts) == 3
    assert [p._save_slice_info.var_offset for p in parts] == [[0, 0], [2, 0], [4, 0]]
    assert module.variables == parts
    y = module([[1.0, 2.0]])
    np.testing.assert_allclose(run(y)[0], [[3.0] * 6])
    with v1.Session() as session:
        session.run(v1.global_variables_initializer())
        module.export(str(tmp_path / "p"), session)
    with hub.eval_function_for_module(str(tmp_path / "p")) as f:
        np.testing.assert_allclose(f([[1.0, 1.0]]), [[2.0] * 6])


def test_sparse_and_ragged_inputs_outputs(graph):
    module = hub.Module(hub.create_module_spec(module_fns.sparse_ragged_fn))
    info = module.get_input_info_dict()
    assert info["sp"].is_sparse and not info["rt"].is_sparse and info["rt"].is_composite
    sp = tf.SparseTensor([[0, 1], [1, 3]], [1.0, 2.0], [2, 4])
    rt = tf.ragged.constant([[1, 2], [3]], dtype=tf.int64)
    out = module({"sp": sp, "rt": rt}, as_dict=True)
    assert isinstance(out["sp2"], tf.SparseTensor) and isinstance(out["rt2"], tf.RaggedTensor)
    sp_sum, rt2, rt_sum = run(out["sp_sum"], out["rt2"], out["rt_sum"])
    np.testing.assert_allclose(sp_sum, [1.0, 2.0])
    assert rt2.to_list() == [[2, 4], [6]]
    np.testing.assert_allclose(rt_sum, [3, 3])


def test_tables_and_assets_are_relocatable(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("apple\nbanana\ncherry\n")
    spec = hub.create_module_spec(module_fns.make_lookup_fn(str(vocab)))
    with tf.Graph().as_default():
        module = hub.Module(spec)
        ids = module(["cherry", "nope"])
        assert run(ids)[0].tolist() == [2, -1]
        with v1.Session() as session:
            module.export(str(tmp_path / "lookup"), session)
    assert (tmp_path / "lookup" / "assets" / "vocab.txt").read_text().startswith("apple")
    vocab.unlink()
    (tmp_path / "lookup").rename(tmp_path / "moved")
    with tf.Graph().as_default():
        module = hub.Module(str(tmp_path / "moved"))
        first, second = module(["banana"]), module(["apple"])
        assert [a.tolist() for a in run(first, second)] == [[1], [0]]


def test_attached_messages_per_variant_and_copied():
    def module_fn(size=1):
        hub.add_signature(inputs=v1.placeholder(tf.float32, [None]),
                          outputs=tf.constant(1.0))
        info = hub.ImageModuleInfo()
        info.default_image_size.height = size
        hub.attach_message("info", info)

    spec = hub.create_module_spec(module_fn, [(set(), {"size": 1}), ({"big"}, {"size": 9})])
    got = spec.get_attached_message("info", hub.ImageModuleInfo)
    assert got.default_image_size.height == 1
    got.default_image_size.height = 5
    assert spec.get_attached_message("info", hub.ImageModuleInfo).default_image_size.height == 1
    big = spec.get_attached_message("info", hub.ImageModuleInfo, tags={"big"})
    assert big.default_image_size.height == 9
    assert spec.get_attached_message("other", hub.ImageModuleInfo) is None


def test_spec_export_from_checkpoint(tmp_path):
    spec = hub.create_module_spec(module_fns.affine_fn)
    with tf.Graph().as_default():
        w = v1.get_variable("w", initializer=np.full([3, 2], 2.0, np.float32))
        b = v1.get_variable("b", initializer=np.full([2], 0.5, np.float32))
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            checkpoint = v1.train.Saver([w, b]).save(session, str(tmp_path / "ckpt"))
    spec.export(str(tmp_path / "exported"), checkpoint_path=checkpoint)
    with hub.eval_function_for_module(str(tmp_path / "exported")) as f:
        np.testing.assert_allclose(f([[1.0, 1.0, 1.0]]), [[6.5, 6.5]])


def test_control_dependencies_do_not_reach_the_state(graph):
    spec = hub.create_module_spec(module_fns.affine_fn)
    marker = tf.constant(0.0, name="marker")
    with tf.control_dependencies([marker]):
        hub.Module(spec)
    assert all(not v.op.control_inputs for v in v1.global_variables())
