"""Creating TF1 Hub format specs: ``create_module_spec`` and friends."""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from tfhub import errors, logs
from tfhub._tf import tensorflow
from tfhub.tf1 import saved_model_io
from tfhub.tf1.module_spec import NativeModuleSpec, check_collections

tf = tensorflow()
_log = logs.logger()

# Tuple keys: graph collections with non-string keys are never serialized.
SIGNATURES_COLLECTION = ("__tfhub_signatures",)
ATTACHMENTS_COLLECTION = ("__tfhub_module_attachments",)
_ATTACHMENT_KEY = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
_FROM_SAVED_MODEL_DROPPED = ("global_step", "legacy_init_op", "saved_model_main_op")


def _as_tensor_dict(value: Any) -> Dict[str, Any]:
    if value is None:
        return {}
    return dict(value) if isinstance(value, dict) else {"default": value}


def _check_signature_values(name: str, inputs: Dict[str, Any], outputs: Dict[str, Any]) -> None:
    supported = (tf.Tensor, tf.SparseTensor, tf.RaggedTensor)
    bad = [f"  {kind} {key!r}: {type(value).__name__}"
           for kind, values in (("input", inputs), ("output", outputs))
           for key, value in sorted(values.items()) if not isinstance(value, supported)]
    if bad:
        raise errors.UnsupportedSignatureTypeError(
            f"The inputs and outputs declared in hub.add_signature() for signature {name!r} "
            "should have one of the types that are supported by this version of tfhub: "
            "Tensor, SparseTensor, RaggedTensor (for a tf.Variable, pass v.value()).\n"
            + "\n".join(bad))
    for key, value in sorted(inputs.items()):
        for component in tf.nest.flatten(value, expand_composites=True):
            if len(component.op.outputs) > 1:
                _log.error("WARNING: The inputs declared in hub.add_signature() should be tensors "
                           "from ops with a single output; input %r is not.", key)
            if component.op.colocation_groups() != [f"loc:@{component.op.name}".encode()]:
                raise errors.ModuleCreationError(
                    f"A tensor {component.name} used as input in a signature must not be subject "
                    "to a tf.colocate_with(...) constraint.")


def add_signature(name: Optional[str] = None, inputs: Any = None, outputs: Any = None) -> None:
    """Declares a signature of the module being built; call it inside ``module_fn``.

    Args:
        name: the signature name; falsy means "default".
        inputs: a tensor, or a dict of them (a single tensor is named "default").
        outputs: a tensor, or a dict of them.

    Raises:
        UnsupportedSignatureTypeError: a value is not a Tensor, SparseTensor or RaggedTensor.
        ModuleCreationError: an input is subject to a colocation constraint.
    """
    name = name or "default"
    inputs, outputs = _as_tensor_dict(inputs), _as_tensor_dict(outputs)
    _check_signature_values(name, inputs, outputs)
    tf.compat.v1.add_to_collection(SIGNATURES_COLLECTION, (name, inputs, outputs))


def attach_message(key: str, message: Any) -> None:
    """Attaches a protocol message to the module being built under ``key``.

    Raises:
        ValueError: ``key`` is not an identifier (``[a-zA-Z][a-zA-Z0-9_]*``).
    """
    if not _ATTACHMENT_KEY.match(key or ""):
        raise ValueError(f"hub.attach_message() called with malformed key {key!r}; keys must "
                         "match [a-zA-Z][a-zA-Z0-9_]*.")
    tf.compat.v1.add_to_collection(ATTACHMENTS_COLLECTION, (key, message.SerializeToString()))


def _signature_defs(graph: Any) -> Dict[str, Any]:
    build = tf.compat.v1.saved_model.build_tensor_info
    result = {}
    for name, inputs, outputs in graph.get_collection(SIGNATURES_COLLECTION):
        result[name] = tf.compat.v1.saved_model.build_signature_def(
            {k: build(v) for k, v in inputs.items()}, {k: build(v) for k, v in outputs.items()})
        result[name].method_name = ""
    return result


