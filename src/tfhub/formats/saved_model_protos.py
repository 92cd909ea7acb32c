"""A subset of TensorFlow's SavedModel and tensor-bundle protos, built without TensorFlow.

Enough to describe a model: the MetaGraphs' tags, versions and signatures, the
presence of a TF2 object graph, and the checkpoint index entries. Package
(``tensorflow``), message names and field numbers are TensorFlow's own (the
schema is public: ``tensorflow/core/protobuf/saved_model.proto``,
``meta_graph.proto``, ``tensor_bundle.proto``, ``framework/tensor_shape.proto``),
so TensorFlow's bytes parse here. What is left out (the GraphDef above all, the
bulk of a ``saved_model.pb``) is skipped as unknown fields, which is also what
makes parsing fast. The messages live in tfhub's private pool
(:mod:`tfhub.formats.proto_pool`), apart from TensorFlow's generated classes.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2

from tfhub.formats import dtypes
from tfhub.formats.proto_pool import POOL, F, add_map, field, message_class

PACKAGE = "tensorflow"
_P = f".{PACKAGE}"


def _message(proto: descriptor_pb2.FileDescriptorProto, name: str,
             *fields: descriptor_pb2.FieldDescriptorProto) -> descriptor_pb2.DescriptorProto:
    message = proto.message_type.add(name=name)
    message.field.extend(fields)
    return message


def _schema() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(
        name="tfhub/formats/saved_model_subset.proto", package=PACKAGE, syntax="proto3")
    data_type = proto.enum_type.add(name="DataType")
    for name, number in dtypes.enum_values():
        data_type.value.add(name=name, number=number)

    shape = _message(proto, "TensorShapeProto",
                     field("dim", 2, F.TYPE_MESSAGE, F.LABEL_REPEATED, f"{_P}.TensorShapeProto.Dim"),
                     field("unknown_rank", 3, F.TYPE_BOOL))
    shape.nested_type.add(name="Dim").field.extend([
        field("size", 1, F.TYPE_INT64), field("name", 2, F.TYPE_STRING)])

    tensor_info = _message(
        proto, "TensorInfo",
        field("name", 1, F.TYPE_STRING, oneof_index=0),
        field("coo_sparse", 4, F.TYPE_MESSAGE, type_name=f"{_P}.TensorInfo.CooSparse", oneof_index=0),
        field("composite_tensor", 5, F.TYPE_MESSAGE, type_name=f"{_P}.TensorInfo.CompositeTensor",
              oneof_index=0),
        field("dtype", 2, F.TYPE_ENUM, type_name=f"{_P}.DataType"),
        field("tensor_shape", 3, F.TYPE_MESSAGE, type_name=f"{_P}.TensorShapeProto"))
    tensor_info.oneof_decl.add(name="encoding")
    tensor_info.nested_type.add(name="CooSparse").field.extend([
        field("values_tensor_name", 1, F.TYPE_STRING), field("indices_tensor_name", 2, F.TYPE_STRING),
        field("dense_shape_tensor_name", 3, F.TYPE_STRING)])
    tensor_info.nested_type.add(name="CompositeTensor")  # type_spec and components: not read

    signature = _message(proto, "SignatureDef", field("method_name", 3, F.TYPE_STRING))
    add_map(signature, "inputs", 1, f"{_P}.TensorInfo", PACKAGE)
    add_map(signature, "outputs", 2, f"{_P}.TensorInfo", PACKAGE)

    _message(proto, "AssetFileDef",
             field("tensor_info", 1, F.TYPE_MESSAGE, type_name=f"{_P}.TensorInfo"),
             field("filename", 2, F.TYPE_STRING))
    _message(proto, "SavedObject")  # its contents are not read: only how many there are
    _message(proto, "SavedObjectGraph",
             field("nodes", 1, F.TYPE_MESSAGE, F.LABEL_REPEATED, f"{_P}.SavedObject"))

    meta_graph = _message(
        proto, "MetaGraphDef",
        field("meta_info_def", 1, F.TYPE_MESSAGE, type_name=f"{_P}.MetaGraphDef.MetaInfoDef"),
        field("asset_file_def", 6, F.TYPE_MESSAGE, F.LABEL_REPEATED, f"{_P}.AssetFileDef"),
        field("object_graph_def", 7, F.TYPE_MESSAGE, type_name=f"{_P}.SavedObjectGraph"))
    meta_graph.nested_type.add(name="MetaInfoDef").field.extend([
        field("meta_graph_version", 1, F.TYPE_STRING),
        field("tags", 4, F.TYPE_STRING, F.LABEL_REPEATED),
        field("tensorflow_version", 5, F.TYPE_STRING),
        field("tensorflow_git_version", 6, F.TYPE_STRING),
        field("stripped_default_attrs", 7, F.TYPE_BOOL)])
    add_map(meta_graph, "signature_def", 5, f"{_P}.SignatureDef", PACKAGE)

    _message(proto, "SavedModel",
             field("saved_model_schema_version", 1, F.TYPE_INT64),
             field("meta_graphs", 2, F.TYPE_MESSAGE, F.LABEL_REPEATED, f"{_P}.MetaGraphDef"))

    # tensor_bundle.proto: the values of a checkpoint's variables.index table.
    _message(proto, "BundleHeaderProto",
             field("num_shards", 1, F.TYPE_INT32), field("endianness", 2, F.TYPE_INT32))
    _message(proto, "TensorSliceProto")  # extents: not read, only whether a tensor is sliced
    _message(proto, "BundleEntryProto",
             field("dtype", 1, F.TYPE_ENUM, type_name=f"{_P}.DataType"),
             field("shape", 2, F.TYPE_MESSAGE, type_name=f"{_P}.TensorShapeProto"),
             field("shard_id", 3, F.TYPE_INT32),
             field("offset", 4, F.TYPE_INT64),
             field("size", 5, F.TYPE_INT64),
             field("crc32c", 6, F.TYPE_FIXED32),
             field("slices", 7, F.TYPE_MESSAGE, F.LABEL_REPEATED, f"{_P}.TensorSliceProto"))
    return proto


POOL.Add(_schema())

SavedModel = message_class(f"{PACKAGE}.SavedModel")
BundleHeaderProto = message_class(f"{PACKAGE}.BundleHeaderProto")
BundleEntryProto = message_class(f"{PACKAGE}.BundleEntryProto")

__all__ = ["BundleEntryProto", "BundleHeaderProto", "PACKAGE", "SavedModel"]
