"""A TF1 Hub format module (``hub.Module``) trained between-graph replicated on a ps job.

Run directly, it writes a tiny TF1 Hub format module, starts a local cluster of
one parameter server and two workers (``tf.distribute.Server`` processes on
127.0.0.1) and trains between-graph replicated (see ``between_graph.py``)::

    python examples/distributed/ps_hub_module.py [WORKDIR]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import between_graph


def build_model(x: Any) -> Tuple[Any, Sequence[Any]]:
    """``hub.Module(--model, trainable=True)`` applied to ``x``."""
    import tfhub as hub

    module = hub.Module(between_graph.model_path(), trainable=True)
    return module(x), module.variables


def write_model(path: Path) -> Path:
    """A TF1 Hub format module: x * 0.5 + 2."""
    import example_models

    return example_models.write_tf1_hub_module(path)


def launch(model: str, workdir: Path, **kwargs: Any) -> Dict[Tuple[str, int], Dict[str, Any]]:
    """Trains ``model`` on a local cluster (see ``between_graph.launch``)."""
    return between_graph.launch(Path(__file__), model, workdir, **kwargs)


if __name__ == "__main__":
    between_graph.script_main(Path(__file__), build_model, write_model)
