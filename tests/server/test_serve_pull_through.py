"""`tfhub serve ROOT --upstream URL`: a pull-through mirror, tested as real processes on loopback.

The models are small fake SavedModels (random bytes in the right file names): the
mirror moves files and never reads them, so no TensorFlow is needed.
"""

from __future__ import annotations

import hashlib
import io
import os
import signal
import tarfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import requests

from tests.server.serving import ServeProcess, raw_request
from tests.support import faults
from tests.support.peer_run import require_peer, run_snippet
from tfhub.resolving import archive, holders
from tfhub.server.mirror import MAX_PARALLEL_FETCHES, MAX_PENDING_FETCHES

MODEL = "pub/model/1"
COMPRESSED = "?tf-hub-format=compressed"
CLIENTS = 20


def _fake_model(directory: Path, data_bytes: int = 256 << 10) -> Path:
    (directory / "variables").mkdir(parents=True)
    (directory / "saved_model.pb").write_bytes(os.urandom(2048))
    (directory / "variables" / "variables.index").write_bytes(os.urandom(512))
    (directory / "variables" / "variables.data-00000-of-00001").write_bytes(os.urandom(data_bytes))
    return directory


def _members(body: bytes) -> Dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
        return {m.name.lstrip("./"): tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def _files(directory: Path) -> Dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def _upstream_gets(upstream: ServeProcess, path: str) -> List[dict]:
    return [r for r in upstream.access_log()
            if r["method"] == "GET" and r["path"] == "/" + path and "tf-hub-format=compressed" in r["query"]]


def _at_once(url: str, count: int, headers: Dict[str, str] = None) -> List[Tuple[int, bytes]]:
    """``count`` GETs of ``url`` started together (a barrier), each on its own connection."""
    barrier = threading.Barrier(count)
    results: List[Tuple[int, bytes]] = [None] * count

    def one(i: int) -> None:
        barrier.wait()
        response = requests.get(url, headers=headers, timeout=120)
        results[i] = (response.status_code, response.content)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def upstream_root(tmp_path: Path) -> Path:
    root = tmp_path / "upstream-root"
    _fake_model(root / MODEL, data_bytes=2 << 20)
    return root


@pytest.fixture
def upstream(upstream_root: Path, tmp_path: Path):
    with ServeProcess(upstream_root, tmp_path / "upstream-archives") as process:
        yield process


@pytest.fixture
def mirror_root(tmp_path: Path) -> Path:
    root = tmp_path / "mirror-root"
    root.mkdir()
    return root


def _mirror(root: Path, tmp_path: Path, upstream_url: str, *extra: str, env: dict = None) -> ServeProcess:
    return ServeProcess(root, tmp_path / "mirror-archives", "--upstream", upstream_url, *extra,
                        env={"TFHUB_HTTP_RETRIES": "0", **(env or {})})


def test_twenty_clients_one_upstream_get_then_served_without_the_upstream(
        upstream, upstream_root, mirror_root, tmp_path):
    with _mirror(mirror_root, tmp_path, upstream.url) as mirror:
        answers = _at_once(mirror.url + MODEL + COMPRESSED, CLIENTS)
        assert [status for status, _ in answers] == [200] * CLIENTS
        bodies = {body for _, body in answers}
        assert len(bodies) == 1, "every client gets the same bytes"
        body = bodies.pop()
        assert _members(body) == _files(upstream_root / MODEL)
        assert len(upstream.wait_for_log(lambda r: "tf-hub-format" in r["query"])) >= 1
        assert len(_upstream_gets(upstream, MODEL)) == 1, "one upstream GET for twenty clients"
        assert _files(mirror_root / MODEL) == _files(upstream_root / MODEL)
        # Both pack the same tree deterministically: the mirror answers the upstream's very bytes.
        assert requests.get(upstream.url + MODEL + COMPRESSED, timeout=60).content == body

        upstream.stop()
        again = requests.get(mirror.url + MODEL + COMPRESSED, timeout=60)
        assert again.status_code == 200 and again.content == body
        page = requests.get(mirror.url, timeout=60)
        assert page.status_code == 200 and MODEL in page.text, "a fetched model joins the catalog"


_RESOLVED_FILES = """
import hashlib, os, sys
path = hub.resolve(sys.argv[1])
emit(files={os.path.relpath(os.path.join(d, n), path): hashlib.sha256(open(os.path.join(d, n), "rb").read()).hexdigest()
            for d, _, names in os.walk(path) for n in names})
"""


def test_tensorflow_hub_and_tfhub_resolve_through_the_mirror(upstream, upstream_root, mirror_root, tmp_path):
    require_peer()
    expected = {name: hashlib.sha256(data).hexdigest() for name, data in _files(upstream_root / MODEL).items()}
    with _mirror(mirror_root, tmp_path, upstream.url) as mirror:
        for library in ("tensorflow_hub", "tfhub"):  # the first one's request fetches
            got = run_snippet(library, _RESOLVED_FILES, args=(mirror.url + MODEL,),
                              env={"TFHUB_CACHE_DIR": str(tmp_path / f"cache-{library}")})
            assert got["files"] == expected, library
    assert len(_upstream_gets(upstream, MODEL)) == 1


def test_a_pinned_model_with_wrong_upstream_bytes_is_refused_and_not_stored(
        upstream, mirror_root, tmp_path):
    handle = upstream.url + MODEL
    pin_file = tmp_path / "pins.txt"
    pin_file.write_text(f"{'0' * 64}  {handle}\n")
    with _mirror(mirror_root, tmp_path, upstream.url, env={"TFHUB_PIN_FILE": str(pin_file)}) as mirror:
        refused = requests.get(mirror.url + MODEL + COMPRESSED, timeout=60)
        assert refused.status_code == 502
        assert "does not match its pin" in refused.text and "not stored" in refused.text
        assert len(refused.text.strip().splitlines()) == 1
        assert list(mirror_root.iterdir()) == [], "nothing stored under ROOT"
        assert requests.get(mirror.url + MODEL, timeout=60).status_code == 404

        right = hashlib.sha256(requests.get(upstream.url + MODEL + COMPRESSED, timeout=60).content).hexdigest()
        pin_file.write_text(f"{right}  {handle}\n")
        served = requests.get(mirror.url + MODEL + COMPRESSED, timeout=60)
        assert served.status_code == 200 and hashlib.sha256(served.content).hexdigest() == right


def test_upstream_404_is_404_and_unversioned_handles_are_not_fetched(upstream, mirror_root, tmp_path):
    with _mirror(mirror_root, tmp_path, upstream.url) as mirror:
        missing = requests.get(mirror.url + "pub/missing/1" + COMPRESSED, timeout=60)
        assert missing.status_code == 404 and "the upstream has none either" in missing.text
        assert len(upstream.wait_for_log(lambda r: r["path"] == "/pub/missing/1")) == 1
        latest = requests.get(mirror.url + "pub/model" + COMPRESSED, timeout=60)
        assert latest.status_code == 404 and "versioned handles only" in latest.text
        page = requests.get(mirror.url + MODEL, timeout=60)
        assert page.status_code == 404, "a page view does not fetch"
        assert not [r for r in upstream.access_log() if r["path"] in ("/pub/model", "/" + MODEL)]
        assert list(mirror_root.iterdir()) == []


def test_upstream_failures_are_502_and_504_and_store_nothing(http_server, mirror_root, tmp_path):
    http_server.add("/pub/broken/1", status=500, body=b"oops")
    http_server.add("/pub/slow/1", body=b"x" * 100_000, stall_after=10, stall_seconds=5)
    with _mirror(mirror_root, tmp_path, http_server.url("/"),
                 env={"TFHUB_HTTP_READ_TIMEOUT": "1", "TFHUB_HTTP_LOW_SPEED_TIME": "1"}) as mirror:
        broken = requests.get(mirror.url + "pub/broken/1" + COMPRESSED, timeout=60)
        assert broken.status_code == 502 and "The upstream failed to deliver" in broken.text
        slow = requests.get(mirror.url + "pub/slow/1" + COMPRESSED, timeout=60)
        assert slow.status_code == 504 and "did not answer in time" in slow.text
        assert list(mirror_root.iterdir()) == []


def test_many_absent_handles_at_once_are_fetched_a_bounded_number_at_a_time(http_server, mirror_root, tmp_path):
    handles = [f"pub/model{i}/1" for i in range(3 * MAX_PARALLEL_FETCHES)]
    for i, path in enumerate(handles):
        packed = tmp_path / f"model{i}.tar.gz"
        archive.pack_to_file(_fake_model(tmp_path / f"source{i}", data_bytes=16 << 10), packed)
        http_server.add("/" + path, body=str(packed), chunk=4 << 10, chunk_delay=0.1)
    with _mirror(mirror_root, tmp_path, http_server.url("/")) as server:
        barrier = threading.Barrier(len(handles))
        statuses: List[int] = []

        def one(path: str) -> None:
            barrier.wait()
            statuses.append(requests.get(server.url + path + COMPRESSED, timeout=120).status_code)

        threads = [threading.Thread(target=one, args=(path,)) for path in handles]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [200] * len(handles)
    assert len(http_server.gets()) == len(handles)
    assert 1 <= http_server.max_in_flight <= MAX_PARALLEL_FETCHES


def test_beyond_the_pending_limit_a_new_handle_gets_503_with_retry_after(http_server, mirror_root, tmp_path):
    for i in range(MAX_PENDING_FETCHES + 40):
        http_server.add(f"/pub/stuck{i}/1", body=b"x" * 1000, stall_after=1, stall_seconds=10)
    env = {"TFHUB_HTTP_READ_TIMEOUT": "5", "TFHUB_HTTP_LOW_SPEED_TIME": "5"}
    with _mirror(mirror_root, tmp_path, http_server.url("/"), "--shutdown-timeout", "1", env=env) as server:
        for i in range(MAX_PENDING_FETCHES):
            url = server.url + f"pub/stuck{i}/1" + COMPRESSED
            threading.Thread(target=_ignore_errors, args=(url,), daemon=True).start()
        busy = None
        for i in range(MAX_PENDING_FETCHES, MAX_PENDING_FETCHES + 40):  # each probe may join the queue
            try:
                answer = requests.get(server.url + f"pub/stuck{i}/1" + COMPRESSED, timeout=1)
            except requests.Timeout:
                continue
            if answer.status_code == 503:
                busy = answer
                break
        assert busy is not None, "a new handle beyond the limit is refused at once"
        assert busy.headers["Retry-After"] and "already fetching" in busy.text
        assert http_server.max_in_flight <= MAX_PARALLEL_FETCHES
    assert list(mirror_root.iterdir()) == []


TRAVERSALS = [
    "/../outside/x/1", "/pub/../../outside/x/1", "/%2e%2e/outside/x/1", "/pub/%2E%2E/%2e%2e/outside/1",
    "//outside/x/1", "/pub/%00/1", "/pub/m%ff/1", "/pub/a%5cb/1", "/pub/a\\b/1", "/.hidden/model/1",
    "/escape/model/1", "/escape/../escape/model/1", "/a/b/c/d/e/f/g/h/i/1", "/pub/model/1%2f..%2f..",
    "/pub/" + "m" * 300 + "/1",
]


def test_traversal_attempts_never_reach_upstream_or_leave_root(http_server, mirror_root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (mirror_root / "escape").symlink_to(outside)
    half_copied = _fake_model(mirror_root / "pub" / "model" / ".1.deadbeef.tfhub-partial")  # a copy cut short
    with _mirror(mirror_root, tmp_path, http_server.url("/")) as mirror:
        for path in TRAVERSALS + ["/pub/model/" + half_copied.name]:
            head = raw_request(mirror.port, path + COMPRESSED).split(b"\r\n", 1)[0]
            assert head.split()[1] in (b"400", b"403", b"404"), (path, head)
    assert http_server.requests == [], "no request reached the upstream"
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in mirror_root.iterdir()) == ["escape", "pub"]
    assert [p.name for p in (mirror_root / "pub" / "model").iterdir()] == [half_copied.name]
    assert not (tmp_path / "x").exists() and not (tmp_path / "model").exists()


def test_a_mirror_killed_mid_fetch_leaves_nothing_served_and_fetches_again(http_server, mirror_root, tmp_path):
    source = _fake_model(tmp_path / "source", data_bytes=1 << 20)
    packed = tmp_path / "model.tar.gz"
    archive.pack_to_file(source, packed)
    route_path = "/" + MODEL
    http_server.add(route_path, body=str(packed), chunk=16 << 10, chunk_delay=0.2)
    cache = tmp_path / "mirror-archives" / "upstream-cache"
    with _mirror(mirror_root, tmp_path, http_server.url("/")) as doomed:
        client = threading.Thread(target=_ignore_errors, args=(doomed.url + MODEL + COMPRESSED,), daemon=True)
        client.start()
        deadline = time.monotonic() + 60
        while not http_server.gets(route_path) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # a few chunks in: the fetch is under way
        doomed.process.send_signal(signal.SIGKILL)
        doomed.process.wait()
        client.join(timeout=60)
    assert list(cache.glob("*.tfhub-tmp")), "killed mid-fetch: its temp dir is there"
    assert not (mirror_root / MODEL).exists(), "nothing looks complete under ROOT"

    http_server.routes[route_path].chunk_delay = 0.0
    with _mirror(mirror_root, tmp_path, http_server.url("/")) as mirror:
        listed = requests.get(mirror.url, timeout=60)
        assert MODEL not in listed.text
        served = requests.get(mirror.url + MODEL + COMPRESSED, timeout=60)
        assert served.status_code == 200 and _members(served.content) == _files(source)
    assert len(http_server.gets(route_path)) == 2, "the next request fetched again"
    assert not list(cache.glob("*.tfhub-tmp")), "the killed fetch's temp dir was tidied"


def test_a_mirror_killed_mid_copy_into_root_leaves_a_partial_the_next_one_removes(
        upstream, upstream_root, mirror_root, tmp_path):
    with _mirror(mirror_root, tmp_path, upstream.url, env=faults.env(kill_at="copied")) as doomed:
        _ignore_errors(doomed.url + MODEL + COMPRESSED)
        assert doomed.process.wait(timeout=60) == -signal.SIGKILL
    parent = (mirror_root / MODEL).parent
    left = [p.name for p in parent.iterdir() if p.name.endswith(".tfhub-partial")]
    assert len(left) == 1 and left[0].startswith(".") and not (mirror_root / MODEL).exists(), left
    # One being written by a live process (this one) is not the killed one's: it stays.
    live = parent / f".2.{holders.new_token()}.tfhub-partial"
    live.mkdir()

    with _mirror(mirror_root, tmp_path, upstream.url) as mirror:
        assert not (parent / left[0]).exists(), "the killed copy was removed at start-up"
        served = requests.get(mirror.url + MODEL + COMPRESSED, timeout=60)
        assert served.status_code == 200 and _members(served.content) == _files(upstream_root / MODEL)
    assert live.is_dir()
    assert sorted(p.name for p in parent.iterdir()) == sorted(["1", live.name])


def _ignore_errors(url: str) -> None:
    try:
        requests.get(url, timeout=120)
    except requests.RequestException:
        pass


def test_upstream_credentials_go_upstream_and_the_mirror_keeps_its_own_auth(
        upstream_root, mirror_root, tmp_path):
    upstream_token, mirror_token = "upstream-secret-1", "mirror-secret-2"
    (tmp_path / "upstream-token").write_text(upstream_token)
    (tmp_path / "mirror-token").write_text(mirror_token)
    with ServeProcess(upstream_root, tmp_path / "upstream-archives",
                      "--token-file", str(tmp_path / "upstream-token")) as guarded, \
            _mirror(mirror_root, tmp_path, guarded.url, "--token-file", str(tmp_path / "mirror-token"),
                    env={"TFHUB_HTTP_HEADERS": f"Authorization: Bearer {upstream_token}"}) as mirror:
        url = mirror.url + MODEL + COMPRESSED
        assert requests.get(url, timeout=60).status_code == 401
        assert requests.get(url, headers={"Authorization": f"Bearer {upstream_token}"},
                            timeout=60).status_code == 401, "the upstream's token is not the mirror's"
        assert guarded.access_log() == [], "refused clients trigger no fetch"
        served = requests.get(url, headers={"Authorization": f"Bearer {mirror_token}"}, timeout=60)
        assert served.status_code == 200 and _members(served.content) == _files(upstream_root / MODEL)
        assert [r["status"] for r in guarded.wait_for_log(lambda r: r["path"] == "/" + MODEL)] == [200]
        for line in mirror.stderr_lines + guarded.stderr_lines:
            assert upstream_token not in line and mirror_token not in line
