"""hub.resolve over real HTTP on 127.0.0.1: caching, faults, and what is left behind."""

import hashlib
import logging
import os
from pathlib import Path

import pytest
import requests

import tfhub as hub
from tfhub import errors
from tfhub.resolving import download
from tests.conftest import pack_bytes

FILES = {"saved_model.pb": os.urandom(300_000), "variables/variables.index": b"index", "assets/vocab.txt": b"a\nb\n"}


@pytest.fixture(scope="module")
def model_archive(tmp_path_factory) -> bytes:
    """A model-shaped directory (resolving does not look inside) as tar.gz."""
    root = tmp_path_factory.mktemp("model")
    for name, data in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return pack_bytes(root)


def assert_model(path: str) -> None:
    for name, data in FILES.items():
        assert (Path(path) / name).read_bytes() == data


def cache_leftovers(cache: Path) -> list:
    """Everything in the cache but the lock directory."""
    return sorted(p.name for p in cache.iterdir() if p.name != ".locks") if cache.exists() else []


def test_download_caches_under_sha1_of_the_handle(http_server, cache_dir, model_archive):
    url = http_server.add("/google/model/1", body=model_archive)
    path = hub.resolve(url)
    assert path == str(cache_dir / hashlib.sha1(url.encode()).hexdigest())
    assert_model(path)
    (request,) = http_server.gets()
    assert request.query == [("tf-hub-format", "compressed")]
    assert request.headers["User-Agent"].startswith("tfhub/")
    descriptor = (cache_dir / (Path(path).name + ".descriptor.txt")).read_text()
    assert descriptor.startswith(f"Module: {url}\nDownload Time: ")
    assert "Downloader Hostname: " in descriptor and '"saved_model.pb": 300000' in descriptor
    assert hub.resolve(url) == path  # warm: no second request
    assert len(http_server.gets()) == 1
    assert cache_leftovers(cache_dir) == sorted([Path(path).name, Path(path).name + ".descriptor.txt"])


def test_existing_query_is_kept(http_server, model_archive):
    url = http_server.add("/m", body=model_archive) + "?foo=bar"
    assert_model(hub.resolve(url))
    assert http_server.gets()[0].query == [("foo", "bar"), ("tf-hub-format", "compressed")]


def test_redirects_are_followed(http_server, model_archive):
    target = http_server.add("/storage/m.tar.gz", body=model_archive)
    url = http_server.add("/m", status=302, location=target)
    assert_model(hub.resolve(url))
    assert [r.path for r in http_server.gets()] == ["/m", "/storage/m.tar.gz"]


@pytest.mark.parametrize("status", [404, 403, 500])
def test_http_errors_leave_nothing(http_server, cache_dir, monkeypatch, status):
    monkeypatch.setenv("TFHUB_HTTP_RETRIES", "2")
    url = http_server.add("/m", status=status, body=b"nope")
    with pytest.raises(errors.DownloadError, match=f"HTTP {status}") as info:
        hub.resolve(url)
    assert isinstance(info.value, OSError) and info.value.status == status
    assert cache_leftovers(cache_dir) == []
    assert len(http_server.gets()) == (3 if status == 500 else 1)  # 5xx are retried


def test_403_from_tfhub_dev_explains_the_move_to_kaggle():
    response = requests.Response()
    response.status_code, response.reason = 403, "Forbidden"
    error = download.status_error("https://tfhub.dev/google/x/1", "https://tfhub.dev/google/x/1?tf-hub-format=compressed", response)
    assert "Kaggle Models" in str(error) and error.status == 403


def test_a_web_page_is_a_clear_error(http_server, cache_dir):
    url = http_server.add("/m", body=b"<html>catalog</html>", headers={"Content-Type": "text/html; charset=utf-8"})
    with pytest.raises(errors.DownloadError, match="answered a web page, not a model archive"):
        hub.resolve(url)
    assert cache_leftovers(cache_dir) == []


def test_body_that_is_not_an_archive(http_server, cache_dir):
    url = http_server.add("/m", body=b"<html>a login page</html>" * 50)
    with pytest.raises(errors.ArchiveError, match="does not appear to be a valid module"):
        hub.resolve(url)
    assert cache_leftovers(cache_dir) == []


