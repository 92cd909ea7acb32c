"""SIGKILL a resolving process anywhere; the next resolve must get a complete entry at once.

Two kinds of kill points: random instants during a slowed-down download and
extraction (seeded, so a failure can be replayed; one instant in each equal slice
of the window, so every phase is hit without many draws), and named points of a cache
write (``TFHUB_TEST_KILL_AT``, driven from outside the library by
:mod:`tests.support.faults`) that hit the narrow windows around the descriptor
write and the rename, where a process kills itself; and the same for each step
of a swap, where a new entry replaces a complete old one.

After every kill: an entry directory, if there is one, is complete; then a
fresh resolve in this process returns the model with its manifest matching
the served files, and leaves no temp dir, no half-written descriptor and no
lock anybody would wait on.
"""

from __future__ import annotations

import random
import signal
import time

import pytest

import tfhub as hub
from tests.reliability import procs
from tests.support import tally
from tfhub.resolving import cache as cache_lib
from tfhub.resolving import maintenance
from tests.support import faults
from tests.support.faults import KILL_POINTS, SWAP_KILL_POINTS

RANDOM_KILLS = 12
KILL_WINDOW = 1.6  # seconds after the first request; the body takes about 1.3 s to arrive
SEED = 8


@pytest.fixture(scope="module")
def served_model(tmp_path_factory):
    """(files, archive): 2 MB of incompressible data in four files."""
    sizes = {"saved_model.pb": 1_200_000, "variables/variables.data-00000-of-00001": 800_000,
             "variables/variables.index": 900, "assets/vocab.txt": 300}
    return procs.model_archive(tmp_path_factory.mktemp("model"), sizes)


def _check_after_kill(cache_dir, url, files) -> None:
    assert procs.half_entry(cache_dir, url) is None, "a killed process left a half entry in place"
    path = hub.resolve(url)
    assert procs.entry_problem(cache_dir, url, files) is None
    assert path.endswith(procs.cache_key(url))
    assert procs.temp_leftovers(cache_dir) == []
    assert procs.lock_is_free(cache_dir, url)
    maintenance.remove(url, root=cache_dir)  # the next kill starts from an empty cache


def _wait_for_first_request(http_server, process, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(http_server.gets()) < count:
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "the resolving process never asked the server"
        time.sleep(0.01)


@pytest.mark.timeout(300)
def test_sigkill_at_random_points_of_download_and_extraction(http_server, cache_dir, served_model):
    files, archive = served_model
    route_url = http_server.add("/m", body=archive, chunk=32 * 1024, chunk_delay=0.02)
    route = http_server.routes["/m"]
    rng = random.Random(SEED)
    killed_alive = 0
    for i in range(RANDOM_KILLS):
        route.chunk_delay = 0.02
        victim = procs.spawn_resolve(route_url, cache_dir)
        _wait_for_first_request(http_server, victim, len(http_server.gets()) + 1)
        # Stratified: a random instant in slice i of the window, so the request, the body,
        # the extraction, the rename and "already done" each get kills (24 uniform draws did
        # the same only by chance, at twice the cost).
        time.sleep((i + rng.random()) * KILL_WINDOW / RANDOM_KILLS)
        killed_alive += victim.poll() is None
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=30)
        route.chunk_delay = 0.0
        _check_after_kill(cache_dir, route_url, files)
    tally.add("reliability: kill points (random instants)", RANDOM_KILLS)
    assert killed_alive >= RANDOM_KILLS // 2, "most kills must land while the process works"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_at_named_points(http_server, cache_dir, served_model, point):
    """Each point once: the kill is deterministic, so a second round repeated the same case."""
    files, archive = served_model
    url = http_server.add("/m", body=archive)
    victim = procs.spawn_resolve(url, cache_dir, faults.env(kill_at=point))
    _, err = victim.communicate(timeout=120)
    assert victim.returncode == -signal.SIGKILL, f"the process did not reach '{point}': {err}"
    tally.add("reliability: kill points (named)")
    _check_after_kill(cache_dir, url, files)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("point", SWAP_KILL_POINTS)
def test_sigkill_while_a_new_entry_replaces_the_old_one(http_server, cache_dir, served_model, tmp_path, point):
    """`tfhub download --force` killed at each step of the swap: the old or the new model, whole, offline too."""
    old_files, old_archive = served_model
    new_files, new_archive = procs.model_archive(tmp_path / "new", {name: len(data) for name, data in old_files.items()})
    url = http_server.add("/m", body=old_archive)
    hub.resolve(url)
    http_server.routes["/m"].body = new_archive  # same names and sizes: only the bytes tell them apart
    victim = procs.spawn_resolve(url, cache_dir, faults.env(kill_at=point),
                                 script="import sys; from tfhub.cli.main import main; main(['download', '--force', sys.argv[1]])")
    _, err = victim.communicate(timeout=120)
    assert victim.returncode == -signal.SIGKILL, f"the process did not reach '{point}': {err}"
    tally.add("reliability: kill points (swap)")
    gets = len(http_server.gets())
    offline = procs.spawn_resolve(url, cache_dir, {"TFHUB_OFFLINE": "1"})
    out, err = offline.communicate(timeout=120)
    assert offline.returncode == 0, err  # no good entry lost: offline still resolves
    assert len(http_server.gets()) == gets
    served = old_files if point in ("extracted", "descriptor-temp-written", "moved-aside") else new_files
    assert procs.entry_problem(cache_dir, url, served) is None
    entry = cache_lib.Cache(cache_dir).entry(url)
    assert entry.deep_problem() is None  # the descriptor describes these very bytes
    assert procs.temp_leftovers(cache_dir) == [] and procs.lock_is_free(cache_dir, url)
