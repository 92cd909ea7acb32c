"""Writing a module directory atomically: build it in a temp dir, then rename.

An export never overwrites: if the target exists, nothing is written; if
anything fails midway, the temporary directory is removed and the target is
untouched.
"""

from __future__ import annotations

import logging
import os
import uuid
from typing import Any, Callable, Optional

from tfhub import errors
from tfhub._tf import tensorflow
from tfhub.formats.detect import MODULE_DEF_FILENAME
from tfhub.formats.module_def import module_def_bytes
from tfhub.tf1 import saved_model_io

tf = tensorflow()
_log = logging.getLogger("tfhub")


def _check_target_free(path: str) -> None:
    if tf.io.gfile.exists(path):
        raise errors.ExportExistsError(
            f"Cannot export to {path!r}: it already exists. tfhub never overwrites a module; "
            "remove it first or choose a new directory (e.g. one per version number).")


def _write_bytes(path: str, data: bytes) -> None:
    with tf.io.gfile.GFile(path, "wb") as f:
        f.write(data)


def _write_saved_model(saved_model: Any, target: str) -> None:
    exported = type(saved_model)()
    exported.CopyFrom(saved_model)
    plan = saved_model_io.plan_asset_copies(exported.meta_graphs)
    assets_dir = os.path.join(target, saved_model_io.ASSETS_DIRNAME)
    tf.io.gfile.makedirs(assets_dir)
    for source, name in sorted(plan.items(), key=lambda item: item[1]):
        tf.io.gfile.copy(source.decode(), os.path.join(assets_dir, name), overwrite=False)
    for meta_graph in exported.meta_graphs:
        saved_model_io.externalize_assets(meta_graph, plan)
    _write_bytes(os.path.join(target, saved_model_io.SAVED_MODEL_FILENAME),
                 exported.SerializeToString())


def write_module(path: str, saved_model: Any,
                 write_variables: Optional[Callable[[str], None]] = None) -> None:
    """Writes a TF1 Hub format module directory at ``path``, atomically.

    Args:
        path: the new module directory; it must not exist.
        saved_model: the spec's SavedModel proto (asset paths absolute).
        write_variables: called with the checkpoint prefix to write, if any.

    Raises:
        ExportExistsError: ``path`` exists already.
    """
    path = os.fspath(path)
    _check_target_free(path)
    parent = os.path.dirname(os.path.abspath(path)) if "://" not in path else os.path.dirname(path)
    tf.io.gfile.makedirs(parent)
    temp = os.path.join(parent, f".{os.path.basename(path)}.tfhub-export-{uuid.uuid4().hex}")
    try:
        tf.io.gfile.makedirs(os.path.join(temp, saved_model_io.VARIABLES_DIRNAME))
        if write_variables is not None:
            write_variables(saved_model_io.checkpoint_prefix(temp))
        _write_saved_model(saved_model, temp)
        _write_bytes(os.path.join(temp, MODULE_DEF_FILENAME), module_def_bytes())
        _check_target_free(path)
        tf.io.gfile.rename(temp, path, overwrite=False)
    except BaseException:
        if tf.io.gfile.exists(temp):
            tf.io.gfile.rmtree(temp)
        raise
    _log.info("Exported TF-Hub module to: %s", path)
