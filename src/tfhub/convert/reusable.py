"""The reusable TF2 object written by a conversion.

Given a conversion (a TF1 module rebuilt by :mod:`tf1_module`, or a TF2
SavedModel wrapped by :mod:`tf2_module`), builds the object that
``tf.saved_model.save`` writes, following the Reusable SavedModel convention:
``__call__(inputs, training=False)`` for the default signature, ``variables``,
``trainable_variables``, ``regularization_losses``, each other signature as a
tf.function attribute, and every signature as a serving signature.
"""

from __future__ import annotations

from typing import Any, Dict, List, Protocol, Tuple

from tfhub._tf import tensorflow

tf = tensorflow()

# Attributes of the written object that a signature's name must not replace.
RESERVED = frozenset({"variables", "trainable_variables", "regularization_losses", "signatures",
                      "save", "restore", "read", "write", "save_counter", "sync"})


class Signature(Protocol):
    """What the writer needs of one signature."""

    input_keys: List[str]
    input_specs: Dict[str, Any]
    output_keys: List[str]

    def run(self, inputs: Dict[str, Any], training: bool) -> Dict[str, Any]:
        ...


def build(conversion: Any, default: str) -> Tuple[Any, Dict[str, Any], List[str]]:
    """The object to save, its serving signatures, and notes for the report.

    Args:
        conversion: has ``variables``, ``trainable_variables``, ``losses``,
            ``signatures`` (name -> :class:`Signature`) and ``trackables``.
        default: the signature ``__call__`` runs.
    """
    root = tf.train.Checkpoint()
    root.variables = list(conversion.variables)
    root.trainable_variables = list(conversion.trainable_variables)
    root.regularization_losses = [tf.function(loss, input_signature=[])
                                  for loss in conversion.losses]
    for name, trackable in conversion.trackables.items():
        setattr(root, name, trackable)
    notes, serving = [], {}
    for name, signature in conversion.signatures.items():
        serving[name] = serving_function(signature)
        if name.isidentifier() and name not in RESERVED and not name.startswith("_"):
            setattr(root, name, structured_function(signature, unwrap_single=False))
        else:
            notes.append(f"signature '{name}' is a serving signature only (its name cannot be "
                         "an attribute)")
    if getattr(conversion, "call", None) is not None:
        root.__call__ = conversion.call  # the source's own, training argument included
    elif default in conversion.signatures:
        root.__call__ = structured_function(conversion.signatures[default], unwrap_single=True)
    else:
        notes.append(f"no '{default}' signature: the result is not callable, use its signatures")
    if "serving_default" not in serving and default in serving:
        serving["serving_default"] = serving[default]
    return root, serving, notes


def structured_function(signature: Signature, unwrap_single: bool) -> Any:
    """``f(inputs, training=False)``: a tensor for one input, else a dict.

    With ``unwrap_single``, a signature with one output returns that tensor.
    """
    one_input = len(signature.input_keys) == 1

    @tf.function
    def call(inputs: Any, training: bool = False) -> Any:
        feed = {signature.input_keys[0]: inputs} if one_input else inputs
        outputs = signature.run(feed, bool(training))
        if unwrap_single and len(outputs) == 1:
            return next(iter(outputs.values()))
        return outputs

    spec = (signature.input_specs[signature.input_keys[0]] if one_input
            else dict(signature.input_specs))
    for training in (False, True):
        call.get_concrete_function(spec, training)
    return call


def flat_input_specs(signature: Signature) -> List[Tuple[str, Any]]:
    """Keyword names and dense specs of a signature's inputs, composites split.

    The names follow ``hub.load`` of TF1 modules: ``x_indices``, ``x_values``,
    ``x_dense_shape`` for a sparse ``x``; ``x_component_<i>`` for a ragged one.
    """
    flat = []
    for key in signature.input_keys:
        spec = signature.input_specs[key]
        components = tf.nest.flatten(spec, expand_composites=True)
        if isinstance(spec, tf.TensorSpec):
            flat.append((key, spec))
        elif isinstance(spec, tf.SparseTensorSpec):
            flat += zip([f"{key}_indices", f"{key}_values", f"{key}_dense_shape"], components)
        else:
            flat += [(f"{key}_component_{i}", c) for i, c in enumerate(components)]
    return flat


def serving_function(signature: Signature) -> Any:
    """A serving signature: flat keyword inputs, a dict of outputs."""
    flat = flat_input_specs(signature)

    def serve(*args: Any) -> Dict[str, Any]:
        inputs, start = {}, 0
        for key in signature.input_keys:
            spec = signature.input_specs[key]
            count = len(tf.nest.flatten(spec, expand_composites=True))
            inputs[key] = tf.nest.pack_sequence_as(spec, list(args[start:start + count]),
                                                   expand_composites=True)
            start += count
        return signature.run(inputs, training=False)

    return tf.function(serve, input_signature=[tf.TensorSpec(s.shape, s.dtype, name=n)
                                               for n, s in flat])
