"""Importing a module's graph variant: once for its state, once per application.

The *state* import creates the variables and tables under the module's
variable scope. Each *application* re-imports the graph under a fresh name
scope with every state op turned into a placeholder fed from the state import,
so all applications share one set of variables and tables.
"""

from __future__ import annotations

import copy
from typing import Dict, Iterable, Mapping

from tfhub import errors
from tfhub._tf import tensorflow
from tfhub.tf1 import colocation, function_context

tf = tensorflow()

_STATE_COLLECTIONS = frozenset(["variables", "model_variables", "table_initializer",
                                "asset_filepaths", "cond_context", "while_context"])
_TRAINABLE_STATE_COLLECTIONS = frozenset(["trainable_variables", "regularization_losses"])
_APPLY_COLLECTIONS = frozenset(["asset_filepaths", "cond_context", "while_context"])
_TRAINABLE_APPLY_COLLECTIONS = frozenset(["update_ops"])


def state_scope(name: str) -> str:
    """Picks the module's variable scope: ``name`` uniquified in the current variable scope.

    Raises:
        ModuleGraphError: the variable scope is free but its name scope is taken.
    """
    graph = tf.compat.v1.get_default_graph()
    with tf.compat.v1.variable_scope(None, default_name=name, auxiliary_name_scope=False) as vs:
        scope = vs.name
    if _unused_name(graph, scope) != scope:
        raise errors.ModuleGraphError(
            f"variable_scope {scope}/ was unused but the corresponding name_scope was already "
            "taken. Pick another `name=` for the hub.Module.")
    return scope


def _unused_name(graph, absolute_name: str) -> str:
    with graph.name_scope(None):
        return graph.unique_name(absolute_name, mark_as_used=False)


def _is_state_op(node) -> bool:
    from tensorflow.python.framework import op_def_registry

    op_def = op_def_registry.get(node.op)
    if op_def is None or not op_def.is_stateful:
        return False
    return not [i for i in node.input if not i.startswith("^")]


def state_op_names(graph_def) -> list:
    """Names of the nodes that hold state: stateful ops without inputs (variables, tables).

    Raises:
        ValueError: a state op has more than one output.
    """
    from tensorflow.python.framework import op_def_registry

    names = []
    for node in graph_def.node:
        if _is_state_op(node):
            if len(op_def_registry.get(node.op).output_arg) != 1:
                raise ValueError(f"State op {node.name!r} ({node.op}) has more than one output; "
                                 "the TF1 Hub format cannot share it between applications.")
            names.append(node.name)
    return names


def _filtered_copy(meta_graph, keep: Iterable[str]):
    result = copy.deepcopy(meta_graph)
    for key in list(result.collection_def):
        if key not in keep:
            del result.collection_def[key]
    return result


def _import(meta_graph, scope: str, input_map: Mapping[str, object] = None) -> None:
    from tensorflow.python.framework import meta_graph as meta_graph_lib

    graph = tf.compat.v1.get_default_graph()
    with graph.name_scope(None):
        meta_graph_lib.import_scoped_meta_graph(
            meta_graph, import_scope=scope, input_map=dict(input_map or {}))


def import_state(meta_graph, scope: str, trainable: bool) -> Dict[str, object]:
    """Imports the state of a graph variant under ``scope``; returns the state map.

    The state map takes each state op's tensor name in the module graph to the
    tensor created here. Shared resource names are prefixed with ``scope`` so
    that two instances never share a table or variable by accident.
    """
    keep = _STATE_COLLECTIONS | (_TRAINABLE_STATE_COLLECTIONS if trainable else frozenset())
    state_graph = _filtered_copy(meta_graph, keep)
    for node in state_graph.graph_def.node:
        shared_name = node.attr["shared_name"].s if "shared_name" in node.attr else b""
        if shared_name:
            node.attr["shared_name"].s = f"{scope}/".encode() + shared_name
    graph = tf.compat.v1.get_default_graph()
    with tf.control_dependencies(None):
        _import(state_graph, scope)
    return {f"{name}:0": graph.get_tensor_by_name(f"{scope}/{name}:0")
            for name in state_op_names(meta_graph.graph_def)}


def apply_scope(name: str) -> str:
    """The absolute name scope for the next application named ``name``, uniquified."""
    graph = tf.compat.v1.get_default_graph()
    current = graph.get_name_scope()
    return _unused_name(graph, f"{current}/{name}" if current else name)


def import_application(meta_graph, scope: str, state_map: Mapping[str, object],
                       feeds: Mapping[str, object], trainable: bool,
                       output_names: Iterable[str]) -> None:
    """Re-imports a graph variant under ``scope``, fed from ``state_map`` and ``feeds``.

    ``output_names`` are the tensors the application must compute; inside a
    TPU function graph everything else is pruned away.

    Raises:
        FunctionContextError: inside a TPU function, the module has graph
            collections that an application would import.
        ColocationError: see ``colocation.rewrite_after_import``.
    """
    graph = tf.compat.v1.get_default_graph()
    keep = _APPLY_COLLECTIONS | (_TRAINABLE_APPLY_COLLECTIONS if trainable else frozenset())
    apply_graph = _filtered_copy(meta_graph, keep)
    if function_context.in_tpu_function(graph):
        if apply_graph.collection_def:
            raise errors.FunctionContextError(
                "Applying a hub.Module inside a TPU function is not supported when its graph "
                f"has collections {sorted(apply_graph.collection_def)}; apply it outside the "
                "TPU computation or export the module without them.")
        kept = function_context.prune_to(apply_graph.graph_def, output_names)
        state_map = {k: graph.capture(v) for k, v in state_map.items()
                     if k.rpartition(":")[0] in kept}
        feeds = {k: v for k, v in feeds.items() if k.rpartition(":")[0] in kept}
    else:
        function_context.warn_if_unpruned_function(graph)
    for node in apply_graph.graph_def.node:
        tensor = state_map.get(f"{node.name}:0")
        if tensor is not None:
            _make_placeholder(node, tensor.dtype.base_dtype)
    input_map = dict(state_map)
    input_map.update(feeds)
    _import(apply_graph, scope, input_map)
    colocated = [node.name for node in apply_graph.graph_def.node if "_class" in node.attr]
    colocation.rewrite_after_import(graph, scope, input_map, colocated)


def _make_placeholder(node, dtype) -> None:
    node.op = "Placeholder"
    for key in list(node.attr):
        del node.attr[key]
    node.attr["dtype"].type = dtype.as_datatype_enum
    del node.input[:]
