"""The rule that makes hub.KerasLayer(...) a Keras 3 or a Keras 2 layer (issue #13, item 7).

End to end, in fresh processes and side by side with tensorflow_hub:
test_parity.py (scenario which_keras). Here: the rule's parts, in this process.
"""

from __future__ import annotations

import types

import numpy as np
import pytest
import tensorflow as tf

import tfhub as hub
from tfhub.keras import flavour


def test_a_module_is_answered_by_what_it_refers_to():
    tf_keras = types.ModuleType("tf_keras")
    keras3 = types.ModuleType("keras")
    dense2 = type("Dense", (), {"__module__": "tf_keras.src.layers.core.dense"})
    answer = flavour._answer_of_code  # the rule's own step
    assert answer({"__name__": "user", "keras": tf_keras}) == flavour.KERAS2
    assert answer({"__name__": "user", "Dense": dense2}) == flavour.KERAS2
    assert answer({"__name__": "user", "keras": keras3, "tfk": tf_keras}) == flavour.KERAS3
    assert answer({"__name__": "user", "np": np}) is None  # neither: ask the caller
    assert answer({"__name__": "keras.src.saving.serialization_lib"}) == flavour.KERAS3
    assert answer({"__name__": "tf_keras.src.models.cloning"}) == flavour.KERAS2
    assert answer({"__name__": "tfhub.keras.layer", "keras": tf_keras}) is None
    # a function-scope `import tf_keras as keras` in a module that imports Keras 3
    assert answer({"__name__": "user", "keras": keras3}, {"keras": tf_keras}) == flavour.KERAS2
    assert answer({"__name__": "user", "keras": keras3}, {"x": 1}) == flavour.KERAS3


def test_subclasses_of_hub_keras_layer_are_layers_of_the_chosen_keras(reusable_model):
    class Doubled(hub.KerasLayer):
        def call(self, inputs, training=None):
            return 2.0 * super().call(inputs, training)

    layer = Doubled(reusable_model)
    assert isinstance(layer, hub.KerasLayer) and isinstance(layer, Doubled)
    assert type(layer).__name__ == "Doubled"
    assert layer._hub_flavour == flavour.flavour_for_caller()
    np.testing.assert_allclose(layer(tf.constant([[1.0, 2.0]])).numpy(), [[11.0]])


def test_without_tf_keras_imported_the_layer_is_what_tf_keras_is(reusable_model):
    import sys

    if "tf_keras" in sys.modules:
        pytest.skip("tf_keras is imported in this test process")
    assert hub.KerasLayer(reusable_model)._hub_flavour == flavour.which_keras()
