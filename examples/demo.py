"""`make demo`: tfhub end to end, offline.

1. builds two small models with TensorFlow (a TF2 SavedModel and a module in
   the TF1 Hub format);
2. serves them with ``tfhub serve`` on a free port of 127.0.0.1, answering
   TF Hub's ``?tf-hub-format=compressed`` requests;
3. resolves their URLs into a fresh cache (with a progress bar), loads them
   with ``hub.load`` and runs inference;
4. shows what ``tfhub inspect`` says about each.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import example_models
import numpy as np
import tensorflow as tf

import tfhub as hub


def start_tfhub_serve(root: Path, work: Path) -> tuple:
    """Starts `tfhub serve ROOT` on a free port of 127.0.0.1; (process, base URL).

    The server prints its address first; its access log (JSON lines) goes to
    ``work/serve.log``.
    """
    command = [sys.executable, "-m", "tfhub", "serve", str(root), "--host", "127.0.0.1",
               "--port", "0", "--archive-dir", str(work / "archives")]
    with open(work / "serve.log", "wb") as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
    first_line = process.stdout.readline()
    if not first_line.startswith("tfhub serve: http://"):
        process.kill()
        raise RuntimeError(f"tfhub serve did not start (it said {first_line!r})")
    return process, first_line.split()[2]


def banner(text: str) -> None:
    print(f"\n=== {text}")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="tfhub-demo-"))
    os.environ["TFHUB_CACHE_DIR"] = str(work / "cache")
    os.environ["TFHUB_DOWNLOAD_PROGRESS"] = "1"

    banner("1. Building example models with TensorFlow")
    tf2_dir = example_models.write_tf2_saved_model(work / "models" / "demo" / "scaler" / "1")
    tf1_dir = example_models.write_tf1_hub_module(work / "models" / "demo" / "half_plus_two" / "1")
    print(f"  TF2 SavedModel:      {tf2_dir}  (y = 3x + 1)")
    print(f"  TF1 Hub format:      {tf1_dir}  (y = 0.5x + 2)")

    server, base_url = start_tfhub_serve(work / "models", work)
    try:
        run_demo(work, base_url)
    finally:
        server.terminate()
        server.wait(timeout=60)


def run_demo(work: Path, base_url: str) -> None:
    """Steps 2 to 5 against the running server."""
    scaler_url, half_plus_two_url = base_url + "demo/scaler/1", base_url + "demo/half_plus_two/1"
    banner(f"2. Serving them with `tfhub serve {work / 'models'}` on {base_url}")
    print(f"  {scaler_url}\n  {half_plus_two_url}\n  catalog: {base_url}  (access log: {work / 'serve.log'})")

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
    keras_model = tf.keras.Sequential([tf.keras.Input((1,)), hub.KerasLayer(scaler_url)])
    y_keras = keras_model.predict(x, verbose=0)
    print(f"  TF2 SavedModel  hub.KerasLayer in Sequential        = {y_keras.ravel().tolist()}")
    y_module = run_hub_module(half_plus_two_url, x)
    print(f"  TF1 Hub format  hub.Module in a TF1 graph           = {y_module.ravel().tolist()}")
    np.testing.assert_allclose(y_tf2, 3 * x + 1)
    np.testing.assert_allclose(y_keras, 3 * x + 1)
    np.testing.assert_allclose(y_tf1, 0.5 * x + 2)
    np.testing.assert_allclose(y_module, 0.5 * x + 2)

    banner("Inference results")
    print(f"  x                     = {x.ravel().tolist()}")
    print(f"  3x + 1   (TF2)        = {y_tf2.ravel().tolist()}")
    print(f"  0.5x + 2 (TF1 Hub)    = {y_tf1.ravel().tolist()}")


def run_hub_module(handle: str, x: np.ndarray) -> np.ndarray:
    """The TF1 way: hub.Module applied in a graph, run in a session."""
    with tf.Graph().as_default():
        module = hub.Module(handle)
        y = module(tf.constant(x))
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            return session.run(y)


if __name__ == "__main__":
    main()
