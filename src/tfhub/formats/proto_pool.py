"""tfhub's private protobuf pool, and the few helpers that build messages in it.

Messages are assembled from descriptors in Python (no protoc, no generated
modules) and registered in a private
:class:`~google.protobuf.descriptor_pool.DescriptorPool`, so they never clash
with the classes TensorFlow or ``tensorflow_hub`` put in the default pool when
those are imported in the same process.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto

POOL = descriptor_pool.DescriptorPool()


def field(name: str, number: int, kind: int, label: int = F.LABEL_OPTIONAL,
          type_name: str = "", oneof_index: int = -1) -> descriptor_pb2.FieldDescriptorProto:
    """A field; ``type_name`` is the full name (with a leading dot) of a message or enum."""
    result = F(name=name, number=number, type=kind, label=label)
    if type_name:
        result.type_name = type_name
    if oneof_index >= 0:
        result.oneof_index = oneof_index
    return result


def add_map(message: descriptor_pb2.DescriptorProto, name: str, number: int, value_type: str,
            package: str) -> None:
    """Adds ``map<string, value_type> name = number`` (a repeated nested *Entry message)."""
    entry_name = "".join(part.capitalize() for part in name.split("_")) + "Entry"
    entry = message.nested_type.add(name=entry_name)
    entry.options.map_entry = True
    entry.field.extend([field("key", 1, F.TYPE_STRING),
                        field("value", 2, F.TYPE_MESSAGE, type_name=value_type)])
    message.field.append(field(name, number, F.TYPE_MESSAGE, F.LABEL_REPEATED,
                               type_name=f".{package}.{message.name}.{entry_name}"))


def message_class(full_name: str) -> Any:
    """The Python class of message ``full_name`` in :data:`POOL`."""
    descriptor = POOL.FindMessageTypeByName(full_name)
    get_class = getattr(message_factory, "GetMessageClass", None)
    if get_class is not None:  # protobuf >= 4.21
        return get_class(descriptor)
    return message_factory.MessageFactory(POOL).GetPrototype(descriptor)  # pragma: no cover
