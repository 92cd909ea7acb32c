"""A TF1 Hub format module rebuilt as a reusable TF2 object, ready to save.

Built on :mod:`tfhub.tf2.tf1_graphs` (the machinery behind fine-tuning TF1
modules in TF2): both graph variants are imported into one wrapped function
sharing one set of TF2 variables, and every signature is cut from it twice,
for inference and (with the ``{"train"}`` variant and its UPDATE_OPS) for
training.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from tfhub._tf import tensorflow
from tfhub.convert import tables as tables_lib
from tfhub.tf1 import tensor_info
from tfhub.tf2 import tf1_graphs

tf = tensorflow()


class SignatureFunctions:
    """One signature cut from the wrapped graph: inference and training."""

    def __init__(self, wrapped: Any, variants: tf1_graphs.Variants, name: str) -> None:
        self.name = name
        signature = variants.inference.signature_def[name]
        self.input_keys = sorted(signature.inputs)
        self.input_specs = {k: tensor_info.type_spec_of(signature.inputs[k]) for k in self.input_keys}
        self.output_keys = sorted(signature.outputs)
        self._infer = tf1_graphs.prune_signature(wrapped, variants.inference, name, "", update_ops=False)
        if variants.train is not None and name in variants.train.signature_def:
            self._train = tf1_graphs.prune_signature(wrapped, variants.train, name, "train/", update_ops=True)
        elif tf1_graphs.node_names(variants.inference, "update_ops"):
            self._train = tf1_graphs.prune_signature(wrapped, variants.inference, name, "", update_ops=True)
        else:
            self._train = None

    def run(self, inputs: Dict[str, Any], training: bool) -> Dict[str, Any]:
        """The signature's outputs for a dict of (possibly composite) inputs."""
        flat = [c for k in self.input_keys for c in tensor_info.components_of(inputs[k])]
        if training and self._train is not None:
            return self._train(*flat)[0]
        return self._infer(*flat)


class Tf1Conversion:
    """Everything of a TF1 module needed to write the converted SavedModel.

    Attributes:
        path, variants: the module directory and its MetaGraphDefs (verification runs them).
        variables: the TF2 variables, restored from the module's checkpoint.
        signatures: name -> :class:`SignatureFunctions`.
        losses: the regularization-loss functions (no arguments).
        tables: the converted tables, and the initializer that fills them.
    """

    def __init__(self, path: str, handle: str, tags: Optional[Any]) -> None:
        self.path = path
        variants = self.variants = tf1_graphs.read_variants(path, tags, handle)
        inference = variants.inference
        defs = tf1_graphs.variable_defs(inference, "variables")
        trainable = {tf1_graphs.op_name(d.variable_name)
                     for d in tf1_graphs.variable_defs(inference, "trainable_variables")}
        self.tables = {f"{n.name}:0": tables_lib.ConvertedTable(n)
                       for n in tables_lib.table_nodes(inference)}
        wrapped, self.variables = tf1_graphs.import_variants(
            variants, tf1_graphs.initial_values(path, defs), trainable,
            resources={k: t.resource_handle for k, t in self.tables.items()})
        self.initializer = (tables_lib.make_initializer(wrapped, inference, path,
                                                        list(self.tables.values()))
                            if self.tables else None)
        self.signatures = {name: SignatureFunctions(wrapped, variants, name)
                           for name in sorted(inference.signature_def)}
        self.losses: List[Callable[[], Any]] = [
            wrapped.prune(feeds=[], fetches=wrapped.graph.get_tensor_by_name(n))
            for n in tf1_graphs.node_names(inference, "regularization_losses")]

    @property
    def trackables(self) -> Dict[str, Any]:
        """More objects the written SavedModel must hold (tables and their initializer)."""
        if not self.tables:
            return {}
        return {"tables": list(self.tables.values()), "table_initializer": self.initializer}

    @property
    def trainable_variables(self) -> List[Any]:
        return [v for v in self.variables if v.trainable]
