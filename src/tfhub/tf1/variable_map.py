"""The ``variable_map`` of a module instance: module-relative name -> variable(s)."""

from __future__ import annotations

import re
from typing import Dict, List, Union

from tfhub._tf import tensorflow

tf = tensorflow()

_PART_SUFFIX = re.compile(r"/part_\d+$")


def _relative(name: str, scope: str) -> str:
    return name[len(scope) + 1:] if name.startswith(scope + "/") else name


def _partition_key(variable, scope: str) -> str:
    info = variable._save_slice_info  # pylint: disable=protected-access
    if info is not None:
        return _relative(info.full_name, scope)
    return _PART_SUFFIX.sub("", _relative(variable.op.name, scope))


def build_variable_map(scope: str) -> Dict[str, Union[object, List[object]]]:
    """Maps each variable under ``scope`` to its name relative to the module.

    Partitioned variables map to the list of their parts, sorted by offset.

    Raises:
        RuntimeError: partitions are inconsistent (shapes, offsets, or a name
            used both plainly and partitioned).
    """
    graph = tf.compat.v1.get_default_graph()
    variables = [v for v in graph.get_collection(tf.compat.v1.GraphKeys.GLOBAL_VARIABLES)
                 if v.op.name.startswith(scope + "/")]
    plain, parts = {}, {}
    for variable in variables:
        if variable._save_slice_info is None:  # pylint: disable=protected-access
            plain[_relative(variable.op.name, scope)] = variable
        else:
            parts.setdefault(_partition_key(variable, scope), []).append(variable)
    both = sorted(set(plain) & set(parts))
    if both:
        raise RuntimeError(f"Variable names {both} are used both plainly and partitioned.")
    result: Dict[str, Union[object, List[object]]] = dict(plain)
    for name, slices in parts.items():
        result[name] = _sorted_partition(name, slices)
    return result


def _sorted_partition(name: str, slices: List[object]) -> List[object]:
    slices = sorted(slices, key=lambda v: v._save_slice_info.var_offset)  # pylint: disable=protected-access
    offsets = [tuple(v._save_slice_info.var_offset) for v in slices]  # pylint: disable=protected-access
    if len(set(offsets)) != len(offsets):
        raise RuntimeError(f"Partitioned variable {name!r} has duplicate slice offsets {offsets}.")
    trailing = {tuple(v.shape.as_list()[1:]) for v in slices}
    if len(trailing) > 1:
        raise RuntimeError(f"Partitioned variable {name!r} has parts of mismatched shapes {trailing}.")
    return slices


def flatten(variable_map: Dict[str, Union[object, List[object]]]) -> List[object]:
    """Every variable of a variable map, ordered by key, partitions flattened."""
    result = []
    for name in sorted(variable_map):
        value = variable_map[name]
        result.extend(value if isinstance(value, list) else [value])
    return result
