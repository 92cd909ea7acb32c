"""`make demo`: tfhub end to end, offline.

1. builds two small models with TensorFlow (a TF2 SavedModel and a module in
   the TF1 Hub format);
2. serves them from a model host on 127.0.0.1, answering TF Hub's
   ``?tf-hub-format=compressed`` requests;
3. resolves their URLs into a fresh cache (with a progress bar), loads them
   with ``hub.load`` and runs inference;
4. shows what ``tfhub inspect`` says about each.
"""

from __future__ import annotations

import http.server
import io
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import example_models  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import tfhub as hub  # noqa: E402
from tfhub.resolving import archive  # noqa: E402


class ModelHost(http.server.ThreadingHTTPServer):
    """Serves model directories as TF Hub does: GET <path>?tf-hub-format=compressed."""

    def __init__(self, models: dict):
        self.archives = {}
        for url_path, directory in models.items():
            buffer = io.BytesIO()
            archive.pack(directory, buffer)
            self.archives[url_path] = buffer.getvalue()
        super().__init__(("127.0.0.1", 0), _ModelRequestHandler)

    def url(self, url_path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{url_path}"


class _ModelRequestHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        path, _, query = self.path.partition("?")
        body = self.server.archives.get(path)
        if body is None or "tf-hub-format=compressed" not in query:
            self.send_error(404, "no such model (ask with ?tf-hub-format=compressed)")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-tar")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt: str, *args) -> None:  # noqa: ANN002
        print(f"  [host] {self.command} {self.path} -> {args[1] if len(args) > 1 else ''}")


def banner(text: str) -> None:
    print(f"\n=== {text}")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tfhub-demo-"))
    os.environ["TFHUB_CACHE_DIR"] = str(work / "cache")
    os.environ["TFHUB_DOWNLOAD_PROGRESS"] = "1"

    banner("1. Building example models with TensorFlow")
    tf2_dir = example_models.write_tf2_saved_model(work / "src" / "scaler")
    tf1_dir = example_models.write_tf1_hub_module(work / "src" / "half_plus_two")
    print(f"  TF2 SavedModel:      {tf2_dir}  (y = 3x + 1)")
    print(f"  TF1 Hub format:      {tf1_dir}  (y = 0.5x + 2)")

    host = ModelHost({"/demo/scaler/1": tf2_dir, "/demo/half_plus_two/1": tf1_dir})
    threading.Thread(target=host.serve_forever, daemon=True).start()
    scaler_url, half_plus_two_url = host.url("/demo/scaler/1"), host.url("/demo/half_plus_two/1")
    banner(f"2. Serving them on 127.0.0.1:{host.server_address[1]}")
    print(f"  {scaler_url}\n  {half_plus_two_url}")

    banner(f"3. Resolving into a fresh cache: {os.environ['TFHUB_CACHE_DIR']}")
    for url in (scaler_url, half_plus_two_url):
        print(f"  {url}\n    -> {hub.resolve(url)}")
    print("  (a second resolve is a cache hit:", hub.resolve(scaler_url) == hub.resolve(scaler_url), ")")

    banner("4. Inspecting them with `tfhub inspect`")
    for url in (scaler_url, half_plus_two_url):
        subprocess.run([sys.executable, "-m", "tfhub", "inspect", url], check=True)
        print()

    banner("5. Loading with hub.load and running inference")
    x = np.array([[1.0], [2.0], [10.0]], dtype=np.float32)
    scaler = hub.load(scaler_url)
    y_tf2 = scaler(tf.constant(x)).numpy()
    print(f"  TF2 SavedModel  scaler(x)                           = {y_tf2.ravel().tolist()}")
    module = hub.load(half_plus_two_url)
    y_tf1 = module.signatures["default"](default=tf.constant(x))["default"].numpy()
    print(f"  TF1 Hub format  signatures['default'](default=x)    = {y_tf1.ravel().tolist()}")
    np.testing.assert_allclose(y_tf2, 3 * x + 1)
    np.testing.assert_allclose(y_tf1, 0.5 * x + 2)

    host.shutdown()
    banner("Inference results")
    print(f"  x                     = {x.ravel().tolist()}")
    print(f"  3x + 1   (TF2)        = {y_tf2.ravel().tolist()}")
    print(f"  0.5x + 2 (TF1 Hub)    = {y_tf1.ravel().tolist()}")


if __name__ == "__main__":
    main()
