"""TensorFlow's DataType enum as a table: its proto names, ``tf.dtypes`` names and sizes.

The numbers are those of ``tensorflow/core/framework/types.proto``; a number
above 100 is the reference type of ``number - 100`` ("float32_ref"). Sizes are
``tf.dtypes.DType.size`` where a variable's bytes are counted: 0 for strings,
resources and variants, whose size is not in the checkpoint's shape.
"""

from __future__ import annotations

from typing import Dict, Iterator, Tuple

REF_OFFSET = 100

# number -> (enum value name, tf.dtypes name, bytes per element)
_TYPES: Dict[int, Tuple[str, str, int]] = {
    1: ("DT_FLOAT", "float32", 4),
    2: ("DT_DOUBLE", "float64", 8),
    3: ("DT_INT32", "int32", 4),
    4: ("DT_UINT8", "uint8", 1),
    5: ("DT_INT16", "int16", 2),
    6: ("DT_INT8", "int8", 1),
    7: ("DT_STRING", "string", 0),
    8: ("DT_COMPLEX64", "complex64", 8),
    9: ("DT_INT64", "int64", 8),
    10: ("DT_BOOL", "bool", 1),
    11: ("DT_QINT8", "qint8", 1),
    12: ("DT_QUINT8", "quint8", 1),
    13: ("DT_QINT32", "qint32", 4),
    14: ("DT_BFLOAT16", "bfloat16", 2),
    15: ("DT_QINT16", "qint16", 2),
    16: ("DT_QUINT16", "quint16", 2),
    17: ("DT_UINT16", "uint16", 2),
    18: ("DT_COMPLEX128", "complex128", 16),
    19: ("DT_HALF", "float16", 2),
    20: ("DT_RESOURCE", "resource", 0),
    21: ("DT_VARIANT", "variant", 0),
    22: ("DT_UINT32", "uint32", 4),
    23: ("DT_UINT64", "uint64", 8),
    24: ("DT_FLOAT8_E5M2", "float8_e5m2", 1),
    25: ("DT_FLOAT8_E4M3FN", "float8_e4m3fn", 1),
    26: ("DT_FLOAT8_E4M3FNUZ", "float8_e4m3fnuz", 1),
    27: ("DT_FLOAT8_E4M3B11FNUZ", "float8_e4m3b11fnuz", 1),
    28: ("DT_FLOAT8_E5M2FNUZ", "float8_e5m2fnuz", 1),
    29: ("DT_INT4", "int4", 1),
    30: ("DT_UINT4", "uint4", 1),
    31: ("DT_INT2", "int2", 1),
    32: ("DT_UINT2", "uint2", 1),
    33: ("DT_FLOAT4_E2M1FN", "float4_e2m1fn", 1),
}


def _base(number: int) -> Tuple[int, str]:
    return (number - REF_OFFSET, "_ref") if number > REF_OFFSET else (number, "")


def dtype_name(number: int) -> str:
    """The dtype's name as ``tf.dtypes.as_dtype(number).name`` says it."""
    base, suffix = _base(number)
    known = _TYPES.get(base)
    return known[1] + suffix if known else f"unknown dtype {number}"


def dtype_size(number: int) -> int:
    """Bytes per element (0 for strings, resources, variants and unknown numbers)."""
    return _TYPES.get(_base(number)[0], ("", "", 0))[2]


def enum_values() -> Iterator[Tuple[str, int]]:
    """(name, number) of every DataType value, the reference types included."""
    yield "DT_INVALID", 0
    for number, (enum_name, _, _) in _TYPES.items():
        yield enum_name, number
    for number, (enum_name, _, _) in _TYPES.items():
        yield enum_name + "_REF", number + REF_OFFSET
