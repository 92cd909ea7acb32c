"""A download's settings are read once (issue #18): its sessions use the snapshot, not the environment of later."""

from __future__ import annotations

from tfhub import config
from tfhub.resolving import handles, http_session


def test_a_session_made_from_a_snapshot_ignores_later_changes_to_the_environment(monkeypatch):
    monkeypatch.setenv("TFHUB_HTTP_HEADERS", "X-Team: vision")
    monkeypatch.setenv("TFHUB_MIRROR", "https://tfhub.dev=http://127.0.0.1:19701/hub")
    monkeypatch.setenv("TFHUB_HTTP_RETRY_AFTER_MAX", "7")
    settings = config.DownloadSettings.read()
    monkeypatch.setenv("TFHUB_HTTP_HEADERS", "X-Team: audio")
    monkeypatch.setenv("TFHUB_MIRROR", "https://tfhub.dev=http://127.0.0.1:19702/other")
    monkeypatch.setenv("TFHUB_HTTP_RETRY_AFTER_MAX", "1")
    monkeypatch.setenv("TFHUB_DISABLE_CERT_VALIDATION", "true")

    with http_session.new_session(settings=settings) as session:
        assert session.headers["X-Team"] == "vision"
        assert session.verify is not False
        assert session.get_adapter("https://x/").max_retries.cap == 7.0
    assert handles.mirrored("https://tfhub.dev/google/x/1", list(settings.mirrors)) == \
        "http://127.0.0.1:19701/hub/google/x/1"
