"""A TF2 SavedModel (``hub.load``) trained in a TF1 graph with its variables on a ps job.

Run directly, it writes a tiny TF2 SavedModel, starts a local cluster of one
parameter server and two workers (``tf.distribute.Server`` processes on 127.0.0.1)
and trains between-graph replicated (see ``between_graph.py``), in
``tf.compat.v1.Session``s with ``share_cluster_devices_in_session=True``. The chief
also shows what a Session without that setting does::

    python examples/distributed/ps_hub_load.py [WORKDIR]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import between_graph


def build_model(x: Any) -> Tuple[Any, Sequence[Any]]:
    """``hub.load`` of the ``--model`` TF2 SavedModel, called on ``x``."""
    import tfhub as hub

    model = hub.load(between_graph.model_path())
    return model(x), model.trainable_variables


def write_model(path: Path) -> Path:
    """A reusable TF2 SavedModel: x * 3 + 1."""
    import example_models

    return example_models.write_tf2_saved_model(path)


def launch(model: str, workdir: Path, **kwargs: Any) -> Dict[Tuple[str, int], Dict[str, Any]]:
    """Trains ``model`` on a local cluster (see ``between_graph.launch``)."""
    return between_graph.launch(Path(__file__), model, workdir, **kwargs)


if __name__ == "__main__":
    between_graph.script_main(Path(__file__), build_model, write_model)
