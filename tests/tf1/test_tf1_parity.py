"""TF1 Hub format behaviours checked side by side with tensorflow_hub 0.15 (issue 13, items 11-13).

One snippet of plain user code runs once with ``tensorflow_hub`` (in the TF 2.15 lane,
where it still has the TF1 API) and once with ``tfhub``; the tests compare what each
reported. The tfhub half also runs in the TF 2.21 lane, against the recorded answer.
"""

from __future__ import annotations

import os

import pytest
import tensorflow as tf

import tfhub as hub
from tests.support import peer_run
from tests.tf1 import module_fns

v1 = tf.compat.v1

SNIPPET = """
import os, tempfile
import tensorflow as tf
v1 = tf.compat.v1
work = _sys.argv[1]

# Item 11: export into an existing empty directory (the tempfile.mkdtemp() pattern).
def scale_fn():
    x = v1.placeholder(tf.float32, [None])
    w = v1.get_variable("w", initializer=3.0)
    hub.add_signature(inputs=x, outputs=x * w)

def export_part():
    target = tempfile.mkdtemp(dir=work)
    with tf.Graph().as_default():
        module = hub.Module(hub.create_module_spec(scale_fn))
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            module.export(target, session)
    with tf.Graph().as_default():
        out = hub.Module(target)([1.0, 2.0])
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            values = session.run(out).tolist()
    return {"files": sorted(os.listdir(target)), "values": values,
            "beside": sorted(os.listdir(work))}

try:  # each part reports on its own, so one failing part hides no other
    emit(export=export_part())
except Exception as exc:
    emit(export=f"raised {type(exc).__name__}: {exc}")

# Item 12: a text embedding's input must be exactly [None].
def text_fn(shape):
    def module_fn():
        x = v1.placeholder(tf.string, shape)
        hub.add_signature(inputs=x, outputs=tf.ones([tf.size(x), 2]))  # [None, 2]
    return module_fn

outcomes = {}
for shape in ([None], [10], [None, None], None, [1]):
    spec = hub.create_module_spec(text_fn(shape))
    for column in ("text_embedding_column", "sparse_text_embedding_column"):
        args = ("mean", None) if column.startswith("sparse") else ()
        try:
            getattr(hub, column)("t", spec, *args)
            outcomes[f"{column} {shape}"] = "accepted"
        except Exception as exc:
            outcomes[f"{column} {shape}"] = type(exc).__name__ if isinstance(exc, ValueError) \\
                else "not a ValueError: " + type(exc).__name__
emit(text_embedding=outcomes)

# Item 13: get_tags() order, as created and as loaded from disk.
def plain_fn():
    x = v1.placeholder(tf.float32, [None])
    hub.add_signature(inputs=x, outputs=x)

def tags_part():
    tag_orders = {}
    for i, declared in enumerate([[{"zeta", "b"}, set(), {"a"}, {"train"}],
                                  [{"train"}, set()],
                                  [{"serve"}, {"train", "gpu"}, {"train"}, {"alpha"}]]):
        spec = hub.create_module_spec(plain_fn, tags_and_args=[(t, {}) for t in declared])
        path = os.path.join(work, f"tags{i}")
        with tf.Graph().as_default():
            module = hub.Module(spec, tags=declared[0])
            with v1.Session() as session:
                module.export(path, session)
        tag_orders[str(i)] = {
            "created": [sorted(t) for t in spec.get_tags()],
            "loaded": [sorted(t) for t in hub.load_module_spec(path).get_tags()],
            "types": sorted({type(t).__name__ for t in spec.get_tags()}),
        }
    return tag_orders

try:
    emit(tags=tags_part())
except Exception as exc:
    emit(tags=f"raised {type(exc).__name__}: {exc}")
"""

# What tensorflow_hub 0.15 reports (seen by running it; the peer test re-checks it).
EXPECTED_TEXT_EMBEDDING = {
    f"{column} {shape}": ("accepted" if shape == [None] else "ValueError")
    for shape in ([None], [10], [None, None], None, [1])
    for column in ("text_embedding_column", "sparse_text_embedding_column")
}
EXPECTED_TAGS = {
    "0": [[], ["b", "zeta"], ["a"], ["train"]],
    "1": [[], ["train"]],
    "2": [["serve"], ["train"], ["gpu", "train"], ["alpha"]],
}


def _run(library: str, tmp_path) -> dict:
    work = tmp_path / library
    work.mkdir()
    return peer_run.run_snippet(library, SNIPPET, args=(str(work),))


@pytest.fixture(scope="module")
def tfhub_report(tmp_path_factory):
    return _run("tfhub", tmp_path_factory.mktemp("tfhub"))


@pytest.fixture(scope="module")
def peer_report(tmp_path_factory):
    peer_run.require_peer(tf1_api=True)
    return _run("tensorflow_hub", tmp_path_factory.mktemp("peer"))


def test_export_into_an_empty_directory(tfhub_report):
    export = tfhub_report["export"]
    assert export["files"] == ["assets", "saved_model.pb", "tfhub_module.pb", "variables"]
    assert export["values"] == [3.0, 6.0]
    assert len(export["beside"]) == 1, "no temporary directory may be left beside the target"


def test_text_embedding_input_must_be_exactly_none(tfhub_report):
    assert tfhub_report["text_embedding"] == EXPECTED_TEXT_EMBEDDING


def test_get_tags_order(tfhub_report):
    for key, expected in EXPECTED_TAGS.items():
        assert tfhub_report["tags"][key]["created"] == expected
        assert tfhub_report["tags"][key]["loaded"] == expected
        assert tfhub_report["tags"][key]["types"] == ["frozenset"]


def test_same_outcomes_as_tensorflow_hub(tfhub_report, peer_report):
    assert peer_report["export"]["files"] == tfhub_report["export"]["files"]
    assert peer_report["export"]["values"] == tfhub_report["export"]["values"]
    assert peer_report["text_embedding"] == tfhub_report["text_embedding"]
    assert peer_report["tags"] == tfhub_report["tags"]


def test_failed_export_into_an_empty_directory_leaves_it_empty(tmp_path, graph):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("a\n")
    module = hub.Module(hub.create_module_spec(module_fns.make_lookup_fn(str(vocab))))
    vocab.unlink()  # the asset copy fails midway through the export
    target = tmp_path / "out"
    target.mkdir()
    with v1.Session() as session:
        with pytest.raises(tf.errors.NotFoundError):
            module.export(str(target), session)
    assert os.listdir(target) == []
    assert [p for p in os.listdir(tmp_path) if "out" in p] == ["out"]


def test_export_still_refuses_a_non_empty_directory_or_a_file(tmp_path, graph):
    module = hub.Module(hub.create_module_spec(module_fns.affine_fn))
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    a_file = tmp_path / "a_file"
    a_file.write_text("mine")
    with v1.Session() as session:
        session.run(v1.global_variables_initializer())
        for target in (full, a_file):
            with pytest.raises(FileExistsError, match="not an empty directory"):
                module.export(str(target), session)
    assert os.listdir(full) == ["keep.txt"]
    assert a_file.read_text() == "mine"
