"""Describe a model directory: format, graph variants, signatures, variables, assets.

Reads ``saved_model.pb`` and the checkpoint index with tfhub's own subset of
TensorFlow's protos (:mod:`tfhub.formats.saved_model_protos`,
:mod:`tfhub.formats.tensor_bundle`): no TensorFlow is needed for a local model,
nothing is loaded or run, so it is safe (and quick) on models TensorFlow cannot
load. The results are those TensorFlow's own readers give.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Dict, List, Optional

from google.protobuf import message as protobuf_message
from google.protobuf import text_format

from tfhub import errors
from tfhub.formats import dtypes, model_files, tensor_bundle
from tfhub.formats.detect import FormatKind, detect
from tfhub.formats.saved_model_protos import SavedModel


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
    encoding = info.WhichOneof("encoding")
    kind = {"coo_sparse": "sparse", "composite_tensor": "composite"}.get(encoding, "dense")
    dtype = dtypes.dtype_name(info.dtype) if info.dtype else "composite"
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
    """Parses ``saved_model.pb`` or ``saved_model.pbtxt`` (the subset tfhub reads).

    Raises:
        ModelFormatError: the file is not a SavedModel proto.
    """
    data = model_files.read_bytes(saved_model_file)
    proto = SavedModel()
    try:
        if saved_model_file.endswith(".pbtxt"):
            text_format.Parse(data.decode("utf-8"), proto, allow_unknown_field=True)
        else:
            proto.ParseFromString(data)
    except (protobuf_message.DecodeError, text_format.ParseError, UnicodeDecodeError) as exc:
        raise errors.ModelFormatError(
            f"'{saved_model_file}' is not a readable SavedModel ({exc}); the file is damaged or "
            "incomplete: download or export the model again.") from None
    return proto


def _variables(path: str) -> tuple:
    """(count, bytes) of the variables in the checkpoint, (0, 0) without one."""
    index_file = os.path.join(path, "variables", "variables.index")
    if not model_files.exists(index_file):
        return 0, 0
    return tensor_bundle.variable_stats(index_file, model_files.read_bytes(index_file))


def _files_under(path: str, sub: str) -> List[str]:
    base = os.path.join(path, sub)
    if not model_files.isdir(base):
        return []
    return sorted(os.path.relpath(full, path).replace(os.sep, "/") for full in model_files.walk_files(base))


def _size(path: str) -> int:
    return sum(model_files.size(full) for full in model_files.walk_files(path))


def describe(path: str) -> ModelDescription:
    """Describes the model in directory ``path`` (see :class:`ModelDescription`).

    Raises:
        ModelFormatError: the directory holds no SavedModel, or its SavedModel
            or checkpoint index cannot be read.
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
