"""Fine-tuning a TF1 Hub format module through ``hub.KerasLayer(trainable=True)`` under
MirroredStrategy, MultiWorkerMirroredStrategy and ParameterServerStrategy (issue 13, item 16).

tensorflow_hub refuses ``trainable=True`` for TF1 Hub format modules; tfhub trains
them, so the checks are that training really moves the module's variables, that
every replica trains its own copy (the replicas agree at the end), and, for
MirroredStrategy, that two replicas compute what one device computes.
Real processes: two logical CPUs in one process; two MWMS workers; a coordinator,
one ps and two workers for PSS (the examples' launchers).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.distributed.conftest import EXAMPLES

pytest.importorskip("tensorflow")

INITIAL = {"slope:0": [[0.5]], "intercept:0": [2.0]}

MIRRORED = """
import json, sys
sys.path.insert(0, sys.argv[1])
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras_training as kt

def train(strategy, mode):
    model, layer, optimizer = kt.build_model(strategy, sys.argv[2])
    initial = kt.full_loss(model)
    if mode == "fit":
        with strategy.scope():
            model.compile(optimizer, "mse")
        model.fit(kt.dataset(repeat=False), epochs=3, verbose=0)
    else:
        step = kt.replica_step(model, optimizer)

        @tf.function
        def one_step(iterator):
            x, y = next(iterator)
            strategy.run(step, args=(x, y))

        iterator = iter(strategy.experimental_distribute_dataset(kt.dataset()))
        for _ in range(12):
            one_step(iterator)
    copies = {v.name: [np.asarray(c.numpy()).tolist() for c in
                       strategy.experimental_local_results(v)]
              for v in layer.resolved_object.variables}
    return {"initial_loss": initial, "final_loss": kt.full_loss(model), "copies": copies,
            "replicas": strategy.num_replicas_in_sync}

import numpy as np
mode = sys.argv[3]
print("RESULT " + json.dumps({
    "one_device": train(tf.distribute.get_strategy(), mode),
    "mirrored": train(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]), mode)}))
"""


def _mode(keras_flavour: str) -> str:
    # Keras 3's model.fit fails under MultiWorkerMirroredStrategy for every model
    # (keras-team/keras#20585); the custom loop works with both Keras.
    return "loop" if keras_flavour == "keras3" else "fit"


@pytest.mark.parametrize("mode", ["loop", "fit"])
def test_mirrored_two_replicas_train_like_one_device(tf1_hub_module_dir, mode):
    done = subprocess.run([sys.executable, "-c", MIRRORED, str(EXAMPLES), str(tf1_hub_module_dir),
                           mode], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    one, mirrored = result["one_device"], result["mirrored"]
    assert mirrored["replicas"] == 2
    for name, initial in INITIAL.items():
        (single,) = one["copies"][name]
        first, second = mirrored["copies"][name]
        assert first == second, f"the replicas' copies of {name} differ"
        assert not np.allclose(first, initial), f"{name} did not train"
        np.testing.assert_allclose(first, single, rtol=1e-4, atol=1e-5)
    assert mirrored["final_loss"] < 0.5 * mirrored["initial_loss"], mirrored


def test_multi_worker_mirrored_fine_tuning(example, keras_flavour, tf1_hub_module_dir, tmp_path):
    results = example("keras_multi_worker").launch(str(tf1_hub_module_dir), tmp_path,
                                                   mode=_mode(keras_flavour))
    first, second = results[("worker", 0)], results[("worker", 1)]
    for result in (first, second):
        assert result["replicas"] == 2
        assert result["final_loss"] < 0.5 * result["initial_loss"], result
    assert first["variables"] == second["variables"] != INITIAL


def test_parameter_server_fine_tuning(example, keras_flavour, tf1_hub_module_dir, tmp_path):
    module = example("keras_parameter_server")
    result = module.launch(str(tf1_hub_module_dir), tmp_path)
    assert result["steps_done"] == module.STEPS
    assert all(d.startswith("/job:ps/") for d in result["devices"].values()), result
    assert result["final_loss"] < 0.5 * result["initial_loss"], result
    assert result["variables"] != INITIAL


BATCH_NORM = """
import json, sys
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import tfhub as hub
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    layer = hub.KerasLayer(sys.argv[1], trainable=True)
    model = tf.keras.Sequential([tf.keras.Input((2,)), layer])
    model.compile(tf.keras.optimizers.SGD(0.1), "mse")
x = np.random.RandomState(0).rand(16, 2).astype("float32")
model.fit(x, x[:, :1] * 3, batch_size=8, epochs=2, verbose=0, shuffle=False)
print("RESULT " + json.dumps({v.name: {
    "read": np.asarray(v.numpy()).ravel().tolist(),
    "copies": [np.asarray(c.numpy()).ravel().tolist()
               for c in strategy.experimental_local_results(v)]}
    for v in layer.resolved_object.variables}))
"""


def test_mirrored_batch_norm_state_is_read_as_the_replicas_mean(tmp_path):
    from tests.keras import tf1_module_builder

    tf1_module_builder.write_module(str(tmp_path / "bn"))
    done = subprocess.run([sys.executable, "-c", BATCH_NORM, str(tmp_path / "bn")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    variables = json.loads(line[len("RESULT "):])
    for name in ("w:0", "bn/gamma:0"):  # trained: all-reduced, equal copies
        first, second = variables[name]["copies"]
        assert first == second == variables[name]["read"], name
    for name in ("bn/moving_mean:0", "bn/moving_variance:0"):  # UPDATE_OPS, per replica
        first, second = variables[name]["copies"]
        assert first != second, f"each replica updates its own copy of {name}"
        np.testing.assert_allclose(variables[name]["read"], np.mean([first, second], axis=0),
                                   rtol=1e-5)