def _meta_graph_for(graph: Any, tags: Iterable[str], where: str) -> Any:
    signatures = _signature_defs(graph)
    if not signatures:
        raise errors.ModuleCreationError(
            f"No signatures present{where}. Please call hub.add_signature(...) at least once "
            "in the module_fn.")
    keys = [k for k in graph.get_all_collection_keys() if isinstance(k, str)]
    meta_graph = tf.compat.v1.train.export_meta_graph(
        graph=graph, collection_list=keys, strip_default_attrs=True)
    meta_graph.meta_info_def.tags[:] = sorted(tags)
    for name, signature_def in signatures.items():
        meta_graph.signature_def[name].CopyFrom(signature_def)
    saved_model_io.set_attachments(meta_graph, dict(graph.get_collection(ATTACHMENTS_COLLECTION)))
    check_collections(meta_graph, where)
    return meta_graph


def _check_state_colocation(graph: Any, where: str) -> None:
    from tfhub.tf1.graph_import import state_op_names

    state = set(state_op_names(graph.as_graph_def()))
    for name in sorted(state):
        for group in graph.get_operation_by_name(name).colocation_groups():
            other = group.decode()[len("loc:@"):]
            if other not in state:
                raise errors.ModuleCreationError(
                    f"A state-holding node {name} of a module's graph{where} must not be subject "
                    f"to a tf.colocate_with({other}) constraint unless {other} is also a "
                    "state-holding node.")


def create_module_spec(module_fn: Callable[..., None],
                       tags_and_args: Optional[Sequence[Tuple[Any, Dict[str, Any]]]] = None,
                       drop_collections: Optional[List[str]] = None) -> NativeModuleSpec:
    """Builds a ModuleSpec by calling ``module_fn`` once per graph variant.

    Args:
        module_fn: builds the graph; calls ``hub.add_signature`` at least once.
        tags_and_args: ``[(tags, kwargs), ...]``; default ``[(set(), {})]``.
        drop_collections: collection keys emptied after ``module_fn`` runs.

    Returns:
        A spec with no checkpoint: instances use the variables' initializers.

    Raises:
        ModuleCreationError: repeated tags, no signature, disallowed collections,
            or state ops colocated with non-state ops.
    """
    explicit = bool(tags_and_args)
    pairs = list(tags_and_args) if tags_and_args else [(set(), {})]
    seen, meta_graphs = set(), []
    for tags, kwargs in pairs:
        key = frozenset(tags or [])
        if key in seen:
            raise errors.ModuleCreationError(f"Tags {sorted(key)!r} used repeatedly.")
        seen.add(key)
        where = f" for tags {sorted(key)!r}" if explicit else ""
        graph = tf.Graph()
        with graph.as_default():
            with tf.compat.v1.variable_scope("", use_resource=True):
                module_fn(**kwargs)
            for collection in drop_collections or []:
                del graph.get_collection_ref(collection)[:]
            _check_state_colocation(graph, where)
            meta_graphs.append(_meta_graph_for(graph, key, where))
    from tensorflow.core.protobuf import saved_model_pb2

    return NativeModuleSpec(saved_model_pb2.SavedModel(meta_graphs=meta_graphs))


def create_module_spec_from_saved_model(saved_model_path: str,
                                        drop_collections: Optional[List[str]] = None
                                        ) -> NativeModuleSpec:
    """Makes a spec from a TF1 SavedModel (experimental); its weights are the SavedModel's.

    Raises:
        ModuleFileError: ``saved_model.pb`` is missing or unreadable.
        ModuleCreationError: a graph holds disallowed collections.
    """
    saved_model = saved_model_io.read_saved_model(saved_model_path)
    dropped = set(_FROM_SAVED_MODEL_DROPPED) | set(drop_collections or [])
    for meta_graph in saved_model.meta_graphs:
        for key in dropped & set(meta_graph.collection_def):
            del meta_graph.collection_def[key]
        meta_graph.ClearField("saver_def")
        check_collections(meta_graph, f" of SavedModel {saved_model_path}")
    return NativeModuleSpec(saved_model, saved_model_io.checkpoint_prefix(saved_model_path))
