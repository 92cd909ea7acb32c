"""Hash tables and assets of a TF1 graph, carried over as TF2 resources.

A TF1 graph creates its tables with ops such as ``HashTableV2`` and fills them
with the ops of its ``table_initializer`` collection, reading vocabulary files
named by asset constants. In the converted model each table is a TF2
``TrackableResource`` (an anonymous table, so two loads never share one), and
one more resource runs the graph's initializers with the assets' paths, which
TF2 relocates when the SavedModel is moved.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Sequence

from tensorflow.core.protobuf import meta_graph_pb2

from tfhub._tf import tensorflow

tf = tensorflow()

# TF1 table op -> the TF2 op creating the same kind of table, and its attributes.
TABLE_OPS: Dict[str, tuple] = {
    "HashTableV2": ("AnonymousHashTable", ("key_dtype", "value_dtype")),
    "MutableHashTableV2": ("AnonymousMutableHashTable", ("key_dtype", "value_dtype")),
    "MutableHashTableOfTensorsV2": ("AnonymousMutableHashTableOfTensors",
                                    ("key_dtype", "value_dtype", "value_shape")),
}


def table_nodes(meta_graph: meta_graph_pb2.MetaGraphDef) -> List[Any]:
    """The NodeDefs of the tables a graph creates."""
    return [n for n in meta_graph.graph_def.node if n.op in TABLE_OPS]


def asset_files(meta_graph: meta_graph_pb2.MetaGraphDef) -> Dict[str, str]:
    """Asset tensor name -> file name under ``assets/`` (both SavedModel encodings)."""
    defs = list(meta_graph.asset_file_def)
    collection = meta_graph.collection_def.get("saved_model_assets")
    if collection is not None:
        for packed in collection.any_list.value:
            asset = meta_graph_pb2.AssetFileDef()
            packed.Unpack(asset)
            defs.append(asset)
    return {d.tensor_info.name: d.filename for d in defs}


class ConvertedTable(tf.saved_model.experimental.TrackableResource):
    """A TF2 table standing for one TF1 table node."""

    def __init__(self, node: Any) -> None:
        self._op, attr_names = TABLE_OPS[node.op]
        self._attrs = {name: _attr_value(node.attr[name]) for name in attr_names}
        super().__init__()

    def _create_resource(self) -> Any:
        return getattr(tf.raw_ops, self._op)(**self._attrs)


def _attr_value(attr: Any) -> Any:
    kind = attr.WhichOneof("value")
    if kind == "type":
        return tf.dtypes.as_dtype(attr.type)
    if kind == "shape":
        return tf.TensorShape(attr.shape)
    return getattr(attr, kind)


class TableInitializer(tf.saved_model.experimental.TrackableResource):
    """Runs the graph's table initializers at load time, fed with the asset paths.

    TF2 calls ``_initialize`` of every restored resource when the SavedModel is
    loaded; the ``Asset`` objects make the vocabulary files relocatable.
    """

    def __init__(self, init_function: Any, tables: Sequence[ConvertedTable],
                 asset_paths: Sequence[str]) -> None:
        super().__init__()
        self._init_function = init_function
        self._assets = [tf.saved_model.Asset(p) for p in asset_paths]
        # A resource tracks nothing by itself: name its tables (restored
        # first) and assets (copied, relocated) as dependencies.
        for i, table in enumerate(tables):
            self._track_trackable(table, name=f"table_{i}")
        for i, asset in enumerate(self._assets):
            self._track_trackable(asset, name=f"asset_{i}")
        self._initialize()

    def _create_resource(self) -> Any:
        return tf.constant(0)

    def _initialize(self) -> Any:
        return self._init_function(*[a.asset_path for a in self._assets])


def make_initializer(wrapped: Any, meta_graph: meta_graph_pb2.MetaGraphDef, source: str,
                     tables: Sequence[ConvertedTable]) -> TableInitializer:
    """Cuts the table-initializer function from the wrapped graph.

    Args:
        wrapped: the ``wrap_function`` holding the imported inference graph.
        meta_graph: the inference MetaGraphDef.
        source: the module directory (its ``assets/`` holds the files).
        tables: the converted tables, captured by the graph.
    """
    graph = wrapped.graph
    assets = asset_files(meta_graph)
    names = sorted(assets)
    init_ops = [graph.get_operation_by_name(n.split(":")[0]) for n in
                meta_graph.collection_def["table_initializer"].node_list.value] \
        if "table_initializer" in meta_graph.collection_def else []
    with graph.as_default():
        anchor = tf.constant(0, name="tfhub_table_init_done")
    function = wrapped.prune(feeds=[graph.get_tensor_by_name(n) for n in names],
                             fetches=[anchor] + init_ops)
    paths = [os.path.join(source, "assets", assets[n]) for n in names]
    return TableInitializer(lambda *a: function(*a)[0], tables, paths)
