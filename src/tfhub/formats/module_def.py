"""Reading and writing ``tfhub_module.pb``, the marker file of the TF1 Hub format."""

from __future__ import annotations

import os

from google.protobuf import message as protobuf_message

from tfhub import errors
from tfhub.formats.detect import MODULE_DEF_FILENAME
from tfhub.formats.hub_protos import ModuleDef

SUPPORTED_FEATURES: frozenset = frozenset()


def module_def_path(module_dir: str) -> str:
    """The path of ``tfhub_module.pb`` inside ``module_dir``."""
    return os.path.join(module_dir, MODULE_DEF_FILENAME)


def parse_module_def(data: bytes, where: str) -> "ModuleDef":
    """Parses and validates the bytes of a ``tfhub_module.pb``.

    Args:
        data: the file's bytes.
        where: the file's path, for messages.

    Returns:
        The ``ModuleDef`` message.

    Raises:
        ModuleDefError: the bytes are not a ModuleDef, the format is not
            FORMAT_V3, or the module requires features tfhub does not know.
    """
    module_def = ModuleDef()
    try:
        module_def.ParseFromString(data)
    except protobuf_message.DecodeError as exc:
        raise errors.ModuleDefError(
            f"{where} is corrupted: it does not parse as a tensorflow_hub.ModuleDef "
            f"({exc}). Download or export the module again.") from exc
    if module_def.format != ModuleDef.FORMAT_V3:
        raise errors.ModuleDefError(
            f"Unsupported module def format: {module_def.format!r} in {where}; "
            "tfhub reads FORMAT_V3 (3), the only TF1 Hub format ever published. "
            "The file may be corrupted: download or export the module again.")
    unsupported = sorted(set(module_def.required_features) - SUPPORTED_FEATURES)
    if unsupported:
        raise errors.ModuleDefError(
            f"Unsupported features: {unsupported} required by {where}; "
            "this module needs a newer library than tfhub knows of.")
    return module_def


def read_module_def(module_dir: str) -> "ModuleDef":
    """Reads and validates ``<module_dir>/tfhub_module.pb``.

    Raises:
        ModuleDefNotFoundError: the file does not exist (also a tf.errors.NotFoundError).
        ModuleDefError: see :func:`parse_module_def`.
    """
    from tfhub._tf import tensorflow  # gfile reads local and remote paths

    path = module_def_path(module_dir)
    gfile = tensorflow().io.gfile
    if not gfile.exists(path):
        raise errors.also_tf_error(errors.ModuleDefNotFoundError(  # tensorflow_hub: gfile's
            f"{module_dir!r} is not a TF1 Hub format module: it has no {MODULE_DEF_FILENAME}. "
            "For a TF2 SavedModel use hub.load() or hub.KerasLayer()."),
            tensorflow().errors.NotFoundError)
    with gfile.GFile(path, "rb") as f:
        return parse_module_def(f.read(), path)


def module_def_bytes() -> bytes:
    """The bytes of the ``tfhub_module.pb`` tfhub writes (FORMAT_V3)."""
    return ModuleDef(format=ModuleDef.FORMAT_V3).SerializeToString()
