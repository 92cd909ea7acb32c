"""Settings, handles and HTTP header values from generated text: a value or tfhub's error.

Every ``TFHUB_*`` number, ``TFHUB_HTTP_HEADERS`` and the pin file must give a
usable value or a ConfigError; a ``Retry-After`` or ``Content-Range`` from a
server must give a bounded number or nothing, never an exception.
"""

from __future__ import annotations

import math
import os

import pytest
import requests
from hypothesis import example, given
from hypothesis import strategies as st

from tests.support import tally
from tfhub import config, errors
from tfhub.resolving import download, handles, http_session, integrity

_NUMBERS = st.one_of(
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.sampled_from(["nan", "inf", "1e400", "\u00b2", "\u0661", " 5 ", "9" * 5000, "0x10", "1_0"]),
)


@pytest.fixture
def setenv():
    """Sets variables for one generated example and restores them after."""
    saved = {}

    def set_one(name: str, value: str) -> None:
        saved.setdefault(name, os.environ.get(name))
        os.environ[name] = value

    yield set_one
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@given(value=_NUMBERS)
@example(value="1e400")
def test_numeric_settings_give_a_finite_value_or_config_error(setenv, value):
    tally.add("fuzz: settings")
    if "\0" in value:
        return  # the environment cannot hold NUL
    for name in (config.READ_TIMEOUT_ENV, config.CONNECT_TIMEOUT_ENV, config.RETRIES_ENV,
                 config.RETRY_AFTER_MAX_ENV, config.LOW_SPEED_LIMIT_ENV, config.LOW_SPEED_TIME_ENV):
        setenv(name, value)
    for read in (config.http_timeouts, config.http_retries, config.http_retry_after_max, config.http_low_speed):
        try:
            result = read()
        except errors.ConfigError:
            continue
        for number in result if isinstance(result, tuple) else (result,):
            assert math.isfinite(number) and 0 <= number <= 1e6


@given(value=st.one_of(st.text(max_size=40), st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3)
                       .map(lambda d: __import__("json").dumps(d))))
@example(value="X-Token: caf\u00e9\u20ac")
@example(value='{"A": "b\\r\\nC: d"}')
def test_header_settings_are_sendable_or_config_error(setenv, value):
    tally.add("fuzz: settings")
    if "\0" in value or not value.strip():
        return
    setenv(config.HEADERS_ENV, value)
    try:
        headers = config.http_headers()
    except errors.ConfigError:
        return
    prepared = requests.Request("GET", "http://127.0.0.1/", headers=headers).prepare()
    for name, header_value in headers.items():
        (name + ": " + header_value).encode("latin-1")
        assert prepared.headers[name] == header_value


@given(data=st.binary(max_size=200))
@example(data=b"\xff\xfe" + b"0" * 64 + b"  https://x/m\n")
def test_pin_files_give_a_pin_or_config_error(setenv, tmp_path_factory, data):
    tally.add("fuzz: settings")
    path = tmp_path_factory.mktemp("pins") / "pins.txt"
    path.write_bytes(data)
    setenv(config.PIN_FILE_ENV, str(path))
    try:
        integrity.pin_from_file("https://x/m")
    except (errors.ConfigError, errors.HandleError):
        pass


@given(value=st.one_of(st.text(max_size=30), st.integers(min_value=0, max_value=10**40).map(str)))
@example(value="21600")
@example(value="Fri, 31 Dec 9999 23:59:59 GMT")
def test_retry_after_is_capped_whatever_the_server_says(value):
    tally.add("fuzz: server headers")
    retry = type("_R", (http_session._CappedRetry,), {"cap": 2.5})(total=1)
    seconds = retry.parse_retry_after(value)
    assert 0 <= seconds <= 2.5


@given(value=st.text(max_size=60))
@example(value="bytes 0-99/100")
@example(value="bytes 99999999999999999999-1/2")
def test_content_range_parses_to_a_start_or_none(value):
    tally.add("fuzz: server headers")
    response = requests.Response()
    response.headers["Content-Range"] = value
    start = download._range_start(response)
    assert start is None or (isinstance(start, int) and start >= 0)


@given(handle=st.text(max_size=30))
@example(handle="https://x/\udc80")
def test_any_handle_text_is_classified_or_a_handle_error(handle):
    tally.add("fuzz: handles")
    try:
        handles.kind_of(handle)
    except errors.HandleError:
        return
    handles.cache_key(handle)
