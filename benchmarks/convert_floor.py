"""The floor of `tfhub convert`: the work any TF1 -> TF2 converter must do, and no more.

Run as ``<venv>/bin/python benchmarks/convert_floor.py SRC DST`` in a fresh process:
imports the TF1 module's MetaGraph with ``tf.compat.v1`` (inside a
``wrap_function``), restores its variables from the checkpoint with one restore
op, and ``tf.saved_model.save``s the result with its signatures. No
verification, no training variant, no reusable attributes: what is left is
importing the graph, reading the checkpoint and writing the SavedModel.
Prints ``BENCH-RESULT {json}`` with the time of each phase.
"""

from __future__ import annotations

import json
import sys
import time


def main(src: str, dst: str) -> dict:
    start = time.perf_counter()
    import tensorflow as tf

    imported = time.perf_counter()
    # load_v2 of a TF1 SavedModel: import_meta_graph in a wrap_function, then the
    # saver's restore op, run once for every variable.
    loaded = tf.compat.v1.saved_model.load_v2(src, tags=[])
    restored = time.perf_counter()
    tf.saved_model.save(loaded, dst, signatures=dict(loaded.signatures))
    saved = time.perf_counter()
    return {"import_tf_s": imported - start, "load_s": restored - imported, "save_s": saved - restored,
            "total_s": saved - start}


if __name__ == "__main__":
    result = main(sys.argv[1], sys.argv[2])
    sys.stdout.write("BENCH-RESULT " + json.dumps(result) + "\n")
