"""HTTPS on 127.0.0.1 with a self-signed certificate: validation on, CA bundles, and off."""

import os
import shutil
import subprocess

import pytest

import tfhub as hub
from tfhub import errors
from tests.conftest import pack_bytes
from tests.support.http_server import TestServer


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return str(cert), str(key)


@pytest.fixture
def https_server(certificate, tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "saved_model.pb").write_bytes(os.urandom(1000))
    server = TestServer(*certificate).start()
    server.add("/m", body=pack_bytes(tmp_path / "m"))
    yield server
    server.stop()


def test_an_untrusted_certificate_is_refused(https_server, cache_dir, monkeypatch):
    monkeypatch.setenv("TFHUB_HTTP_RETRIES", "0")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    with pytest.raises(errors.DownloadError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
        hub.resolve(https_server.url("/m"))
    assert [p.name for p in cache_dir.iterdir() if p.name != ".locks"] == []


def test_a_ca_bundle_from_the_environment_is_trusted(https_server, certificate, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certificate[0])
    assert os.path.isdir(hub.resolve(https_server.url("/m")))


@pytest.mark.parametrize("value, works", [("true", True), ("TRUE", False), ("", False)])
def test_disable_cert_validation_only_for_exactly_true(https_server, monkeypatch, value, works):
    monkeypatch.setenv("TFHUB_HTTP_RETRIES", "0")
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.setenv("TFHUB_DISABLE_CERT_VALIDATION", value)
    if works:
        assert os.path.isdir(hub.resolve(https_server.url("/m")))
    else:
        with pytest.raises(errors.DownloadError):
            hub.resolve(https_server.url("/m"))
