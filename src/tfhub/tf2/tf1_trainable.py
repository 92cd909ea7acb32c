"""TF1 Hub format modules as trainable TF2 objects (fine-tuning in TF2).

``hub.load`` follows tensorflow_hub: a TF1 module comes back frozen, without
``trainable_variables``, losses or batch-norm updates. :func:`load_trainable`
instead returns an object following the Reusable SavedModel convention:

* ``variables`` / ``trainable_variables``: TF2 variables restored from the
  module's checkpoint, trainable as the module's TRAINABLE_VARIABLES say;
* ``__call__(inputs, training=False)``: one signature of the module; with
  ``training=True`` it runs the ``{"train"}`` graph variant when the module
  has one, together with that variant's UPDATE_OPS (batch-norm moving averages);
* ``regularization_losses``: one callable per REGULARIZATION_LOSSES tensor.

``hub.KerasLayer(handle, trainable=True)`` uses this for TF1 Hub format modules.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Iterable, List, Optional

from tfhub import errors, formats
from tfhub._tf import tensorflow
from tfhub.resolving.resolvers import resolve
from tfhub.tf2 import tf1_graphs

tf: Any = tensorflow()


def load_trainable(handle: str, signature: str = "default",
                   tags: Optional[Iterable[str]] = None, options: Any = None,
                   path: Optional[str] = None) -> "Tf1TrainableModule":
    """Loads a TF1 Hub format module for fine-tuning in TF2.

    Args:
        handle: URL or path of a TF1 Hub format module.
        signature: the signature that ``__call__`` runs.
        tags: the inference graph variant (default: the empty tag set). The
            ``{"train"}`` variant is used for ``training=True`` when present.
        options: accepted for symmetry with ``hub.load``; unused, since the
            graphs are imported directly.
        path: the handle's directory when the caller already resolved it.

    Returns:
        A :class:`Tf1TrainableModule`.

    Raises:
        Tf1FineTuningError: not a TF1 Hub format module, unknown signature or
            tags, or TF1 reference variables (which TF2 cannot train).
        OSError: the handle cannot be resolved.
    """
    del options
    if path is None:
        path = resolve(handle)
    if not formats.detect(path).is_hub_module_v1:
        raise errors.Tf1FineTuningError(
            f"{handle!r} is not a TF1 Hub format module (no tfhub_module.pb); fine-tune "
            "TF2 SavedModels with hub.KerasLayer(handle, trainable=True).")
    variants = tf1_graphs.read_variants(path, tags, handle)
    if signature not in variants.inference.signature_def:
        raise errors.Tf1FineTuningError(
            f"Unknown signature {signature} in {handle} (available signatures: "
            f"{sorted(variants.inference.signature_def)}).")
    return Tf1TrainableModule(path, handle, variants, signature)


class Tf1TrainableModule(tf.Module):
    """One signature of a TF1 Hub format module, trainable in TF2."""

    _is_hub_module_v1 = True

    def __init__(self, path: str, handle: str, variants: tf1_graphs.Variants,
                 signature: str) -> None:
        super().__init__(name="tf1_hub_module")
        inference = variants.inference
        defs = tf1_graphs.variable_defs(inference, "variables")
        tf1_graphs.check_resource_variables(defs, handle)
        trainable = {tf1_graphs.op_name(d.variable_name)
                     for d in tf1_graphs.variable_defs(inference, "trainable_variables")}
        wrapped, self._variables, self._handle_feeds = tf1_graphs.import_variants_fed(
            variants, tf1_graphs.initial_values(path, defs), trainable)
        self._signature_def = inference.signature_def[signature]
        self._input_keys = sorted(self._signature_def.inputs)
        self._infer = self._prune(wrapped, inference, "", update_ops=False)
        self._train = (self._prune(wrapped, variants.train, "train/", update_ops=True)
                       if variants.train is not None else None)
        self._loss_fns = [
            wrapped.prune(feeds=self._handle_feeds, fetches=wrapped.graph.get_tensor_by_name(n))
            for n in tf1_graphs.node_names(inference, "regularization_losses")]
        self._losses = [functools.partial(self._call_loss, f) for f in self._loss_fns]
        for function in [self._infer, self._train, *self._loss_fns]:
            if function is not None:
                # Lets GradientTape watch the captured variables on each call.
                function.graph.variables = self._variables

    def _prune(self, wrapped: Any, meta_graph: Any, scope: str, update_ops: bool) -> Any:
        return tf1_graphs.prune_signature(wrapped, meta_graph, self._signature_def_key(meta_graph),
                                          scope, update_ops, self._handle_feeds)

    def _handles(self) -> List[Any]:
        """The variables' handles for this call: each replica's own copy under a strategy."""
        if tf.distribute.in_cross_replica_context():  # e.g. model(x) outside strategy.run
            strategy = tf.distribute.get_strategy()
            return [strategy.experimental_local_results(v)[0].handle for v in self._variables]
        return [v.handle for v in self._variables]

    def _call_loss(self, function: Any) -> Any:
        return function(*self._handles())

    def _signature_def_key(self, meta_graph: Any) -> str:
        for key, signature_def in meta_graph.signature_def.items():
            if signature_def == self._signature_def or (
                    sorted(signature_def.inputs) == self._input_keys
                    and sorted(signature_def.outputs) == sorted(self._signature_def.outputs)):
                return key
        raise errors.Tf1FineTuningError(
            "The module's train variant has no signature matching the inference one.")

    @property
    def variables(self) -> List[Any]:
        return list(self._variables)

    @property
    def trainable_variables(self) -> List[Any]:
        return [v for v in self._variables if v.trainable]

    @property
    def regularization_losses(self) -> List[Callable[[], Any]]:
        return list(self._losses)

    def __call__(self, inputs: Any, training: bool = False) -> Dict[str, Any]:
        """Runs the signature; ``inputs`` is a tensor (one input) or a dict.

        Raises:
            Tf1FineTuningError: the inputs do not match the signature's.
        """
        feeds = self._feeds(inputs) + self._handles()
        if training and self._train is not None:
            outputs, _ = self._train(*feeds)
            return outputs
        return self._infer(*feeds)

    def _feeds(self, inputs: Any) -> List[Any]:
        if not isinstance(inputs, dict):
            if len(self._input_keys) != 1:
                raise errors.Tf1FineTuningError(
                    f"This signature takes inputs {self._input_keys}; pass a dict.")
            inputs = {self._input_keys[0]: inputs}
        missing = set(self._input_keys) - set(inputs)
        if missing:
            raise errors.Tf1FineTuningError(
                f"Missing inputs {sorted(missing)}; the signature takes {self._input_keys}.")
        return [inputs[k] for k in self._input_keys]
