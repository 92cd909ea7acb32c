"""Describe a model directory: format, graph variants, signatures, variables, assets.

Reads ``saved_model.pb`` and the checkpoint index with TensorFlow's protos; loads
no graph and runs nothing, so it is safe on models TensorFlow cannot load.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Dict, List, Optional

from tfhub._tf import tensorflow
from tfhub.formats.detect import FormatKind, detect


@dataclasses.dataclass
class TensorDescription:
    dtype: str
    shape: Optional[List[Optional[int]]]  # None: unknown rank
    kind: str = "dense"  # dense | sparse | composite

    def render(self) -> str:
        if self.shape is None:
            shape = "<unknown rank>"
        else:
            shape = "[" + ", ".join("?" if d is None else str(d) for d in self.shape) + "]"
        return f"{self.dtype}{shape}" + ("" if self.kind == "dense" else f" ({self.kind})")


@dataclasses.dataclass
class SignatureDescription:
    method_name: str
    inputs: Dict[str, TensorDescription]
    outputs: Dict[str, TensorDescription]


@dataclasses.dataclass
class GraphVariant:
    tags: List[str]
    signatures: Dict[str, SignatureDescription]
    tensorflow_version: str
    tensorflow_git_version: str
    has_object_graph: bool


@dataclasses.dataclass
class ModelDescription:
    path: str
    format: str
    variants: List[GraphVariant]
    variable_count: int
    variable_bytes: int
    assets: List[str]
    size_bytes: int

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


def _tensor(info: Any) -> TensorDescription:
    tf = tensorflow()
    encoding = info.WhichOneof("encoding")
    kind = {"coo_sparse": "sparse", "composite_tensor": "composite"}.get(encoding, "dense")
    dtype = tf.dtypes.as_dtype(info.dtype).name if info.dtype else "composite"
    if info.tensor_shape.unknown_rank:
        shape = None
    else:
        shape = [None if d.size < 0 else int(d.size) for d in info.tensor_shape.dim]
    return TensorDescription(dtype=dtype, shape=shape, kind=kind)


def _variant(meta_graph: Any) -> GraphVariant:
    signatures = {
        name: SignatureDescription(
            method_name=sig.method_name,
            inputs={k: _tensor(v) for k, v in sorted(sig.inputs.items())},
            outputs={k: _tensor(v) for k, v in sorted(sig.outputs.items())},
        )
        for name, sig in sorted(meta_graph.signature_def.items())
        if not name.startswith("__")  # TF's internal __saved_model_init_op
    }
    info = meta_graph.meta_info_def
    return GraphVariant(
        tags=sorted(info.tags),
        signatures=signatures,
        tensorflow_version=info.tensorflow_version or "unknown",
        tensorflow_git_version=info.tensorflow_git_version or "unknown",
        has_object_graph=len(meta_graph.object_graph_def.nodes) > 0,
    )


def read_saved_model_proto(saved_model_file: str) -> Any:
    """Parses ``saved_model.pb`` or ``saved_model.pbtxt``."""
    tf = tensorflow()
    from google.protobuf import text_format  # noqa: PLC0415
    from tensorflow.core.protobuf import saved_model_pb2  # noqa: PLC0415

    proto = saved_model_pb2.SavedModel()
    with tf.io.gfile.GFile(saved_model_file, "rb") as f:
        data = f.read()
    if saved_model_file.endswith(".pbtxt"):
        text_format.Parse(data.decode("utf-8"), proto)
    else:
        proto.ParseFromString(data)
    return proto


def _variables(path: str) -> tuple:
    """(count, bytes) of the variables in the checkpoint, (0, 0) without one."""
    tf = tensorflow()
    prefix = os.path.join(path, "variables", "variables")
    if not tf.io.gfile.exists(prefix + ".index"):
        return 0, 0
    reader = tf.train.load_checkpoint(prefix)
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    count = total = 0
    for name, shape in shapes.items():
        if name == "_CHECKPOINTABLE_OBJECT_GRAPH":
            continue
        count += 1
        elements = 1
        for dim in shape:
            elements *= dim
        dtype = dtypes[name]
        total += elements * (dtype.size if dtype != tf.string else 0)
    return count, total


def _files_under(path: str, sub: str) -> List[str]:
    tf = tensorflow()
    base = os.path.join(path, sub)
    if not tf.io.gfile.isdir(base):
        return []
    found = []
    for dirpath, _, filenames in tf.io.gfile.walk(base):
        for filename in filenames:
            found.append(os.path.relpath(os.path.join(dirpath, filename), path).replace(os.sep, "/"))
    return sorted(found)


def _size(path: str) -> int:
    tf = tensorflow()
    total = 0
    for dirpath, _, filenames in tf.io.gfile.walk(path):
        for filename in filenames:
            total += tf.io.gfile.stat(os.path.join(dirpath, filename)).length
    return total


def describe(path: str) -> ModelDescription:
    """Describes the model in directory ``path`` (see :class:`ModelDescription`).

    Raises:
        ModelFormatError: the directory holds no SavedModel.
    """
    model_format = detect(path)
    proto = read_saved_model_proto(model_format.saved_model_file)
    variants = [_variant(mg) for mg in proto.meta_graphs]
    if model_format.kind is FormatKind.TF1_HUB:
        format_name = "TF1 Hub format"
    elif any(v.has_object_graph for v in variants):
        format_name = "TF2 SavedModel"
    else:
        format_name = "TF1 SavedModel"
    count, nbytes = _variables(model_format.path)
    return ModelDescription(
        path=model_format.path,
        format=format_name,
        variants=variants,
        variable_count=count,
        variable_bytes=nbytes,
        assets=_files_under(model_format.path, "assets") + _files_under(model_format.path, "assets.extra"),
        size_bytes=_size(model_format.path),
    )
