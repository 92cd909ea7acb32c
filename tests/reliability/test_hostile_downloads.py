"""Servers on 127.0.0.1 that misbehave on purpose, against a real resolve.

* credentials (``~/.netrc`` via NETRC, ``TFHUB_HTTP_HEADERS``) redirected to
  another port, or from https down to http, are not sent there;
* endless bytes after a valid archive: the resolve ends, with the model;
* ``Retry-After: 21600`` and a 20 bytes/s drip: bounded waits;
* a body that changed between two requests with no validator, and a 206
  whose ``Content-Range`` starts at 0: never spliced;
* a ``Content-Length`` of non-ASCII digits: ignored, not a ValueError.

Waits that the old code made endless run in a subprocess with a timeout, so
a regression fails instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

import tfhub as hub
from tests.conftest import REPO_ROOT
from tests.reliability import hostile
from tests.reliability.procs import temp_leftovers
from tests.resolving.test_tls import certificate
from tests.support import tally
from tests.support.http_server import TestServer
from tfhub import errors

_SECRET = "wonderland"


@pytest.fixture
def other_server():
    """A second real server: another port of the same host."""
    server = TestServer().start()
    yield server
    server.stop()


@pytest.fixture
def netrc(tmp_path, monkeypatch):
    path = tmp_path / "netrc"
    path.write_text(f"machine 127.0.0.1 login alice password {_SECRET}\n")
    path.chmod(0o600)
    monkeypatch.setenv("NETRC", str(path))
    monkeypatch.setenv("TFHUB_HTTP_HEADERS", "X-Token: s3cret-token")
    return path


def _credentials(request) -> list:  # a recorded Request
    return [name for name in request.headers if name.lower() in ("authorization", "x-token")]


def test_credentials_are_not_sent_to_another_port_after_a_redirect(http_server, other_server, netrc):
    tally.add("reliability: hostile servers")
    files = hostile.model_files()
    target = other_server.add("/m.tar.gz", body=hostile.tar_bytes(files, compressed=True))
    url = http_server.add("/m", status=302, location=target)
    assert hostile.read_entry(hub.resolve(url)) == files
    (asked,) = http_server.gets("/m")
    assert sorted(name.lower() for name in _credentials(asked)) == ["authorization", "x-token"]
    (redirected,) = other_server.gets("/m.tar.gz")
    assert _credentials(redirected) == [], redirected.headers


def test_credentials_never_go_over_plain_http_after_an_https_url(certificate, other_server, netrc, monkeypatch):
    tally.add("reliability: hostile servers")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certificate[0])
    https = TestServer(*certificate).start()
    try:
        files = hostile.model_files()
        target = other_server.add("/m.tar.gz", body=hostile.tar_bytes(files, compressed=True))
        assert target.startswith("http://127.0.0.1:")
        url = https.add("/m", status=302, location=target)
        assert url.startswith("https://127.0.0.1:")
        assert hostile.read_entry(hub.resolve(url)) == files
        (asked,) = https.gets("/m")
        assert len(_credentials(asked)) == 2
        (downgraded,) = other_server.gets("/m.tar.gz")
        assert _credentials(downgraded) == [], downgraded.headers
    finally:
        https.stop()


def test_credentials_follow_a_redirect_on_the_same_origin(http_server, netrc):
    files = hostile.model_files()
    target = http_server.add("/storage/m.tar.gz", body=hostile.tar_bytes(files, compressed=True))
    url = http_server.add("/m", status=302, location=target)
    assert hostile.read_entry(hub.resolve(url)) == files
    (fetched,) = http_server.gets("/storage/m.tar.gz")
    assert sorted(name.lower() for name in _credentials(fetched)) == ["authorization", "x-token"]


def _resolve_in_subprocess(url: str, cache_dir, timeout: float, **env: str) -> tuple:
    """(seconds, returncode, stdout, stderr) of a real process resolving ``url``."""
    script = ("import logging, sys, tfhub\nlogging.basicConfig()\ntry:\n    print(tfhub.resolve(sys.argv[1]))\n"
              "except tfhub.errors.TfHubError as exc:\n    print('error', type(exc).__name__, exc)\n")
    full_env = dict(os.environ, TFHUB_CACHE_DIR=str(cache_dir), PYTHONPATH=str(REPO_ROOT), **env)
    start = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", script, url], env=full_env, cwd=str(REPO_ROOT),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"resolving {url} still ran after {timeout} s")
    return time.monotonic() - start, process.returncode, out, err


@pytest.mark.parametrize("compressed", [False, True], ids=["tar", "tar.gz"])
def test_endless_bytes_after_a_valid_archive_end_the_resolve(http_server, cache_dir, compressed):
    tally.add("reliability: hostile servers")
    files = hostile.model_files()
    url = http_server.add("/m.tar.gz" if compressed else "/m.tar",
                          body=hostile.tar_bytes(files, compressed), endless_after=25.0)
    seconds, code, out, err = _resolve_in_subprocess(url, cache_dir, timeout=24)
    assert code == 0 and not out.startswith("error"), out + err[-2000:]
    assert hostile.read_entry(out.strip()) == files
    assert "after the end of its tar archive" in err
    # Well under the 25 s of endless bytes (a resolve that reads them fails here); the margin
    # over the ~1 s it takes is for a busy machine running two test workers.
    assert seconds < 18, f"took {seconds:.1f} s"
    assert temp_leftovers(cache_dir) == []


def test_retry_after_is_capped(http_server, cache_dir):
    tally.add("reliability: hostile servers")
    url = http_server.add("/m.tar.gz", status=503, headers={"Retry-After": "21600"})
    seconds, code, out, err = _resolve_in_subprocess(
        url, cache_dir, timeout=30, TFHUB_HTTP_RETRIES="2", TFHUB_HTTP_RETRY_AFTER_MAX="1")
    assert out.startswith("error DownloadError") and "503" in out, out + err[-2000:]
    assert seconds < 15, f"took {seconds:.1f} s"
    assert len(http_server.gets("/m.tar.gz")) == 3


def test_retry_after_has_a_default_cap():
    from tfhub import config

    assert 0 < config.http_retry_after_max() <= 60


def test_a_drip_below_the_low_speed_limit_fails_in_bounded_time(http_server, cache_dir):
    tally.add("reliability: hostile servers")
    body = hostile.tar_bytes(hostile.model_files(), compressed=True)
    url = http_server.add("/m.tar.gz", body=body, chunk=1, chunk_delay=0.05)  # ~20 bytes/s
    seconds, code, out, err = _resolve_in_subprocess(
        url, cache_dir, timeout=40, TFHUB_HTTP_RETRIES="1",
        TFHUB_HTTP_LOW_SPEED_LIMIT="1000", TFHUB_HTTP_LOW_SPEED_TIME="1.5")
    assert out.startswith("error DownloadError"), out + err[-2000:]
    assert "TFHUB_HTTP_LOW_SPEED_LIMIT" in out
    assert seconds < 20, f"took {seconds:.1f} s"
    assert len(http_server.gets("/m.tar.gz")) == 2  # the first try and one resume
    assert temp_leftovers(cache_dir) == []


def test_a_fast_download_is_not_hit_by_the_low_speed_rule(http_server, monkeypatch):
    monkeypatch.setenv("TFHUB_HTTP_LOW_SPEED_LIMIT", "1000")
    monkeypatch.setenv("TFHUB_HTTP_LOW_SPEED_TIME", "0.2")
    files = hostile.model_files(size=2_000_000)
    url = http_server.add("/m.tar", body=hostile.tar_bytes(files), chunk=64 * 1024, chunk_delay=0.02)
    assert hostile.read_entry(hub.resolve(url)) == files


def test_a_changed_body_without_validator_is_never_spliced(http_server, cache_dir):
    tally.add("reliability: hostile servers")
    old, new = hostile.model_files(seed=1), hostile.model_files(seed=2)
    old_tar, new_tar = hostile.tar_bytes(old), hostile.tar_bytes(new)
    assert len(old_tar) == len(new_tar)
    url = http_server.add("/m.tar", body=old_tar, later_body=new_tar, etag=None,
                          truncate_at=len(old_tar) // 2, faulty_requests=1)
    try:
        path = hub.resolve(url)
    except errors.DownloadError as exc:
        assert "changed on the server" in str(exc)
        assert temp_leftovers(cache_dir) == []
        assert not [p for p in cache_dir.iterdir() if len(p.name) == 40]
    else:
        assert hostile.read_entry(path) in (old, new), "the entry mixes two versions of the model"
    second = http_server.gets("/m.tar")[1]
    assert "Range" not in second.headers  # no validator: no Range


def test_a_body_without_validator_that_did_not_change_is_continued(http_server):
    files = hostile.model_files()
    body = hostile.tar_bytes(files)
    url = http_server.add("/m.tar", body=body, etag=None, truncate_at=len(body) // 2, faulty_requests=1)
    assert hostile.read_entry(hub.resolve(url)) == files
    assert len(http_server.gets("/m.tar")) == 2


def test_a_206_starting_at_zero_is_not_appended(http_server):
    tally.add("reliability: hostile servers")
    files = hostile.model_files()
    body = hostile.tar_bytes(files)
    url = http_server.add("/m.tar", body=body, range_from_zero=True, truncate_at=len(body) // 2, faulty_requests=1)
    assert hostile.read_entry(hub.resolve(url)) == files
    ranged = [r for r in http_server.gets("/m.tar") if "Range" in r.headers]
    assert ranged and ranged[0].headers["If-Range"]


def test_a_changed_body_with_a_new_etag_is_not_spliced(http_server, cache_dir):
    old, new = hostile.model_files(seed=1), hostile.model_files(seed=2)
    old_tar, new_tar = hostile.tar_bytes(old), hostile.tar_bytes(new)
    url = http_server.add("/m.tar", body=old_tar, later_body=new_tar, truncate_at=len(old_tar) // 2, faulty_requests=1)
    with pytest.raises(errors.DownloadError, match="changed on the server"):
        hub.resolve(url)
    assert temp_leftovers(cache_dir) == []


@pytest.mark.parametrize("length", ["\u00b9\u00b2\u00b3", "1\u00b2", "\u00b2\u00b2\u00b2\u00b2"])
def test_a_content_length_of_strange_digits_is_ignored(http_server, length):
    tally.add("reliability: hostile servers")
    files = hostile.model_files()
    url = http_server.add("/m.tar.gz", body=hostile.tar_bytes(files, compressed=True), send_length=False,
                          headers={"Content-Length": length})
    assert hostile.read_entry(hub.resolve(url)) == files
