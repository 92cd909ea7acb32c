"""Handles, pins, tfhub_module.pb and attachments from generated input: only our errors.

Handle functions must classify any string, and round-trip pins; protobuf
parsers fed corrupted bytes must raise tfhub's error, never a DecodeError or
a crash.
"""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.support import tally
from tfhub import errors
from tfhub.formats import module_def
from tfhub.formats.hub_protos import ModuleAttachment, ModuleDef
from tfhub.resolving import handles, integrity

_SCHEMES = st.sampled_from(["", "http://", "https://", "gs://", "file://", "C:\\", "hdfs://", "HTTPS://", "s3://"])
_HANDLES = st.builds(lambda scheme, rest: scheme + rest, _SCHEMES, st.text(max_size=60))


@given(_HANDLES)
@example("https://hub.tensorflow.google.cn/google/m/1")
@example("http://[::1")  # an invalid IPv6 literal
def test_handle_functions_accept_any_string(handle):
    tally.add("fuzz: handles")
    try:
        kind = handles.kind_of(handle)
    except errors.HandleError as exc:
        assert handle == "" or "not a valid URL" in str(exc)
        return
    except ValueError as exc:  # urlsplit's own complaint about a broken IPv6 host
        pytest.fail(f"kind_of({handle!r}) raised {exc!r}, not HandleError")
    base, pin = handles.split_pin(handle)
    assert (base + ("#sha256=" + pin if pin is not None else "")) == handle
    assert len(handles.cache_key(handle)) == 40
    if kind is handles.HandleKind.HTTP:
        url = handles.archive_url(handle)
        assert urllib.parse.urlsplit(url).scheme.lower() in ("http", "https")


@given(st.text(max_size=60), st.lists(st.tuples(st.text(max_size=20), st.text(max_size=20)), max_size=3))
def test_mirrored_replaces_only_a_matching_prefix(url, mirrors):
    tally.add("fuzz: handles")
    result = handles.mirrored(url, mirrors)
    matching = [(old, new) for old, new in mirrors if url.startswith(old)]
    assert result == (matching[0][1] + url[len(matching[0][0]):] if matching else url)


@given(st.text(max_size=80))
@example("sha256:" + "A" * 64)
def test_pins_normalize_or_raise_handle_error(text):
    tally.add("fuzz: pins")
    try:
        pin = integrity.normalize(text, "fuzz")
    except errors.HandleError:
        return
    assert len(pin) == 64 and set(pin) <= set("0123456789abcdef")


def _valid_module_def() -> bytes:
    return module_def.module_def_bytes()


@given(st.binary(max_size=200) | st.builds(lambda b, i, x: b[:i] + bytes([x]) + b[i + 1:],
                                            st.just(_valid_module_def()), st.integers(0, 3), st.integers(0, 255)))
@example(b"\x08")  # a field tag without its value
@example(b"\x12\xff\xff\xff\xff\x0f")  # a length far beyond the data
def test_module_def_bytes_give_a_module_def_or_our_error(data):
    tally.add("fuzz: protobuf messages")
    try:
        parsed = module_def.parse_module_def(data, "fuzz/tfhub_module.pb")
    except errors.ModuleDefError:
        return
    assert parsed.format == ModuleDef.FORMAT_V3


@given(st.binary(max_size=200))
@example(b"\n\xff")  # a key that claims 255 bytes
def test_attachments_of_corrupted_bytes_give_our_error(data):
    pytest.importorskip("tensorflow")
    from tensorflow.core.protobuf import meta_graph_pb2

    from tfhub.tf1 import saved_model_io

    tally.add("fuzz: protobuf messages")
    meta_graph = meta_graph_pb2.MetaGraphDef()
    meta_graph.collection_def[saved_model_io.ATTACHMENTS_COLLECTION].bytes_list.value.append(data)
    try:
        found = saved_model_io.attachments(meta_graph)
    except errors.TfHubError:
        return
    assert all(isinstance(key, str) for key in found)
    assert ModuleAttachment  # the message type the bytes were parsed as