def test_interrupted_download_resumes_with_range(http_server, model_archive):
    url = http_server.add("/m", body=model_archive, truncate_at=len(model_archive) // 3, faulty_requests=1)
    assert_model(hub.resolve(url))
    first, second = http_server.gets()
    assert "Range" not in first.headers
    assert second.headers["Range"] == f"bytes={len(model_archive) // 3}-"


def test_interrupted_download_without_range_support_skips_what_it_had(http_server, model_archive):
    url = http_server.add("/m", body=model_archive, truncate_at=1000, faulty_requests=1, ranges=False)
    assert_model(hub.resolve(url))
    assert len(http_server.gets()) == 2


def test_a_stream_that_keeps_breaking_fails_cleanly(http_server, cache_dir, monkeypatch, model_archive):
    monkeypatch.setenv("TFHUB_HTTP_RETRIES", "2")
    url = http_server.add("/m", body=model_archive, truncate_at=len(model_archive) // 2, ranges=False)
    with pytest.raises(errors.DownloadError, match="after"):
        hub.resolve(url)
    assert cache_leftovers(cache_dir) == []


def test_truncated_body_without_length_is_a_clear_archive_error(http_server, cache_dir, model_archive):
    url = http_server.add("/m", body=model_archive, truncate_at=len(model_archive) // 2, send_length=False, ranges=False)
    with pytest.raises(errors.ArchiveError):
        hub.resolve(url)
    assert cache_leftovers(cache_dir) == []


def test_a_stalled_server_times_out_then_resumes(http_server, monkeypatch, model_archive):
    monkeypatch.setenv("TFHUB_HTTP_READ_TIMEOUT", "0.5")
    url = http_server.add("/m", body=model_archive, stall_after=5000, stall_seconds=3, faulty_requests=1)
    assert_model(hub.resolve(url))
    assert http_server.gets()[1].headers["Range"].startswith("bytes=")


def test_a_server_that_always_stalls_fails_cleanly(http_server, cache_dir, monkeypatch, model_archive):
    monkeypatch.setenv("TFHUB_HTTP_READ_TIMEOUT", "0.3")
    monkeypatch.setenv("TFHUB_HTTP_RETRIES", "1")
    url = http_server.add("/m", body=model_archive, stall_after=5000, stall_seconds=2)
    with pytest.raises(errors.DownloadError, match="read timeout"):
        hub.resolve(url)
    assert cache_leftovers(cache_dir) == []


def test_unsafe_archive_leaves_nothing(http_server, cache_dir):
    import io
    import tarfile

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        info = tarfile.TarInfo("../../evil")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    url = http_server.add("/m", body=raw.getvalue())
    with pytest.raises(errors.UnsafeArchiveError):
        hub.resolve(url)
    assert cache_leftovers(cache_dir) == []
    assert not (cache_dir.parent / "evil").exists()


def test_broken_entry_is_detected_and_downloaded_again(http_server, model_archive, caplog):
    url = http_server.add("/m", body=model_archive)
    path = Path(hub.resolve(url))
    (path / "saved_model.pb").write_bytes(b"truncated")  # a temp cleaner's work
    with caplog.at_level(logging.WARNING, logger="tfhub"):
        assert hub.resolve(url) == str(path)
    assert "incomplete" in caplog.text and "saved_model.pb" in caplog.text
    assert_model(str(path))
    assert len(http_server.gets()) == 2


def test_emptied_entry_is_downloaded_again(http_server, model_archive):
    url = http_server.add("/m", body=model_archive)
    path = Path(hub.resolve(url))
    for child in sorted(path.rglob("*"), reverse=True):
        child.unlink() if child.is_file() else child.rmdir()
    assert_model(hub.resolve(url))
    assert len(http_server.gets()) == 2


def test_entry_written_by_tensorflow_hub_is_used_as_is(http_server, cache_dir):
    url = http_server.add("/m", body=b"never fetched")
    key = hashlib.sha1(url.encode()).hexdigest()
    (cache_dir / key).mkdir(parents=True)
    (cache_dir / key / "saved_model.pb").write_bytes(b"theirs")
    (cache_dir / (key + ".descriptor.txt")).write_text(f"Module: {url}\nDownload Time: x\nDownloader Hostname: h (PID:1)")
    assert hub.resolve(url) == str(cache_dir / key)
    assert http_server.gets() == []


def test_offline_mode(http_server, cache_dir, monkeypatch, model_archive):
    url = http_server.add("/m", body=model_archive)
    monkeypatch.setenv("TFHUB_OFFLINE", "1")
    with pytest.raises(errors.OfflineCacheMissError, match=str(cache_dir)) as info:
        hub.resolve(url)
    assert isinstance(info.value, FileNotFoundError) and url in str(info.value)
    assert http_server.gets() == []
    monkeypatch.delenv("TFHUB_OFFLINE")
    path = hub.resolve(url)
    monkeypatch.setenv("TFHUB_OFFLINE", "true")
    assert hub.resolve(url) == path
    assert len(http_server.gets()) == 1


def test_bogus_load_format_is_a_clear_error(http_server, monkeypatch):
    monkeypatch.setenv("TFHUB_MODEL_LOAD_FORMAT", "BOGUS")
    with pytest.raises(errors.ConfigError, match="TFHUB_MODEL_LOAD_FORMAT='BOGUS'.*AUTO, COMPRESSED, UNCOMPRESSED"):
        hub.resolve(http_server.url("/m"))


def test_uncompressed_format_wants_a_303(http_server, monkeypatch):
    monkeypatch.setenv("TFHUB_MODEL_LOAD_FORMAT", "UNCOMPRESSED")
    url = http_server.add("/m", body=b"model bytes")
    with pytest.raises(errors.ProtocolError, match="Expected 303 See other HTTP response but received code 200"):
        hub.resolve(url)
    assert http_server.gets()[0].query == [("tf-hub-format", "uncompressed")]
    url = http_server.add("/n", status=303, body=b"https://elsewhere/model")
    with pytest.raises(errors.ProtocolError, match="Expected server to return a GCS location"):
        hub.resolve(url)


def test_unwritable_cache_directory(http_server, tmp_path, monkeypatch, model_archive):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TFHUB_CACHE_DIR", str(blocker / "cache"))
    url = http_server.add("/m", body=model_archive)
    with pytest.raises(errors.CacheError, match="TFHUB_CACHE_DIR") as info:
        hub.resolve(url)
    assert isinstance(info.value, OSError)
    assert http_server.gets() == []


def test_progress_bar_counts_network_bytes(http_server, monkeypatch, capfd, model_archive):
    monkeypatch.setenv("TFHUB_DOWNLOAD_PROGRESS", "1")
    url = http_server.add("/m", body=model_archive)
    hub.resolve(url)
    err = capfd.readouterr().err
    assert "Downloading" in err and "100%" in err


def test_local_paths_and_file_urls(tmp_path):
    assert hub.resolve(str(tmp_path)) == str(tmp_path)
    assert hub.resolve("file://" + str(tmp_path)) == str(tmp_path)
    with pytest.raises(errors.HandleNotFoundError, match="does not exist") as info:
        hub.resolve(str(tmp_path / "missing"))
    assert isinstance(info.value, OSError)
    with pytest.raises(ValueError):
        hub.resolve(42)
