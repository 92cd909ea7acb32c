"""Exporting hub.Modules from a ``tf.estimator`` training job.

``tf.estimator`` exists up to TensorFlow 2.15 (with ``tensorflow-estimator``);
on later TensorFlow, constructing :class:`LatestModuleExporter` raises an
ImportError that says so.
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Optional

from tfhub import errors, logs
from tfhub._tf import tensorflow

tf = tensorflow()
_log = logs.logger()

EXPORT_MODULES_COLLECTION = ("__tfhub_export_modules",)
_TIMESTAMP_DIGITS = 10


def register_module_for_export(module: Any, export_name: str) -> None:
    """Marks ``module`` (in the current graph) for export as ``<export dir>/<export_name>``.

    Raises:
        ValueError: another module is already registered under ``export_name``.
    """
    for used_name, _ in tf.compat.v1.get_collection(EXPORT_MODULES_COLLECTION):
        if used_name == export_name:
            raise ValueError(f"There is already a module registered to be exported as "
                             f"{export_name!r}; pick a unique export_name.")
    tf.compat.v1.add_to_collection(EXPORT_MODULES_COLLECTION, (export_name, module))


def _estimator_module() -> Any:  # None where TensorFlow has no Estimator
    try:
        return tf.compat.v1.estimator
    except (AttributeError, ImportError):
        return None


_ESTIMATOR = _estimator_module()
_EXPORTER_BASE = _ESTIMATOR.Exporter if _ESTIMATOR is not None else object


def _new_export_dir(export_path: str) -> str:
    for _ in range(10):
        candidate = os.path.join(export_path, str(int(time.time())))
        if not tf.io.gfile.exists(candidate):
            return candidate
        time.sleep(1)
    raise errors.ExportExistsError(
        f"Could not find a fresh timestamped directory in {export_path} after 10 attempts; "
        "is another exporter writing there?")


def _collect_garbage(export_path: str, keep: Optional[int]) -> None:
    if keep is None:
        return
    names = [n.rstrip("/") for n in tf.io.gfile.listdir(export_path)]
    versions = sorted((n for n in names if len(n) == _TIMESTAMP_DIGITS and n.isdigit()), key=int)
    for name in versions[:-keep]:
        tf.io.gfile.rmtree(os.path.join(export_path, name))


class LatestModuleExporter(_EXPORTER_BASE):  # type: ignore[misc,valid-type]
    """An Estimator exporter writing every registered hub.Module of the model.

    Args:
        name: the exporter's name (its directory under ``<model_dir>/export``).
        serving_input_fn: returns the features (or a ServingInputReceiver) for PREDICT.
        exports_to_keep: how many timestamped exports to keep; None keeps all.

    Raises:
        EstimatorMissingError: this TensorFlow has no tf.estimator.
        ValueError: ``exports_to_keep`` is not positive.
    """

    def __init__(self, name: str, serving_input_fn: Callable[[], Any],
                 exports_to_keep: Optional[int] = 5):
        if _ESTIMATOR is None:
            raise errors.EstimatorMissingError(
                f"hub.LatestModuleExporter needs tf.estimator, which TensorFlow {tf.__version__} "
                "does not have: it was removed in TensorFlow 2.16. Use TensorFlow 2.15 with "
                "tensorflow-estimator 2.15, or export with hub.Module.export(path, session).")
        if exports_to_keep is not None and exports_to_keep <= 0:
            raise ValueError(f"exports_to_keep must be positive or None, not {exports_to_keep}.")
        self._name = name
        self._serving_input_fn = serving_input_fn
        self._exports_to_keep = exports_to_keep

    @property
    def name(self) -> str:
        return self._name

    def _build_predict_graph(self, estimator: Any) -> Any:
        tf.compat.v1.train.create_global_step()
        if estimator.config.tf_random_seed is not None:
            tf.compat.v1.set_random_seed(estimator.config.tf_random_seed)
        features = self._serving_input_fn()
        features = getattr(features, "features", features)
        return estimator.model_fn(features, None, _ESTIMATOR.ModeKeys.PREDICT, estimator.config)

    def export(self, estimator: Any, export_path: str, checkpoint_path: Optional[str] = None,
               eval_result: Any = None, is_the_final_export: Any = None) -> Optional[bytes]:
        """Exports the registered modules to ``<export_path>/<timestamp>/<export_name>``.

        Returns:
            The export directory as bytes, or None when no module was registered.
        """
        checkpoint_path = checkpoint_path or estimator.latest_checkpoint()
        with tf.Graph().as_default() as graph:
            spec = self._build_predict_graph(estimator)
            modules = graph.get_collection(EXPORT_MODULES_COLLECTION)
            if not modules:
                _log.warning("LatestModuleExporter %r: no module registered for export "
                             "(call hub.register_module_for_export in model_fn).", self._name)
                return None
            saver = (spec.scaffold.saver if spec.scaffold and spec.scaffold.saver
                     else tf.compat.v1.train.Saver(sharded=True))
            export_dir = _new_export_dir(export_path)
            temp_dir = os.path.join(export_path, f"temp-{os.path.basename(export_dir)}")
            with tf.compat.v1.Session(config=estimator._session_config) as session:
                saver.restore(session, checkpoint_path)
                try:
                    for export_name, module in modules:
                        module.export(os.path.join(temp_dir, export_name), session)
                    tf.io.gfile.rename(temp_dir, export_dir)
                finally:
                    if tf.io.gfile.exists(temp_dir):
                        tf.io.gfile.rmtree(temp_dir)
        _collect_garbage(export_path, self._exports_to_keep)
        return export_dir.encode()
