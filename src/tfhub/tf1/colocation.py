"""Colocation constraints of an applied module graph, pointed at what really feeds it.

Each application re-imports the module's graph under a fresh name scope and
maps its inputs and state ops to tensors outside that scope. TensorFlow's
import prefixes every ``loc:@op`` constraint with the scope, so an op that the
module colocated with its variable would be colocated with the variable's
stillborn placeholder copy in the apply scope. Device placement of real
models (variables on parameter servers, embeddings on CPU) depends on these
constraints, so after each import they are rewritten to the groups of the
tensors that replaced those ops, and the op's device follows the new group.
"""

from __future__ import annotations

from typing import Collection, Dict, List, Mapping, Optional, Set, Tuple

from tfhub import errors

_LOC = b"loc:@"


class _Rewrite:
    """What one ``loc:@op`` group of the imported graph becomes, and why."""

    def __init__(self, groups: List[bytes], reason: str):
        self.groups = groups
        self.reason = reason
        self.conflict: Optional[Tuple[List[bytes], str]] = None

    def add(self, groups: List[bytes], reason: str) -> None:
        if groups != self.groups and self.conflict is None:
            self.conflict = (groups, reason)


def _split(tensor_name: str) -> Tuple[str, int]:
    op_name, _, index = tensor_name.rpartition(":")
    return op_name, int(index)


def _rewrites(graph, scope: str, input_map: Mapping[str, object]) -> Dict[bytes, _Rewrite]:
    """The new groups for each imported op whose outputs were (partly) replaced."""
    rewrites: Dict[bytes, _Rewrite] = {}
    replaced: Dict[str, Set[int]] = {}
    for name, tensor in sorted(input_map.items()):
        op_name, index = _split(f"{scope}/{name}")
        groups = sorted(tensor.op.colocation_groups())
        reason = f"input '{op_name}:{index}' is substituted by '{tensor.name}'"
        key = _LOC + op_name.encode()
        if key in rewrites:
            rewrites[key].add(groups, reason)
        else:
            rewrites[key] = _Rewrite(groups, reason)
        replaced.setdefault(op_name, set()).add(index)
    for op_name, indices in replaced.items():
        op = graph.get_operation_by_name(op_name)
        kept = sorted(set(range(len(op.outputs))) - indices)
        if kept:  # the op itself survives in the apply scope, with its own group
            rewrites[_LOC + op_name.encode()].add(
                [_LOC + op_name.encode()],
                f"tensor '{op_name}:{','.join(map(str, kept))}' is not substituted by inputs")
    return rewrites


def _show(groups: List[bytes]) -> str:
    return "[" + ", ".join(repr(g.decode()) for g in groups) + "]"


def _rewritten(op, values: List[bytes], rewrites: Dict[bytes, _Rewrite]) -> Tuple[list, list]:
    others, new_groups = [], set()
    for value in values:
        if not value.startswith(_LOC):
            others.append(value)
            continue
        rewrite = rewrites.get(value)
        if rewrite is None:
            new_groups.add(value)
            continue
        if rewrite.conflict is not None:
            raise errors.ColocationError(
                "Failed to rewrite colocation constraints while applying hub.Module: node "
                f"{op.name!r} is colocated with group {value.decode()!r}, which would become "
                f"{_show(rewrite.groups)} vs {_show(rewrite.conflict[0])} because "
                f"{rewrite.reason} and {rewrite.conflict[1]}, respectively. Fix the module: "
                "when other ops are tf.colocate_with(...) an op, make either all or none of "
                "that op's outputs signature inputs, and feed them tensors of one colocation "
                "group.")
        new_groups.update(rewrite.groups)
    return others, sorted(new_groups)


def rewrite_after_import(graph, scope: str, input_map: Mapping[str, object], colocated: Collection[str]) -> None:
    """Rewrites the ``_class`` colocation attrs of the ops imported under ``scope``.

    ``input_map`` takes tensor names of the module graph to the tensors that
    replaced them in this import (state and inputs). ``colocated`` names the
    nodes of the imported GraphDef that carry a ``_class`` attr: only their ops
    can need a rewrite, and asking every other op for the attr (an exception
    each) cost about a tenth of an application of a 1,000-variable module.
    Ops are visited in the graph's order, as before, since a rewritten op's new
    device can be the colocation target of another's.

    Raises:
        ColocationError: one group would be rewritten two ways (an op with
            several outputs, not all replaced by the same-colocated tensors,
            is the target of a colocation constraint).
    """
    from tensorflow.core.framework import attr_value_pb2

    rewrites = _rewrites(graph, scope, input_map)
    wanted = {f"{scope}/{name}" for name in colocated}
    for op in graph.get_operations():
        if op.name not in wanted:
            continue
        try:
            values = op.get_attr("_class")
        except ValueError:
            continue
        others, new_groups = _rewritten(op, list(values), rewrites)
        op._set_attr("_class", attr_value_pb2.AttrValue(  # pylint: disable=protected-access
            list=attr_value_pb2.AttrValue.ListValue(s=others + new_groups)))
        if new_groups:  # as import_graph_def does: take the device of a colocation target
            devices = [graph.get_operation_by_name(g[len(_LOC):].decode()).device
                       for g in new_groups]
            op._set_device(next((d for d in devices if d), ""))  # pylint: disable=protected-access
