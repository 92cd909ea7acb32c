"""The scenarios, one short function each, registered by ``@scenario`` on import."""

from tests.differential.scenarios import api, keras_layer, load_resolve, tf1_columns, tf1_module
