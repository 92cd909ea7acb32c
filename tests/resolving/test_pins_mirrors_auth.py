"""SHA-256 pins, mirrors, extra headers and netrc, over real HTTP."""

import base64
import hashlib
import logging
import os
from pathlib import Path

import pytest

import tfhub as hub
from tfhub import errors
from tfhub.resolving import handles
from tests.conftest import pack_bytes


@pytest.fixture(scope="module")
def model_archive(tmp_path_factory) -> bytes:
    root = tmp_path_factory.mktemp("model")
    (root / "saved_model.pb").write_bytes(os.urandom(50_000))
    return pack_bytes(root)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _leftovers(cache: Path) -> list:
    return sorted(p.name for p in cache.iterdir() if p.name != ".locks") if cache.exists() else []


def test_pin_by_argument_is_verified_and_recorded(http_server, cache_dir, model_archive):
    url = http_server.add("/m", body=model_archive)
    path = hub.resolve(url, sha256=_sha(model_archive).upper())
    descriptor = (cache_dir / (Path(path).name + ".descriptor.txt")).read_text()
    assert f"Archive-SHA256: {_sha(model_archive)}" in descriptor
    assert hub.resolve(url, sha256=_sha(model_archive)) == path
    assert len(http_server.gets()) == 1


def test_pin_mismatch_leaves_nothing(http_server, cache_dir, model_archive):
    url = http_server.add("/m", body=model_archive)
    with pytest.raises(errors.IntegrityError, match="pinned to " + "0" * 64) as info:
        hub.resolve(url, sha256="0" * 64)
    assert isinstance(info.value, OSError)
    assert _leftovers(cache_dir) == []


def test_pin_in_the_handle_fragment_shares_the_unpinned_entry(http_server, model_archive):
    url = http_server.add("/m", body=model_archive)
    pinned = hub.resolve(f"{url}#sha256={_sha(model_archive)}")
    assert Path(pinned).name == handles.cache_key(url)
    assert hub.resolve(url) == pinned
    assert http_server.gets()[0].query == [("tf-hub-format", "compressed")]  # no fragment sent
    with pytest.raises(errors.IntegrityError):
        hub.resolve(f"{url}#sha256={'1' * 64}")


def test_pin_file(http_server, tmp_path, monkeypatch, model_archive):
    url = http_server.add("/m", body=model_archive)
    pins = tmp_path / "pins.txt"
    pins.write_text(f"# pins\n{'2' * 64}  {url}\n")
    monkeypatch.setenv("TFHUB_PIN_FILE", str(pins))
    with pytest.raises(errors.IntegrityError):
        hub.resolve(url)
    pins.write_text(f"{_sha(model_archive)}  {url}\n")
    assert Path(hub.resolve(url)).is_dir()


def test_a_cached_entry_not_verified_is_fetched_again_for_a_pin(http_server, model_archive):
    url = http_server.add("/m", body=model_archive)
    hub.resolve(url)
    from tfhub.resolving.cache import Cache
    from tfhub import config

    entry = Cache(config.cache_dir()).entry(url)
    descriptor = Path(entry.descriptor_path)
    text = descriptor.read_text()
    descriptor.write_text("\n".join(l for l in text.splitlines() if not l.startswith("Archive-SHA256")))
    hub.resolve(url, sha256=_sha(model_archive))
    assert len(http_server.gets()) == 2


@pytest.mark.parametrize("pin", ["abc", "z" * 64, "sha512:" + "0" * 64])
def test_malformed_pins(http_server, pin):
    with pytest.raises(errors.HandleError, match="64 hex digits"):
        hub.resolve(http_server.url("/m"), sha256=pin)


def test_pin_on_a_local_directory_is_refused(tmp_path):
    with pytest.raises(errors.HandleError, match="read in place"):
        hub.resolve(str(tmp_path), sha256="0" * 64)


def test_mirror_rewrites_the_url_but_not_the_cache_key(http_server, cache_dir, monkeypatch, model_archive):
    http_server.add("/mirror/google/model/1", body=model_archive)
    monkeypatch.setenv("TFHUB_MIRROR", f"https://example.invalid=http://127.0.0.1:1/unused, https://tfhub.dev={http_server.url('/mirror')}")
    handle = "https://tfhub.dev/google/model/1"
    path = hub.resolve(handle)
    assert Path(path).name == hashlib.sha1(handle.encode()).hexdigest()
    (request,) = http_server.gets()
    assert request.path == "/mirror/google/model/1" and request.query == [("tf-hub-format", "compressed")]


def test_bad_mirror_setting(monkeypatch):
    monkeypatch.setenv("TFHUB_MIRROR", "https://tfhub.dev")
    with pytest.raises(errors.ConfigError, match="ORIGINAL_PREFIX=MIRROR_PREFIX"):
        hub.resolve("https://tfhub.dev/a/b/1")


def test_headers_go_to_the_host_only_and_are_never_logged(http_server, monkeypatch, caplog, model_archive):
    secret = "Bearer s3cret-token"
    other_host = f"http://localhost:{http_server.port}/storage/m.tar.gz"  # another host name
    http_server.add("/storage/m.tar.gz", body=model_archive)
    url = http_server.add("/m", status=302, location=other_host)
    monkeypatch.setenv("TFHUB_HTTP_HEADERS", f"Authorization: {secret}\nX-Team: vision")
    with caplog.at_level(logging.DEBUG):
        hub.resolve(url)
    first, second = http_server.gets()
    assert first.headers["Authorization"] == secret and first.headers["X-Team"] == "vision"
    assert "Authorization" not in second.headers and "X-Team" not in second.headers
    assert "s3cret" not in caplog.text


def test_headers_as_json(http_server, monkeypatch, model_archive):
    monkeypatch.setenv("TFHUB_HTTP_HEADERS", '{"X-Api-Key": "k1"}')
    hub.resolve(http_server.add("/m", body=model_archive))
    assert http_server.gets()[0].headers["X-Api-Key"] == "k1"
    monkeypatch.setenv("TFHUB_HTTP_HEADERS", "no colon here")
    with pytest.raises(errors.ConfigError, match="Name: value"):
        hub.resolve(http_server.url("/other"))


def test_netrc_credentials(http_server, tmp_path, monkeypatch, model_archive):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password wonderland\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    hub.resolve(http_server.add("/m", body=model_archive))
    expected = "Basic " + base64.b64encode(b"alice:wonderland").decode()
    assert http_server.gets()[0].headers["Authorization"] == expected
