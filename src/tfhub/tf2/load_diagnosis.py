"""Explain why TensorFlow could not load a model, without changing the error type.

``hub.load`` re-raises TensorFlow's own exception (callers of tensorflow_hub
catch those types) and attaches a note that names the handle, the cause in
plain words and the fix.
"""

from __future__ import annotations

from typing import Iterable, Optional, Tuple

from tfhub import logs

_log = logs.logger()

# (substring of TensorFlow's message, cause, fix)
_KNOWN_CAUSES: Tuple[Tuple[str, str, str], ...] = (
    (
        "needs an input for each placeholder",
        "a signature's outputs depend on a placeholder that is not one of its "
        "inputs, so TF2's loader cannot lift the TF1 graph into functions",
        "load it in a TF1 graph: tf.compat.v1.saved_model.loader.load(session, "
        "tags, path) (or hub.Module for the TF1 Hub format)",
    ),
    (
        "has a reference type",
        "the graph uses TF1 reference variables (e.g. float_ref), which TF2's "
        "loader cannot import",
        "load it in a TF1 graph with tf.compat.v1.saved_model.loader.load, or "
        "re-export it with resource variables",
    ),
    (
        "appears more than once in the input list",
        "one tensor is fed twice to a pruned function (a TF1-only graph feature)",
        "load it in a TF1 graph with tf.compat.v1.saved_model.loader.load",
    ),
    (
        "Op type not registered",
        "the graph uses a custom op whose library is not loaded in this process",
        "import the Python package that registers the op (e.g. "
        "tensorflow_decision_forests, tensorflow_text) before loading",
    ),
    (
        "could not be found in SavedModel",
        "no graph variant of the model has the requested tags",
        "pass tags= one of the tag sets the message lists (tfhub inspect shows them)",
    ),
)


def explain(message: str) -> Optional[Tuple[str, str]]:
    """(cause, fix) for a TensorFlow load error message, when it is a known one."""
    for needle, cause, fix in _KNOWN_CAUSES:
        if needle in message:
            return cause, fix
    return None


def annotate(
    exc: BaseException, handle: str, path: str, tags: Optional[Iterable[str]]
) -> None:
    """Adds a note to ``exc`` naming the model, the cause and the fix."""
    tag_text = "default" if tags is None else repr(sorted(tags))
    lines = [f"tfhub: TensorFlow could not load '{handle}' (from {path}, tags {tag_text})."]
    known = explain(str(exc))
    if known:
        lines.append(f"Cause: {known[0]}.")
        lines.append(f"Fix: {known[1]}.")
    note = "\n".join(lines)
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:  # Python < 3.11
        _log.error(note)
