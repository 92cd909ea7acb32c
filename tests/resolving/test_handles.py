"""Handle classification, URLs and cache keys."""

import hashlib

import pytest

from tfhub import errors
from tfhub.resolving import handles
from tfhub.resolving.handles import HandleKind


@pytest.mark.parametrize(
    "handle, kind",
    [
        ("/abs/model", HandleKind.LOCAL),
        ("relative/model", HandleKind.LOCAL),
        ("file:///abs/model", HandleKind.LOCAL),
        ("C:\\models\\m", HandleKind.LOCAL),
        ("https://tfhub.dev/google/nnlm-en-dim128/2", HandleKind.HTTP),
        ("HTTP://host/m.tar.gz", HandleKind.HTTP),
        ("gs://bucket/m.tar.gz", HandleKind.GFILE_ARCHIVE),
        ("gs://bucket/m.tgz", HandleKind.GFILE_ARCHIVE),
        ("gs://bucket/model", HandleKind.GFILE_DIRECTORY),
        ("ram://x/model", HandleKind.GFILE_DIRECTORY),
    ],
)
def test_kind_of(handle, kind):
    assert handles.kind_of(handle) is kind


def test_empty_handle_is_a_value_error():
    with pytest.raises(errors.HandleError, match="empty") as info:
        handles.kind_of("")
    assert isinstance(info.value, ValueError)


def test_format_query_is_appended_to_the_existing_query():
    assert (
        handles.archive_url("http://h/m1?foo=bar&tf-hub-format=x")
        == "http://h/m1?foo=bar&tf-hub-format=x&tf-hub-format=compressed"
    )
    assert handles.archive_url("https://tfhub.dev/a/b/1") == "https://tfhub.dev/a/b/1?tf-hub-format=compressed"
    assert handles.uncompressed_url("http://h/m") == "http://h/m?tf-hub-format=uncompressed"


def test_direct_archive_urls_are_fetched_as_given():
    assert handles.archive_url("http://h/models/m.tar.gz?sig=1") == "http://h/models/m.tar.gz?sig=1"


def test_china_mirror_maps_to_its_storage():
    assert (
        handles.archive_url("https://hub.tensorflow.google.cn/google/albert_base/1")
        == "https://gcs.tensorflow.google.cn/tfhub-modules/google/albert_base/1.tar.gz"
    )


def test_cache_key_is_sha1_of_the_raw_handle_like_tensorflow_hub():
    # The value tensorflow_hub was verified to use for this handle.
    assert handles.cache_key("http://127.0.0.1:38353/m1.tgz").startswith("bf5f6ce6")
    handle = "https://tfhub.dev/a/b/1/"
    assert handles.cache_key(handle) == hashlib.sha1(handle.encode()).hexdigest()
    assert handles.cache_key(handle) != handles.cache_key(handle.rstrip("/"))


def test_file_url_local_path():
    assert handles.local_path("file:///tmp/a%20b") == "/tmp/a b"
