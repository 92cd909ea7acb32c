"""The TF1 Hub format protos and tfhub_module.pb."""

from __future__ import annotations

import pytest

from tfhub import errors
from tfhub.formats import hub_protos
from tfhub.formats.module_def import module_def_bytes, parse_module_def, read_module_def


def test_module_def_v3_is_the_two_bytes_hub_writes():
    assert module_def_bytes() == b"\x08\x03"
    assert parse_module_def(b"\x08\x03", "x").format == hub_protos.ModuleDef.FORMAT_V3


def test_field_numbers_and_package_match_the_format():
    info = hub_protos.ImageModuleInfo.DESCRIPTOR
    assert info.full_name == "tensorflow_hub.ImageModuleInfo"
    size = info.fields_by_name["default_image_size"].message_type
    assert (size.fields_by_name["height"].number, size.fields_by_name["width"].number) == (1, 2)
    attachment = hub_protos.ModuleAttachment.DESCRIPTOR
    assert [(f.name, f.number) for f in attachment.fields] == [("key", 1), ("value", 2)]
    message = hub_protos.ImageModuleInfo()
    message.default_image_size.height = 224
    message.default_image_size.width = 192
    assert message.SerializeToString() == b"\n\x06\x08\xe0\x01\x10\xc0\x01"


def test_protos_interoperate_with_tensorflow_hub_when_installed():
    peer = pytest.importorskip("tensorflow_hub.image_module_info_pb2",
                               reason="tensorflow_hub's generated protos are not installed")
    theirs = peer.ImageModuleInfo()
    theirs.default_image_size.height = 7
    ours = hub_protos.ImageModuleInfo.FromString(theirs.SerializeToString())
    assert ours.default_image_size.height == 7


@pytest.mark.parametrize("data, match", [
    (b"\xff\xff\xff", "corrupted"),
    (b"\x08\x02", "Unsupported module def format: 2"),
    (b"\x08\x03\x12\x03foo", r"Unsupported features: \['foo'\]"),
])
def test_bad_module_def_is_a_module_def_error(tmp_path, data, match):
    (tmp_path / "tfhub_module.pb").write_bytes(data)
    with pytest.raises(errors.ModuleDefError, match=match) as info:
        read_module_def(str(tmp_path))
    assert isinstance(info.value, ValueError)


def test_missing_module_def_names_the_fix(tmp_path):
    with pytest.raises(errors.ModuleDefNotFoundError, match="hub.load"):
        read_module_def(str(tmp_path))
