"""Writing a module directory atomically: build it in a temp dir, then rename.

An export never overwrites: if the target exists and is not an empty
directory, nothing is written; if anything fails midway, the temporary
directory is removed and the target is untouched. An existing empty directory
(the ``tempfile.mkdtemp()`` pattern) is replaced by the finished module in one
rename.
"""

from __future__ import annotations

import os
import uuid
from typing import Any, Callable, Optional

from tfhub import errors, logs
from tfhub._tf import tensorflow
from tfhub.formats.detect import MODULE_DEF_FILENAME
from tfhub.formats.module_def import module_def_bytes
from tfhub.tf1 import saved_model_io

tf = tensorflow()
_log = logs.logger()


def _check_target_free(path: str) -> bool:
    """True if ``path`` is an empty directory to export into, False if it is absent.

    Raises:
        ExportExistsError: ``path`` is a file or a directory with something in it.
    """
    if not tf.io.gfile.exists(path):
        return False
    if tf.io.gfile.isdir(path) and not tf.io.gfile.listdir(path):
        return True
    raise errors.ExportExistsError(
        f"Cannot export to {path!r}: it already exists and is not an empty directory. "
        "tfhub never overwrites a module; remove it first or choose a new directory "
        "(e.g. one per version number).")


def _move_into_place(temp: str, path: str) -> None:
    """Renames the finished module to ``path``, replacing it only if it is an empty dir."""
    if "://" not in path:
        try:
            os.rename(temp, path)  # POSIX replaces an empty directory atomically, never a full one
        except OSError:
            if os.path.exists(path):
                _check_target_free(path)  # raises if it has filled up meanwhile
            raise
        return
    if _check_target_free(path):
        tf.io.gfile.rmtree(path)  # other filesystems cannot rename over a directory
    tf.io.gfile.rename(temp, path, overwrite=False)


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
        path: the new module directory; it must not exist or be an empty directory.
        saved_model: the spec's SavedModel proto (asset paths absolute).
        write_variables: called with the checkpoint prefix to write, if any.

    Raises:
        ExportExistsError: ``path`` exists and is not an empty directory.
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
        _move_into_place(temp, path)
    except BaseException:
        if tf.io.gfile.exists(temp):
            tf.io.gfile.rmtree(temp)
        raise
    _log.info("Exported TF-Hub module to: %s", path)
