"""The differential harness: scenarios, their outcomes, and the child process that runs them.

A scenario is plain user code: ``fn(hub, ctx) -> dict``, where ``hub`` is either
``tensorflow_hub`` or ``tfhub``. It runs in a child process per library
(``python -m tests.differential.harness LIB CONTEXT_JSON OUT_JSONL NAME...``) and
returns JSON-able facts; the test compares the two libraries' facts per scenario.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

# (public name, parameter or method); "" stands for the name itself.
Covers = Sequence[Tuple[str, str]]

# Builtins a tensorflow_hub caller may catch, checked with isinstance.
_BUILTIN_ERRORS = (FileNotFoundError, NotADirectoryError, PermissionError, OSError, KeyError,
                   IndexError, NotImplementedError, TypeError, ValueError, AttributeError,
                   RuntimeError, ImportError, AssertionError)


@dataclasses.dataclass
class Scenario:
    name: str
    fn: Callable[[Any, "Context"], Dict[str, Any]]
    covers: Covers
    hub_versions: Tuple[str, ...]  # tensorflow_hub "major.minor" where it applies
    group: str  # scenarios of one group share a child process
    xfail: Dict[str, str]  # tensorflow_hub "major.minor" (or "*") -> reason
    differs: Dict[str, Tuple[Any, Any]]  # outcome key -> (tensorflow_hub's, tfhub's), deliberate
    superset: bool = False  # tfhub may have more: dict keys and list items are compared as sets


SCENARIOS: Dict[str, Scenario] = {}

# Environments of the groups on TF 2.16+: "keras2" runs with TF_USE_LEGACY_KERAS=1, the
# documented way to have tf.keras be Keras 2 there, which tensorflow_hub needs (TF 2.15's
# tf.keras is Keras 2 already, and the variable would make it look for tf_keras).
# Most scenarios use no Keras, or Keras 2 as tensorflow_hub needs: the default group.
GROUP_ENV: Dict[str, Dict[str, str]] = {"plain": {}, "keras2": {"TF_USE_LEGACY_KERAS": "1"}}


def scenario(covers: Covers, *, hub: Sequence[str] = ("0.15", "0.16"), group: str = "keras2",
             xfail: Optional[Dict[str, str]] = None,
             differs: Optional[Dict[str, Tuple[Any, Any]]] = None, superset: bool = False) -> Callable:
    """Registers ``fn`` as a scenario (see module docstring)."""
    def register(fn: Callable) -> Callable:
        assert fn.__name__ not in SCENARIOS, fn.__name__
        SCENARIOS[fn.__name__] = Scenario(fn.__name__, fn, tuple(covers), tuple(hub), group,
                                          dict(xfail or {}), dict(differs or {}), superset)
        return fn
    return register


@dataclasses.dataclass
class Context:
    """What a scenario may use: the fixture models, a URL base, and its own temp dir."""

    models: Dict[str, str]
    url: str
    tmp: str

    def keras(self) -> Any:
        """Keras 2, as tensorflow_hub's KerasLayer needs (tf_keras on TF 2.16+)."""
        import tensorflow as tf
        version = getattr(tf.keras, "version", None)
        if version and version().startswith("3."):
            import tf_keras
            return tf_keras
        return tf.keras


def error_kinds(exc: BaseException) -> List[str]:
    """The builtin and tf.errors classes ``exc`` is an instance of (what a caller can catch)."""
    kinds = [cls.__name__ for cls in _BUILTIN_ERRORS if isinstance(exc, cls)]
    if "tensorflow" in sys.modules:
        import tensorflow as tf
        kinds += [f"tf.errors.{name}" for name in dir(tf.errors)
                  if isinstance(getattr(tf.errors, name), type)
                  and issubclass(getattr(tf.errors, name), BaseException)
                  and isinstance(exc, getattr(tf.errors, name))]
    return sorted(kinds) or [type(exc).__name__]


def attempt(fn: Callable[[], Any], message: bool = True) -> Any:
    """``fn()``'s value, or ``{"error": kinds, "message": ...}`` if it raised."""
    try:
        return fn()
    except Exception as exc:  # the kind of error is the outcome
        return {"error": error_kinds(exc), **({"message": str(exc)[:300]} if message else {})}


def jsonable(value: Any) -> Any:
    """numpy arrays, tensors, shapes, dtypes, bytes, tuples and sets as JSON values."""
    import numpy as np
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if hasattr(value, "numpy") and callable(value.numpy):  # eager tensors, variables
        value = value.numpy()
    if isinstance(value, (np.ndarray, np.generic)):
        return jsonable(value.tolist())
    if hasattr(value, "as_list") and hasattr(value, "rank"):  # tf.TensorShape
        return None if value.rank is None else list(value.as_list())
    if hasattr(value, "as_numpy_dtype"):  # tf.DType
        return value.name
    return repr(value)


def _run_one(hub: Any, item: Scenario, context: Dict[str, Any], root: str) -> Dict[str, Any]:
    tmp = tempfile.mkdtemp(prefix=item.name + "-", dir=root)
    saved_env = dict(os.environ)
    os.environ["TFHUB_CACHE_DIR"] = os.path.join(tmp, "cache")
    cwd = os.getcwd()
    try:
        result = item.fn(hub, Context(tmp=tmp, **context))
        return {"outcome": jsonable(result)}
    except Exception as exc:
        return {"outcome": {"error": error_kinds(exc)},
                "traceback": traceback.format_exc()[-3000:]}
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def import_library(name: str) -> Any:
    """``tensorflow_hub`` or ``tfhub`` (the locks carry the setuptools whose pkg_resources
    tensorflow_hub's import check needs)."""
    import importlib

    return importlib.import_module(name)


def main(argv: List[str]) -> None:
    library, context_path, out_path, *names = argv
    # Run as __main__, this file is not the imported module the scenarios register in.
    from tests.differential import harness, scenarios
    hub = import_library(library)  # while the parent still writes the models
    deadline = time.monotonic() + 600
    while not os.path.exists(context_path) and time.monotonic() < deadline:
        time.sleep(0.2)
    context = json.loads(Path(context_path).read_text())
    root = tempfile.mkdtemp(prefix=f"diff-{library}-")
    with open(out_path, "w") as out:
        for name in names:
            start = time.monotonic()
            record = _run_one(hub, harness.SCENARIOS[name], context, root)
            record["seconds"] = round(time.monotonic() - start, 2)
            out.write(json.dumps({"name": name, **record}) + "\n")
            out.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
