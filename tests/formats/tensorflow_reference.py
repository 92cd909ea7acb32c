"""The oracle: a model described with TensorFlow's own readers, for comparison.

TensorFlow's generated ``saved_model_pb2``, ``tf.dtypes``, ``tf.train.load_checkpoint``
and ``tf.io.gfile`` give what tfhub's TensorFlow-free reader must give. Run as a
script (in a TensorFlow lane) to rewrite ``real_models_golden.json``, the
expected descriptions the TensorFlow-free lane compares with.
"""

from __future__ import annotations

import json
import os
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Dict

GOLDEN = Path(__file__).with_name("real_models_golden.json")


def _tensor(tf: Any, info: Any) -> Dict[str, Any]:
    encoding = info.WhichOneof("encoding")
    shape = None if info.tensor_shape.unknown_rank else [
        None if d.size < 0 else int(d.size) for d in info.tensor_shape.dim]
    return {"dtype": tf.dtypes.as_dtype(info.dtype).name if info.dtype else "composite", "shape": shape,
            "kind": {"coo_sparse": "sparse", "composite_tensor": "composite"}.get(encoding, "dense")}


def describe_with_tensorflow(path: str) -> Dict[str, Any]:
    """The description of model directory ``path`` (as ModelDescription.to_dict(), no "path")."""
    import tensorflow as tf
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString(tf.io.gfile.GFile(os.path.join(path, "saved_model.pb"), "rb").read())
    variants = []
    for mg in proto.meta_graphs:
        info = mg.meta_info_def
        variants.append({
            "tags": sorted(info.tags),
            "signatures": {name: {"method_name": sig.method_name,
                                  "inputs": {k: _tensor(tf, v) for k, v in sorted(sig.inputs.items())},
                                  "outputs": {k: _tensor(tf, v) for k, v in sorted(sig.outputs.items())}}
                           for name, sig in sorted(mg.signature_def.items()) if not name.startswith("__")},
            "tensorflow_version": info.tensorflow_version or "unknown",
            "tensorflow_git_version": info.tensorflow_git_version or "unknown",
            "has_object_graph": len(mg.object_graph_def.nodes) > 0,
        })
    hub_module = tf.io.gfile.exists(os.path.join(path, "tfhub_module.pb"))
    count = nbytes = 0
    prefix = os.path.join(path, "variables", "variables")
    if tf.io.gfile.exists(prefix + ".index"):
        reader = tf.train.load_checkpoint(prefix)
        dtypes = reader.get_variable_to_dtype_map()
        for name, shape in reader.get_variable_to_shape_map().items():
            if name != "_CHECKPOINTABLE_OBJECT_GRAPH":
                elements = 1
                for dim in shape:
                    elements *= dim
                count += 1
                nbytes += elements * (dtypes[name].size if dtypes[name] != tf.string else 0)
    files = [os.path.join(d, f) for d, _, fs in tf.io.gfile.walk(path) for f in fs]
    relative = [os.path.relpath(f, path) for f in files]
    assets = [r for sub in ("assets", "assets.extra") for r in sorted(r for r in relative if r.split(os.sep)[0] == sub)]
    return {
        "format": "TF1 Hub format" if hub_module else (
            "TF2 SavedModel" if any(v["has_object_graph"] for v in variants) else "TF1 SavedModel"),
        "variants": variants, "variable_count": count, "variable_bytes": nbytes,
        "assets": assets, "size_bytes": sum(tf.io.gfile.stat(f).length for f in files),
    }


def real_model_dirs(testdata: Path, scratch: Path) -> Dict[str, Path]:
    """Every shared real model by id, half_plus_two_v1 (TF1 Hub format) extracted into ``scratch``."""
    models = {p.name: p for p in sorted((testdata / "realmodels").iterdir()) if (p / "saved_model.pb").exists()}
    target = scratch / "half_plus_two_v1"
    if not target.exists():
        target.mkdir(parents=True)
        with tarfile.open(testdata / "half_plus_two_v1.tar.gz") as archive:
            archive.extractall(target)
    models["half_plus_two_v1"] = target
    return models


def main() -> None:
    from tests.conftest import shared_testdata_path

    with tempfile.TemporaryDirectory() as scratch:
        models = real_model_dirs(shared_testdata_path(), Path(scratch))
        golden = {name: describe_with_tensorflow(str(path)) for name, path in models.items()}
    GOLDEN.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN} ({len(golden)} models)", file=sys.stderr)


if __name__ == "__main__":
    main()
