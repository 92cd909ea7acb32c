"""The protocol buffers of the TF1 Hub format, built without protoc.

The descriptors are assembled in Python and registered in tfhub's private pool
(:mod:`tfhub.formats.proto_pool`), so they never clash with ``tensorflow_hub``'s
generated classes when both libraries are imported in one process. Package,
message names and field numbers are those of ``tensorflow_hub`` (package
``tensorflow_hub``, proto3), so the bytes written by one library are read by the
other.
"""

from __future__ import annotations

from typing import Any, Dict

from google.protobuf import descriptor_pb2

from tfhub.formats.proto_pool import POOL, F as _F, field as _field, message_class

PACKAGE = "tensorflow_hub"


def _module_def_file() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(
        name="tfhub/formats/module_def.proto", package=PACKAGE, syntax="proto3")
    message = proto.message_type.add(name="ModuleDef")
    enum = message.enum_type.add(name="Format")
    enum.value.add(name="FORMAT_UNSPECIFIED", number=0)
    enum.value.add(name="FORMAT_V3", number=3)
    message.field.extend([
        _field("format", 1, _F.TYPE_ENUM, type_name=f".{PACKAGE}.ModuleDef.Format"),
        _field("required_features", 2, _F.TYPE_STRING, label=_F.LABEL_REPEATED),
    ])
    return proto


def _module_attachment_file() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(
        name="tfhub/formats/module_attachment.proto", package=PACKAGE, syntax="proto3")
    message = proto.message_type.add(name="ModuleAttachment")
    message.field.extend([
        _field("key", 1, _F.TYPE_STRING),
        _field("value", 2, _F.TYPE_BYTES),
    ])
    return proto


def _image_module_info_file() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(
        name="tfhub/formats/image_module_info.proto", package=PACKAGE, syntax="proto3")
    message = proto.message_type.add(name="ImageModuleInfo")
    size = message.nested_type.add(name="InputSize")
    size.field.extend([
        _field("height", 1, _F.TYPE_INT32),
        _field("width", 2, _F.TYPE_INT32),
    ])
    message.reserved_range.add(start=3, end=4)
    message.field.append(_field(
        "default_image_size", 1, _F.TYPE_MESSAGE,
        type_name=f".{PACKAGE}.ImageModuleInfo.InputSize"))
    return proto


def _build_classes() -> Dict[str, Any]:
    classes = {}
    for file_proto in (_module_def_file(), _module_attachment_file(), _image_module_info_file()):
        POOL.Add(file_proto)
        for message in file_proto.message_type:
            classes[message.name] = message_class(f"{PACKAGE}.{message.name}")
    return classes


_CLASSES = _build_classes()

ModuleDef = _CLASSES["ModuleDef"]
ModuleAttachment = _CLASSES["ModuleAttachment"]
ImageModuleInfo = _CLASSES["ImageModuleInfo"]

__all__ = ["ImageModuleInfo", "ModuleAttachment", "ModuleDef", "PACKAGE"]
