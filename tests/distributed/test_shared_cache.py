"""N worker processes start at once against one shared cache: one download, all load."""

from __future__ import annotations

import pytest

from tests.conftest import pack_bytes

pytest.importorskip("tensorflow")

WORKERS = 3


def test_workers_share_one_download(example, http_server, tf2_model_dir, tmp_path):
    # Answered slowly, so every worker asks while the first download runs.
    url = http_server.add("/models/tiny/1", body=pack_bytes(tf2_model_dir), delay=1.5)
    cache = tmp_path / "shared_cache"
    results = example("shared_cache").launch(url, cache, tmp_path / "cluster", workers=WORKERS)
    assert len(results) == WORKERS
    assert len(http_server.gets()) == 1
    paths = {r["path"] for r in results.values()}
    assert len(paths) == 1 and paths.pop().startswith(str(cache))
    assert [r["output"] for r in results.values()] == [4.0] * WORKERS  # 1 * 3 + 1
