"""hub.load over 30 SavedModels written by others: it loads exactly what TF loads.

For each model of ../shared/testdata/realmodels/MANIFEST.json: hub.load and
tf.saved_model.load either both succeed or both fail with the same error type
(ours carrying a note that names the cause); every signature gives the same
outputs through both, and every signature the manifest ran on this TF runs.
"""

import json

import numpy as np
import pytest
import tensorflow as tf

import tfhub as hub
from tests.conftest import shared_testdata_path
from tests.support.signature_inputs import inputs_for

MANIFEST = shared_testdata_path() / "realmodels" / "MANIFEST.json"
ENTRIES = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else []
ON_TF215 = tf.__version__.startswith("2.15")


def _expected(entry: dict) -> dict:
    """The manifest's record for this lane's TensorFlow."""
    if ON_TF215:
        return {"loads": entry["tf2_15"]["loads"], "calls": {}}
    return {"loads": entry["loads"], "calls": entry["serving_calls"]}


def _outcome(load):
    try:
        return load(), None
    except Exception as exc:  # compared below
        return None, exc


def _call(function, kwargs):
    try:
        return function(**kwargs), None
    except Exception as exc:
        return None, exc


@pytest.mark.realmodels
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["id"] for e in ENTRIES])
def test_hub_load_matches_tensorflow(entry, shared_testdata):
    path = str(shared_testdata / "realmodels" / entry["id"])
    expected = _expected(entry)
    theirs, their_error = _outcome(lambda: tf.saved_model.load(path))
    ours, our_error = _outcome(lambda: hub.load(path))
    assert (their_error is None) == expected["loads"], f"TensorFlow itself disagrees with the manifest: {their_error}"
    if their_error is not None:
        assert type(our_error) is type(their_error)
        notes = "\n".join(getattr(our_error, "__notes__", []))
        assert f"could not load '{path}'" in notes
        if entry["id"].split("_")[0] in ("02", "05", "13", "29"):  # TF1-only features, custom ops
            assert "Cause:" in notes and "Fix:" in notes
        return
    assert our_error is None, our_error
    assert ours._is_hub_module_v1 is entry["tf1_hub_format"]
    assert sorted(ours.signatures.keys()) == sorted(theirs.signatures.keys())
    for name in theirs.signatures.keys():
        kwargs = inputs_for(theirs.signatures[name])
        their_out, their_call_error = _call(theirs.signatures[name], kwargs)
        our_out, our_call_error = _call(ours.signatures[name], kwargs)
        if expected["calls"].get(name, "").startswith("ok"):
            assert their_call_error is None and our_call_error is None, (name, our_call_error)
        if their_call_error is not None:
            assert type(our_call_error) is type(their_call_error), name
            continue
        assert sorted(our_out) == sorted(their_out), name
        # Sampled outputs (RLlib's actions) differ call to call, but may coincide on two
        # calls by chance: an output counts as deterministic only if 8 calls agree.
        repeats = [_call(theirs.signatures[name], kwargs)[0] for _ in range(7)]
        for key in their_out:
            ours_value, theirs_value = _dense(our_out[key]), _dense(their_out[key])
            assert ours_value.dtype == theirs_value.dtype and ours_value.shape == theirs_value.shape, f"{name}/{key}"
            if all(np.array_equal(theirs_value, _dense(r[key])) for r in repeats):
                np.testing.assert_array_equal(ours_value, theirs_value, err_msg=f"{name}/{key}")


def _dense(value) -> np.ndarray:
    if isinstance(value, tf.SparseTensor):
        value = tf.sparse.to_dense(value)
    return np.asarray(value)


def test_the_manifest_is_there_or_the_skip_says_why(shared_testdata):
    assert len(ENTRIES) == 30
