"""The source's own outputs for verification: the TF1 graph run in a ``tf.compat.v1.Session``.

Independent of the converter's import (no ``wrap_function``, no pruning, no
TF2 variables): the MetaGraph is imported as TF1 imports it, the variables are
restored by one Saver op from the checkpoint, the table initializers run with
the asset paths, and each signature is one ``session.run``. This is what
``hub.Module`` computes, and far cheaper than ``load_v2``, whose pruning of
every signature lifts the whole graph once more.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping

import numpy as np
from tensorflow.core.protobuf import meta_graph_pb2

from tfhub._tf import tensorflow
from tfhub.convert import tables as tables_lib
from tfhub.tf1 import tensor_info

tf = tensorflow()

# Collections of init ops a TF1 SavedModel may carry besides its table initializers.
_INIT_COLLECTIONS = ("saved_model_main_op", "legacy_init_op", "table_initializer")


def run_signatures(path: str, meta_graph: meta_graph_pb2.MetaGraphDef,
                   feeds: Mapping[str, List[Any]]) -> Dict[str, Dict[str, List[np.ndarray]]]:
    """Runs signatures of the source on flat input components.

    Args:
        path: the module directory (checkpoint under ``variables/``, files under ``assets/``).
        meta_graph: the variant to run.
        feeds: signature name -> its input components, in the order of
            :func:`tfhub.tf1.tensor_info.component_names` over the sorted input keys.

    Returns:
        signature name -> output key -> the output's components as arrays.
    """
    results: Dict[str, Dict[str, List[np.ndarray]]] = {}
    with tf.Graph().as_default() as graph:
        saver = tf.compat.v1.train.import_meta_graph(meta_graph, clear_devices=True)
        with tf.compat.v1.Session(graph=graph) as session:
            if saver is not None:
                saver.restore(session, os.path.join(path, "variables", "variables"))
            _initialize(session, graph, path, meta_graph)
            for name, values in feeds.items():
                signature = meta_graph.signature_def[name]
                names = [n for k in sorted(signature.inputs)
                         for n in tensor_info.component_names(signature.inputs[k])]
                fetches = {k: tensor_info.component_names(v) for k, v in signature.outputs.items()}
                feed_dict = {graph.get_tensor_by_name(n): np.asarray(v) for n, v in zip(names, values)}
                results[name] = session.run(fetches, feed_dict)
    return results


def _initialize(session: Any, graph: Any, path: str, meta_graph: meta_graph_pb2.MetaGraphDef) -> None:
    """Runs the graph's init ops (tables included), fed with the assets' paths."""
    present = [c for c in _INIT_COLLECTIONS if c in meta_graph.collection_def]
    ops = [graph.as_graph_element(n) for c in present for n in meta_graph.collection_def[c].node_list.value]
    if not ops:
        return
    assets = tables_lib.asset_files(meta_graph)
    session.run(ops, {graph.get_tensor_by_name(t): os.path.join(path, "assets", f)
                      for t, f in assets.items()})
