"""Odd settings and handles give one clear TfHubError, never a raw Python or TensorFlow error.

Each case once escaped as ValueError, OverflowError, UnicodeEncodeError,
UnicodeDecodeError or TensorFlow's UnimplementedError. The CLI turns each
into one line on stderr.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import tfhub as hub
from tests.conftest import REPO_ROOT
from tests.reliability import hostile
from tests.support import tally
from tfhub import errors


@pytest.fixture
def model_url(http_server):
    return http_server.add("/m.tar.gz", body=hostile.tar_bytes(hostile.model_files(), compressed=True))


@pytest.mark.parametrize("name", ["TFHUB_HTTP_CONNECT_TIMEOUT", "TFHUB_HTTP_READ_TIMEOUT",
                                  "TFHUB_HTTP_RETRY_AFTER_MAX", "TFHUB_HTTP_LOW_SPEED_TIME"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "0", "-1", "ten", "\u0661"])
def test_bad_seconds_are_a_config_error(model_url, monkeypatch, name, value):
    tally.add("reliability: error contract")
    if name == "TFHUB_HTTP_RETRY_AFTER_MAX" and value == "0":
        pytest.skip("0 is a valid cap: never wait for Retry-After")
    monkeypatch.setenv(name, value)
    with pytest.raises(errors.ConfigError, match=name):
        hub.resolve(model_url)


@pytest.mark.parametrize("value", ["\u00b2", "\u0661", "1.5", "-1", "many", "9" * 5000])
def test_bad_retries_are_a_config_error(model_url, monkeypatch, value):
    tally.add("reliability: error contract")
    monkeypatch.setenv("TFHUB_HTTP_RETRIES", value)
    with pytest.raises(errors.ConfigError, match="TFHUB_HTTP_RETRIES"):
        hub.resolve(model_url)


@pytest.mark.parametrize("value", ["X-Token: caf\u00e9\u20ac", '{"X-Token": "\u2603"}', "Bad Name: x",
                                   '{"X-Token": "a\\r\\nX-Evil: 1"}'])
def test_headers_http_cannot_carry_are_a_config_error(model_url, monkeypatch, value):
    tally.add("reliability: error contract")
    monkeypatch.setenv("TFHUB_HTTP_HEADERS", value)
    with pytest.raises(errors.ConfigError, match="TFHUB_HTTP_HEADERS"):
        hub.resolve(model_url)


def test_latin1_header_values_still_work(model_url, monkeypatch, http_server):
    monkeypatch.setenv("TFHUB_HTTP_HEADERS", "X-Token: caf\u00e9")
    hub.resolve(model_url)
    assert http_server.gets("/m.tar.gz")[0].headers["X-Token"].encode("latin-1") == "caf\u00e9".encode("latin-1")


def test_a_pin_file_that_is_not_utf8_is_a_config_error(model_url, monkeypatch, tmp_path):
    tally.add("reliability: error contract")
    pins = tmp_path / "pins.txt"
    pins.write_bytes(b"\xff\xfe" + b"0" * 64 + b"  " + model_url.encode() + b"\n")
    monkeypatch.setenv("TFHUB_PIN_FILE", str(pins))
    with pytest.raises(errors.ConfigError, match="not UTF-8"):
        hub.resolve(model_url)


@pytest.mark.parametrize("handle", ["https://example.com/m/\udc80", "/tmp/model\ud800", "gs://b/\udfff.tar.gz"])
def test_a_handle_with_a_lone_surrogate_is_a_handle_error(handle):
    tally.add("reliability: error contract")
    with pytest.raises(errors.HandleError, match="surrogate"):
        hub.resolve(handle)


@pytest.mark.parametrize("handle", ["ftp://example.com/model", "ftp://example.com/model.tar.gz", "nosuchfs://x/y"])
def test_a_scheme_no_filesystem_reads_is_a_handle_error(handle):
    pytest.importorskip("tensorflow")
    tally.add("reliability: error contract")
    with pytest.raises(errors.HandleError, match="scheme"):
        hub.resolve(handle)


@pytest.mark.parametrize("argv, env", [
    (["download", "ftp://example.com/model"], {}),
    (["download", "https://127.0.0.1:9/m"], {"TFHUB_HTTP_READ_TIMEOUT": "nan"}),
    (["download", "https://127.0.0.1:9/m"], {"TFHUB_HTTP_HEADERS": "X-Token: \u2603"}),
])
def test_the_cli_prints_one_clear_line(argv, env, tmp_path):
    import os

    result = subprocess.run([sys.executable, "-m", "tfhub", *argv], capture_output=True, text=True, timeout=120,
                            cwd=str(REPO_ROOT), env={**os.environ, "PYTHONPATH": str(REPO_ROOT),
                                                     "TFHUB_CACHE_DIR": str(tmp_path / "c"), **env})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("tfhub: ")]
    assert lines[0].startswith("tfhub: error: ") and len(lines) == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
