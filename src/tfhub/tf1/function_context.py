"""Where a ``hub.Module`` is built and applied: plain graphs, function graphs, TPU replication.

A module's state must exist once, outside any per-step computation. In a
plain graph it is built with control dependencies cleared. Inside a function
graph that a TPU replicate context is building (``tpu.replicate``,
``TPUStrategy`` steps, and the test stand-in of that class name), the state is
lifted into the outermost graph with ``tf.init_scope``, and each application
captures it. Function graphs run every stateful op they contain, so the
application is pruned to what the signature's outputs need (data and control
inputs), or the module's variable initializers would run on every call.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterable, Iterator, Set

from tfhub import logs
from tfhub._tf import tensorflow

tf = tensorflow()
_log = logs.logger()


def in_tpu_function(graph: Any) -> bool:
    """True if ``graph`` is a function being built inside a TPU replicate context."""
    if not getattr(graph, "building_function", False):
        return False
    context = graph._get_control_flow_context()  # pylint: disable=protected-access
    return type(context).__name__.endswith("TPUReplicateContext")


@contextlib.contextmanager
def state_context(graph: Any) -> Iterator[None]:
    """The context in which a module instantiated in ``graph`` builds its state."""
    if in_tpu_function(graph):
        with tf.init_scope():
            yield
    else:
        with tf.control_dependencies(None):
            yield


def warn_if_unpruned_function(graph: Any) -> None:
    """Applying outside TPU inside a function works only where the function is pruned."""
    if getattr(graph, "building_function", False) and not in_tpu_function(graph):
        _log.warning("hub.Module is applied while building function graph %r; this works "
                     "where the function is pruned to its outputs (tf.compat.v1.wrap_function) "
                     "and can fail where every op runs (tf.function, Dataset.map).", graph.name)


def prune_to(graph_def: Any, tensor_names: Iterable[str]) -> Set[str]:
    """Keeps only the nodes that ``tensor_names`` depend on (by data or control input).

    Returns the names of the nodes kept.
    """
    nodes = {node.name: node for node in graph_def.node}
    kept: Set[str] = set()
    pending = [name.lstrip("^").split(":")[0] for name in tensor_names]
    while pending:
        name = pending.pop()
        if name in kept:
            continue
        kept.add(name)
        pending.extend(i.lstrip("^").split(":")[0] for i in nodes[name].input)
    survivors = [node for node in graph_def.node if node.name in kept]
    del graph_def.node[:]
    graph_def.node.extend(survivors)
    return kept
