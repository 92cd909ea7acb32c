"""Reading a TF1 Hub format module's graph variants for TF2 fine-tuning.

The module's MetaGraphDefs are imported into one ``tf.compat.v1.wrap_function``
graph with every variable handle mapped onto one set of TF2 variables; pruned
functions for inference, training and regularization losses are cut from it.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from tensorflow.core.framework import variable_pb2
from tensorflow.core.protobuf import meta_graph_pb2, saved_model_pb2

from tfhub import errors
from tfhub._tf import tensorflow
from tfhub.tf1 import tensor_info

TRAIN_TAGS = frozenset({"train"})


@dataclasses.dataclass(frozen=True)
class Variants:
    """The inference MetaGraphDef and, when the module has one, the train one."""

    inference: meta_graph_pb2.MetaGraphDef
    train: Optional[meta_graph_pb2.MetaGraphDef]


def read_variants(path: str, tags: Optional[Iterable[str]], handle: str) -> Variants:
    """Reads ``saved_model.pb`` and picks the inference and train variants.

    Raises:
        Tf1FineTuningError: no saved_model.pb, or no variant with ``tags``.
    """
    pb_path = os.path.join(path, "saved_model.pb")
    if not tensorflow().io.gfile.exists(pb_path):
        raise errors.Tf1FineTuningError(
            f"{handle}: fine-tuning needs a binary saved_model.pb in {path}.")
    with tensorflow().io.gfile.GFile(pb_path, "rb") as f:
        saved_model = saved_model_pb2.SavedModel.FromString(f.read())
    by_tags = {frozenset(mg.meta_info_def.tags): mg for mg in saved_model.meta_graphs}
    wanted = frozenset(tags or ())
    if wanted not in by_tags:
        raise errors.Tf1FineTuningError(
            f"{handle} has no graph variant with tags {sorted(wanted)} (available: "
            f"{[sorted(t) for t in by_tags]}); pass one of those as tags=.")
    train = by_tags.get(TRAIN_TAGS) if wanted != TRAIN_TAGS else None
    return Variants(by_tags[wanted], train)


def variable_defs(meta_graph: meta_graph_pb2.MetaGraphDef,
                  collection: str) -> List[variable_pb2.VariableDef]:
    """The VariableDefs stored in a graph collection (empty when absent)."""
    if collection not in meta_graph.collection_def:
        return []
    return [variable_pb2.VariableDef.FromString(b)
            for b in meta_graph.collection_def[collection].bytes_list.value]


def node_names(meta_graph: meta_graph_pb2.MetaGraphDef, collection: str) -> List[str]:
    """The tensor or op names stored in a graph collection (empty when absent)."""
    if collection not in meta_graph.collection_def:
        return []
    return list(meta_graph.collection_def[collection].node_list.value)


def op_name(tensor_name: str) -> str:
    """``"bn/moving_mean:0"`` -> ``"bn/moving_mean"``."""
    return tensor_name.split(":")[0]


def check_resource_variables(defs: List[variable_pb2.VariableDef], handle: str) -> None:
    """Refuses TF1 reference variables, which TF2 cannot train.

    Raises:
        Tf1FineTuningError: some variables are reference variables.
    """
    refs = [op_name(d.variable_name) for d in defs if not d.is_resource]
    if refs:
        raise errors.Tf1FineTuningError(
            f"{handle} uses TF1 reference variables ({refs[:5]}...), which cannot be "
            "fine-tuned in TF2. Use it frozen (hub.KerasLayer(handle) / hub.load), "
            "or re-export it with resource variables (tf.compat.v1.enable_resource_variables()).")


def initial_values(path: str, defs: List[variable_pb2.VariableDef]) -> Dict[str, Any]:
    """The checkpointed value of each variable, by op name."""
    if not defs:  # a module without variables may have no checkpoint at all
        return {}
    reader = tensorflow().train.load_checkpoint(os.path.join(path, "variables", "variables"))
    return {op_name(d.variable_name): _checkpoint_value(reader, d) for d in defs}


def _checkpoint_value(reader: Any, variable_def: variable_pb2.VariableDef) -> Any:
    """A variable's value; a partition of a partitioned variable is cut from the whole."""
    if not variable_def.HasField("save_slice_info_def"):
        return reader.get_tensor(op_name(variable_def.variable_name))
    info = variable_def.save_slice_info_def
    whole = reader.get_tensor(info.full_name)
    return whole[tuple(slice(o, o + n) for o, n in zip(info.var_offset, info.var_shape))]


def import_variants(variants: Variants, values: Dict[str, Any],
                    trainable_names: Iterable[str],
                    resources: Optional[Dict[str, Any]] = None) -> Tuple[Any, List[Any]]:
    """Imports the variants into one wrapped function sharing new TF2 variables.

    The inference graph is imported at the root name scope, the train graph
    under ``train/``. ``resources`` maps more state tensor names (e.g. hash
    tables, ``"table:0"``) to eager resource handles that replace them, so
    every function cut from the graph shares them too.

    Returns:
        The ``tf.compat.v1.wrap_function`` result (``.prune`` cuts functions)
        and the TF2 variables, in checkpoint order.
    """
    wrapped, variables, _ = _import(variants, values, trainable_names, resources, fed=False)
    return wrapped, variables


