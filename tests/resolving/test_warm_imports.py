"""A warm resolve (cache hit) in a fresh process imports nothing it does not use (issue #17).

What a cache hit needs is handle parsing, the entry's names, its descriptor and
a stat per file; HTTP, archives, locks, OpenSSL and the rest are imported only
when a download or a write needs them. The list is what the warm path
imported before they were made lazy (the probe's own ``json`` and ``sys`` aside).
"""

import json
import subprocess
import sys

import tfhub as hub
from tests.conftest import pack_bytes

HEAVY = ("tensorflow", "requests", "urllib3", "httpx", "ssl", "http.client", "tarfile", "gzip", "zlib",
         "lzma", "bz2", "filelock", "threading", "_hashlib", "hashlib", "uuid", "platform", "socket",
         "tempfile", "shutil", "datetime", "importlib.abc", "importlib.resources", "importlib.metadata",
         "logging", "inspect", "dataclasses",
         # each costs a fresh process more than a warm resolve's own work (the 10 ms target of #17)
         "typing", "pathlib", "fnmatch", "urllib.parse", "ipaddress", "importlib.util", "string", "math")

PROBE = """
import json, sys
import tfhub
path = tfhub.resolve(sys.argv[1])
print(json.dumps({"path": path, "modules": sorted(sys.modules)}))
"""


def test_a_warm_resolve_imports_no_heavy_module(http_server, cache_dir, tmp_path):
    model = tmp_path / "model"
    (model / "variables").mkdir(parents=True)
    (model / "saved_model.pb").write_bytes(b"graph")
    (model / "variables" / "variables.index").write_bytes(b"index")
    url = http_server.add("/m/1", body=pack_bytes(model))
    cached = hub.resolve(url)  # fills the cache in this process
    done = subprocess.run([sys.executable, "-c", PROBE, url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["path"] == cached
    assert len(http_server.gets()) == 1, "the warm resolve downloaded again"
    imported = set(report["modules"])
    assert [name for name in HEAVY if name in imported] == []
