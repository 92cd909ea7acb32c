"""What a TF1 Hub format module holds, and what of it cannot be converted.

Read from the protos alone (nothing is executed), so ``tfhub convert --check``
and a real conversion report the same plan.
"""

from __future__ import annotations

import os
from typing import Iterable, List, Optional

from tensorflow.core.protobuf import meta_graph_pb2

from tfhub.convert import report as report_lib
from tfhub.convert import tables as tables_lib
from tfhub.tf1 import tensor_info
from tfhub.tf2 import tf1_graphs

# Ops making state the converter does not carry over (outside variables and tables).
_STATEFUL_SOURCES = ("VariableV2", "Variable", "HashTable", "MutableHashTable",
                     "MutableHashTableOfTensors", "MutableDenseHashTable", "MutableDenseHashTableV2",
                     "FIFOQueue", "FIFOQueueV2", "RandomShuffleQueueV2", "PaddingFIFOQueueV2",
                     "IteratorV2", "Iterator")


def inventory(path: str, handle: str, tags: Optional[Iterable[str]]) -> report_lib.ConversionReport:
    """The conversion plan of a TF1 Hub format module, with its problems.

    Raises:
        Tf1FineTuningError: no ``saved_model.pb`` or no variant with ``tags``.
    """
    variants = tf1_graphs.read_variants(path, tags, handle)
    inference, train = variants.inference, variants.train
    report = report_lib.ConversionReport(source=handle, source_format="TF1 Hub format")
    defs = tf1_graphs.variable_defs(inference, "variables")
    report.variables = len(defs)
    report.trainable_variables = len(tf1_graphs.variable_defs(inference, "trainable_variables"))
    report.regularization_losses = len(tf1_graphs.node_names(inference, "regularization_losses"))
    report.update_ops = len(tf1_graphs.node_names(train or inference, "update_ops"))
    report.tables = len(tables_lib.table_nodes(inference))
    report.assets = sorted(set(tables_lib.asset_files(inference).values()))
    for name in sorted(inference.signature_def):
        report.signatures.append(_signature_report(name, inference, train))
    report.problems = _problems(path, variants, defs)
    if train is None:
        report.notes.append("no {'train'} graph variant: training=True runs the default variant"
                            + (" with its update ops" if report.update_ops else ""))
    return report


def _signature_report(name: str, inference: meta_graph_pb2.MetaGraphDef,
                      train: Optional[meta_graph_pb2.MetaGraphDef]) -> report_lib.SignatureReport:
    signature = inference.signature_def[name]
    describe = report_lib.describe_spec
    return report_lib.SignatureReport(
        name=name,
        inputs={k: describe(tensor_info.type_spec_of(v)) for k, v in signature.inputs.items()},
        outputs={k: describe(tensor_info.type_spec_of(v)) for k, v in signature.outputs.items()},
        has_train_variant=train is not None and name in train.signature_def)


def _problems(path: str, variants: tf1_graphs.Variants, defs: list) -> List[str]:
    problems = []
    refs = [tf1_graphs.op_name(d.variable_name) for d in defs if not d.is_resource]
    if refs:
        problems.append(f"TF1 reference variables {refs[:5]}: TF2 SavedModels need resource "
                        "variables; re-export the module under tf.compat.v1.enable_resource_variables()")
    for label, meta_graph in (("default", variants.inference), ("train", variants.train)):
        if meta_graph is None:
            continue
        odd = sorted({f"{n.op} ({n.name})" for n in meta_graph.graph_def.node
                      if n.op in _STATEFUL_SOURCES})
        if odd and not refs:
            problems.append(f"{label} variant: state the converter cannot carry over: {odd[:5]}")
        for name, signature in meta_graph.signature_def.items():
            problems += [f"{label} variant, signature '{name}': output '{k}' has no tensor"
                         for k, v in signature.outputs.items() if not v.WhichOneof("encoding")]
    if variants.train is not None:
        known = {d.variable_name for d in defs}
        extra = [d.variable_name for d in tf1_graphs.variable_defs(variants.train, "variables")
                 if d.variable_name not in known]
        if extra:
            problems.append(f"the train variant has variables the default variant lacks {extra[:5]}; "
                            "export the module from an instance defining every variable")
    if defs and not os.path.exists(os.path.join(path, "variables", "variables.index")):
        problems.append(f"{path} has variables but no checkpoint (variables/variables.index)")
    return problems
