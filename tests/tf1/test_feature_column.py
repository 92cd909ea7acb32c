"""Feature columns over TF1 Hub format modules, through the v1 input_layer path."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

import tfhub as hub
from tests.tf1.conftest import run

v1 = tf.compat.v1


def _text_fn():
    text = v1.placeholder(tf.string, [None])
    lengths = tf.cast(tf.strings.length(text), tf.float32)
    hub.add_signature(inputs=text, outputs=tf.stack([lengths, -lengths], axis=1))


def _image_fn():
    images = v1.placeholder(tf.float32, [None, 2, 3, 3])
    hub.add_signature(inputs={"images": images},
                      outputs=tf.reshape(images, [-1, 18])[:, :4])


@pytest.fixture(scope="module")
def text_spec():
    return hub.create_module_spec(_text_fn)


def test_text_embedding_column(text_spec, graph):
    column = hub.text_embedding_column("words", text_spec)
    assert column.name == "words_hub_module_embedding" and column.parents == ["words"]
    assert column.variable_shape == [2] and column._is_v2_column
    assert column.parse_example_spec == {"words": tf.io.FixedLenFeature([1], tf.string)}
    dense = v1.feature_column.input_layer({"words": tf.constant([["abc"], ["hello"]])}, [column])
    np.testing.assert_allclose(run(dense)[0], [[3.0, -3.0], [5.0, -5.0]])
    with pytest.raises(NotImplementedError):
        column.get_config()


def test_sparse_text_embedding_column(text_spec, graph):
    column = hub.sparse_text_embedding_column("tokens", text_spec, "mean", default_value="xx")
    tokens = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], ["a", "abc", "abcd"], [3, 2])
    dense = v1.feature_column.input_layer({"tokens": tokens}, [column])
    np.testing.assert_allclose(run(dense)[0], [[2.0, -2.0], [2.0, -2.0], [4.0, -4.0]])
    with pytest.raises(ValueError, match="combiner must be 'mean', 'sqrtn' or 'sum'"):
        hub.sparse_text_embedding_column("t", text_spec, "max", None)


def test_image_embedding_column(graph):
    spec = hub.create_module_spec(_image_fn)
    column = hub.image_embedding_column("img", spec)
    assert column.parse_example_spec == {"img": tf.io.FixedLenFeature([2, 3, 3], tf.float32)}
    images = np.arange(36, dtype=np.float32).reshape([2, 2, 3, 3])
    dense = v1.feature_column.input_layer({"img": tf.constant(images)}, [column])
    np.testing.assert_allclose(run(dense)[0], images.reshape([2, 18])[:, :4])


def test_invalid_modules_are_rejected(text_spec):
    with pytest.raises(ValueError, match="Module is not a text-embedding"):
        hub.text_embedding_column("x", hub.create_module_spec(_image_fn))
    with pytest.raises(ValueError, match="Module is not usable as image embedding"):
        hub.image_embedding_column("x", text_spec)


def test_image_size_from_shape_and_attachment():
    def module_fn():
        images = v1.placeholder(tf.float32, [None, None, None, 3])
        hub.add_signature(inputs={"images": images}, outputs=tf.reduce_mean(images, [1, 2]))
        info = hub.ImageModuleInfo()
        info.default_image_size.height, info.default_image_size.width = 4, 5
        hub.attach_image_module_info(info)

    spec = hub.create_module_spec(module_fn)
    assert hub.get_expected_image_size(spec) == [4, 5]
    assert hub.get_num_image_channels(spec) == 3
    assert hub.get_expected_image_size(hub.create_module_spec(_image_fn)) == [2, 3]
    with pytest.raises(ValueError, match="missing input 'pixels'"):
        hub.get_num_image_channels(spec, input_name="pixels")