def import_variants_fed(variants: Variants, values: Dict[str, Any],
                        trainable_names: Iterable[str]) -> Tuple[Any, List[Any], List[Any]]:
    """As :func:`import_variants`, but the variables' handles are fed, not captured.

    Functions cut with the returned placeholders among their feeds take the
    handles as arguments, so each call can pass the handles of the current
    context: under a tf.distribute strategy, each replica's own copy of a
    mirrored variable (a captured handle would pin every replica to one copy).

    Returns:
        The wrapped function, the TF2 variables and one resource placeholder per
        variable (same order).
    """
    return _import(variants, values, trainable_names, None, fed=True)


def _local_handle(variable: Any) -> Any:
    """The handle of ``variable``, or of its first local copy if it is distributed."""
    strategy = tensorflow().distribute.get_strategy()
    return strategy.experimental_local_results(variable)[0].handle


def _new_variable(value: Any, name: str, trainable: bool, fed: bool) -> Any:
    """A TF2 variable; under a mirrored strategy, non-trainable ones are sync-on-read means.

    Non-trainable state (batch-norm moving averages, written by UPDATE_OPS) is then
    updated by each replica on its own copy and read as the mean of the copies, as
    Keras does for its own BatchNormalization; frozen weights are equal everywhere.
    """
    tf = tensorflow()
    strategy = tf.distribute.get_strategy()
    mirrored = (tf.distribute.MirroredStrategy, tf.distribute.MultiWorkerMirroredStrategy)
    if fed and not trainable and isinstance(strategy, mirrored):
        return tf.Variable(value, name=name, trainable=False,
                           synchronization=tf.VariableSynchronization.ON_READ,
                           aggregation=tf.VariableAggregation.MEAN)
    return tf.Variable(value, name=name, trainable=trainable)


def _import(variants: Variants, values: Dict[str, Any], trainable_names: Iterable[str],
            resources: Optional[Dict[str, Any]], fed: bool) -> Tuple[Any, List[Any], List[Any]]:
    tf = tensorflow()
    trainable_names = set(trainable_names)
    created: Dict[str, Any] = {}
    placeholders: List[Any] = []

    def stand_in(name: str, variable: Any) -> Any:
        graph = tf.compat.v1.get_default_graph()
        if not fed:
            return graph.capture(variable.handle)
        from tensorflow.python.ops import handle_data_util

        placeholder = tf.compat.v1.placeholder(tf.resource, [], name=f"{name}_handle")
        handle_data_util.copy_handle_data(_local_handle(variable), placeholder)  # dtype, shape
        placeholders.append(placeholder)
        return placeholder

    def import_graphs() -> None:
        # Made here, variables are lifted out of the graph into the caller's
        # context (eager, or a tf.distribute scope).
        created.update({name: _new_variable(value, name, name in trainable_names, fed)
                        for name, value in values.items()})
        graph = tf.compat.v1.get_default_graph()
        handles = {f"{name}:0": stand_in(name, var) for name, var in created.items()}
        handles.update({name: graph.capture(handle) for name, handle in (resources or {}).items()})
        for scope, meta_graph in (("", variants.inference), ("train", variants.train)):
            if meta_graph is not None:
                tf.compat.v1.import_graph_def(meta_graph.graph_def, input_map=handles,
                                              name=scope)

    wrapped = tf.compat.v1.wrap_function(import_graphs, signature=[])
    return wrapped, list(created.values()), placeholders


def prune_signature(wrapped: Any, meta_graph: meta_graph_pb2.MetaGraphDef, name: str,
                    scope: str, update_ops: bool, state_feeds: Sequence[Any] = ()
                    ) -> Callable[..., Any]:
    """Cuts signature ``name`` of an imported variant out of the wrapped graph.

    Feeds are the signature's input components in sorted key order (a sparse or
    ragged input contributes its components), then ``state_feeds``; fetches its
    outputs (composites rebuilt). With ``update_ops`` the variant's UPDATE_OPS
    run too, and the function returns ``[outputs, updates]``.
    """
    graph = wrapped.graph
    signature = meta_graph.signature_def[name]
    feeds = [graph.get_tensor_by_name(scope + n) for k in sorted(signature.inputs)
             for n in tensor_info.component_names(signature.inputs[k])]
    feeds += list(state_feeds)
    fetches = {k: tensor_info.build_output(v, graph, scope.rstrip("/"))
               for k, v in signature.outputs.items()}
    if not update_ops:
        return wrapped.prune(feeds=feeds, fetches=fetches)
    updates = [graph.get_operation_by_name(scope + op_name(n))
               for n in node_names(meta_graph, "update_ops")]
    return wrapped.prune(feeds=feeds, fetches=[fetches, updates])
