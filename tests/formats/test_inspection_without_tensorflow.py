"""`describe` reads SavedModels and checkpoint indexes without TensorFlow, as TensorFlow does.

Three ways round: in a TensorFlow lane every shared real model is described by
tfhub and by TensorFlow's own readers side by side; the golden file those
readers wrote is checked to still be theirs; and every lane (the TensorFlow-free
one above all) describes every real model exactly as the golden file says.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.formats.tensorflow_reference import GOLDEN, describe_with_tensorflow, real_model_dirs
from tfhub import errors
from tfhub.formats import inspection


@pytest.fixture(scope="module")
def real_models(tmp_path_factory):
    from tests.conftest import shared_testdata_path

    testdata = shared_testdata_path()
    if not (testdata / "realmodels" / "MANIFEST.json").exists():
        pytest.skip(f"real test artifacts not found at {testdata} (set TFHUB_TESTDATA to use them)")
    return real_model_dirs(testdata, tmp_path_factory.mktemp("real"))


def _ours(path: Path) -> dict:
    description = inspection.describe(str(path)).to_dict()
    assert description.pop("path") == str(path)
    return description


def test_every_real_model_is_described_as_the_golden_file_says(real_models):
    golden = json.loads(GOLDEN.read_text())
    assert sorted(golden) == sorted(real_models)
    for name, path in real_models.items():
        assert _ours(path) == golden[name], name


def test_describing_every_real_model_needs_no_tensorflow_and_is_quick(real_models):
    script = ("import sys, time\nfrom tfhub.formats import inspection\nt = time.perf_counter()\n"
              f"for path in {[str(p) for p in real_models.values()]!r}:\n    inspection.describe(path)\n"
              "print(time.perf_counter() - t)\nassert 'tensorflow' not in sys.modules, 'imported TensorFlow'\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 10  # ~0.2 s for all 31 on an idle machine


def test_the_golden_file_is_what_tensorflow_reads(real_models):
    pytest.importorskip("tensorflow", reason="the side-by-side check reads the models with TensorFlow")
    golden = json.loads(GOLDEN.read_text())
    for name, path in real_models.items():
        theirs = describe_with_tensorflow(str(path))
        assert theirs == golden[name], f"{name}: rewrite the golden file (python -m tests.formats.tensorflow_reference)"
        assert _ours(path) == theirs, name


def test_a_pbtxt_saved_model_reads_like_its_binary(real_models, tmp_path):
    from google.protobuf import text_format

    from tfhub.formats.saved_model_protos import SavedModel

    for name in ("15_tfjs_multi_signatures", "23_keras_sms_spam", "half_plus_two_v1"):
        source = real_models[name]
        copy = tmp_path / name
        copy.mkdir()
        for item in source.iterdir():
            if item.name != "saved_model.pb":
                (copy / item.name).symlink_to(item)
        proto = SavedModel.FromString((source / "saved_model.pb").read_bytes())
        (copy / "saved_model.pbtxt").write_text(text_format.MessageToString(proto))
        ours, binary = _ours(copy), _ours(source)
        assert ours.pop("size_bytes") != binary.pop("size_bytes")  # pbtxt is bigger, the rest is the same
        assert ours == binary, name


def test_the_cli_inspects_without_tensorflow(real_models):
    path = real_models["half_plus_two_v1"]
    script = ("import sys\nfrom tfhub.cli.main import main\ncode = main(sys.argv[1:])\n"
              "assert 'tensorflow' not in sys.modules, 'imported TensorFlow'\nsys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", script, "inspect", "--json", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["format"] == "TF1 Hub format"
    done = subprocess.run([sys.executable, "-m", "tfhub", "inspect", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and "in   default: float32<unknown rank>" in done.stdout, done.stderr


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_an_unreadable_saved_model_pb_is_a_model_format_error(real_models, tmp_path, damage):
    model = tmp_path / "m"
    model.mkdir()
    data = (real_models["27_tfs_half_plus_two_tf2"] / "saved_model.pb").read_bytes()
    (model / "saved_model.pb").write_bytes(data[:len(data) // 2] if damage == "truncated" else b"\xff" * 64)
    started = time.monotonic()
    with pytest.raises(errors.ModelFormatError, match="is not a readable SavedModel") as info:
        inspection.describe(str(model))
    assert isinstance(info.value, ValueError) and time.monotonic() - started < 5


def test_a_symlink_loop_and_a_dangling_link_do_not_hang_or_fail(real_models, tmp_path):
    model = tmp_path / "m"
    (model / "assets").mkdir(parents=True)
    (model / "saved_model.pb").write_bytes((real_models["27_tfs_half_plus_two_tf2"] / "saved_model.pb").read_bytes())
    (model / "assets" / "a.txt").write_text("x")
    (model / "assets" / "loop").symlink_to("..")
    (model / "assets" / "dangling").symlink_to(tmp_path / "nothing")
    description = inspection.describe(str(model))
    assert description.assets == ["assets/a.txt", "assets/dangling", "assets/loop/saved_model.pb"]


def test_a_file_url_reads_like_its_path(real_models):
    path = real_models["08_tfs_half_plus_two_assets_extra"]
    by_url = inspection.describe(f"file://{path}").to_dict()
    assert by_url.pop("path") == f"file://{path}"
    assert by_url == _ours(path)
