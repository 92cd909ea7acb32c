"""``hub.Module``: a TF1 Hub format module instantiated in a ``tf.Graph``."""

from __future__ import annotations

import contextlib
import os
from typing import Any, Callable, Dict, Iterator, List, Optional, Set

from tfhub import errors
from tfhub._tf import tensorflow
from tfhub.tf1 import tensor_info
from tfhub.tf1.module_spec import ModuleSpec, check_tags, load_module_spec
from tfhub.tf1.variable_map import flatten

tf = tensorflow()

_EAGER_MESSAGE = (
    "hub.Module is a TF1 graph-mode API and cannot be constructed under eager execution. "
    "Use it inside `with tf.Graph().as_default():` (or tf.compat.v1 graph mode), inside "
    "tf.compat.v1.wrap_function, or switch to hub.load()/hub.KerasLayer() for TF2 code.")


def _as_spec(spec: Any) -> ModuleSpec:
    if isinstance(spec, ModuleSpec):
        return spec
    if isinstance(spec, (str, os.PathLike)):
        return load_module_spec(spec)
    raise errors.InvalidModuleSpecError(
        f"Unknown module spec type: {type(spec)!r}. Pass a hub.ModuleSpec or a handle "
        "(a URL or a path of a TF1 Hub format module).")


class Module:
    """A TF1 Hub format module, instantiated once in the current graph.

    Args:
        spec: a ModuleSpec, or a handle given to ``load_module_spec``.
        trainable: make the variables trainable and import REGULARIZATION_LOSSES
            and (on each call) UPDATE_OPS.
        name: base name of the variable scope holding the state (uniquified).
        tags: the graph variant; ``None`` means the empty set.

    Raises:
        ModuleGraphError: under eager execution, or the scope's name is taken.
        InvalidModuleSpecError: ``spec`` is neither a ModuleSpec nor a handle.
        UnknownGraphVariantError: no graph variant has ``tags``.
    """

    def __init__(self, spec: Any, trainable: bool = False, name: str = "module",
                 tags: Optional[Set[str]] = None):
        if tf.executing_eagerly():
            raise errors.ModuleGraphError(_EAGER_MESSAGE)
        self._spec = _as_spec(spec)
        self._tags = check_tags(self._spec, tags)
        self._graph = tf.compat.v1.get_default_graph()
        self._impl = self._spec._create_impl(name=name, trainable=trainable, tags=self._tags)

    def _check_graph(self, what: str) -> None:
        if tf.compat.v1.get_default_graph() is not self._graph:
            raise errors.ModuleGraphError(
                f"Module must be {what} in the graph it was instantiated for: the default "
                "graph differs from the graph where the module was instantiated. Create "
                "one hub.Module per graph.")

    def __call__(self, inputs: Any = None, _sentinel: Any = None, signature: Optional[str] = None,
                 as_dict: Optional[bool] = None) -> Any:
        """Applies a signature; returns its ``default`` output or, with ``as_dict``, all.

        Raises:
            ModuleGraphError: called in another graph than the module's.
            UnknownSignatureError: no such signature.
            ModuleCallError: inputs do not fit, or there is no ``default`` output.
        """
        self._check_graph("applied")
        outputs = self._impl.apply(inputs, signature)
        return select_outputs(outputs, as_dict)

    def get_signature_names(self) -> List[str]:
        return self._spec.get_signature_names(tags=self._tags)

    def get_input_info_dict(self, signature: Optional[str] = None) -> Dict[str, Any]:
        return self._spec.get_input_info_dict(signature=signature, tags=self._tags)

    def get_output_info_dict(self, signature: Optional[str] = None) -> Dict[str, Any]:
        return self._spec.get_output_info_dict(signature=signature, tags=self._tags)

    def get_attached_message(self, key: str, message_type: Any, required: bool = False) -> Any:
        return self._spec.get_attached_message(key, message_type, tags=self._tags,
                                               required=required)

    def export(self, path: str, session: Any) -> None:
        """Exports the module with the variable values held by ``session``.

        Raises:
            ModuleGraphError: the default graph or the session's graph is not the module's.
            ExportExistsError: ``path`` exists already (nothing is written).
        """
        self._check_graph("exported")
        self._impl.export(path, session)

    @property
    def variable_map(self) -> Dict[str, Any]:
        """Module-relative variable name -> variable (a sorted list if partitioned)."""
        return dict(self._impl.variable_map)

    @property
    def variables(self) -> List[Any]:
        """Every variable of the module, ordered by ``variable_map`` key."""
        return flatten(self._impl.variable_map)


def select_outputs(outputs: Dict[str, Any], as_dict: Optional[bool]) -> Any:
    """All outputs with ``as_dict``, else the one named ``default``.

    Raises:
        ModuleCallError: there is no ``default`` output and ``as_dict`` is false.
    """
    if as_dict:
        return outputs
    if "default" not in outputs:
        raise errors.ModuleCallError(
            f"There is no output named 'default'. Use as_dict=True (outputs: {sorted(outputs)}).")
    return outputs["default"]


def _placeholder_for(name: str, info: tensor_info.ParsedTensorInfo) -> Any:
    if info.is_sparse:
        return tf.compat.v1.sparse_placeholder(info.dtype, info.get_shape(), name=name)
    if info.is_composite:
        spec = info.type_spec
        components = [tf.compat.v1.placeholder(s.dtype, s.shape, name=f"{name}_{i}")
                      for i, s in enumerate(tf.nest.flatten(spec._component_specs))]
        return tf.nest.pack_sequence_as(spec, components, expand_composites=True)
    return tf.compat.v1.placeholder(info.dtype, info.get_shape(), name=name)


def _feed_dict(placeholders: Dict[str, Any], values: Dict[str, Any]) -> Dict[Any, Any]:
    feed = {}
    for name, value in values.items():
        target = placeholders[name]
        if isinstance(target, tf.SparseTensor) or not hasattr(target, "_type_spec"):
            feed[target] = value
        else:  # ragged: feed component by component
            feed.update(zip(tensor_info.components_of(target), tensor_info.components_of(value)))
    return feed


@contextlib.contextmanager
def eval_function_for_module(spec: Any, tags: Optional[Set[str]] = None
                             ) -> Iterator[Callable[..., Any]]:
    """Yields a function that evaluates the module's signatures on numpy values.

    Works under eager execution too: the module lives in a private graph.
    """
    spec = _as_spec(spec)
    with tf.Graph().as_default():
        module = Module(spec, tags=tags)
        calls = {}
        for signature in spec.get_signature_names(tags=tags):
            infos = spec.get_input_info_dict(signature, tags=tags)
            with tf.compat.v1.variable_scope(signature):
                placeholders = {k: _placeholder_for(k, i) for k, i in infos.items()}
                outputs = module(placeholders, signature=signature, as_dict=True)
            calls[signature] = (placeholders, infos, outputs)
        with tf.compat.v1.train.SingularMonitoredSession() as session:

            def evaluate(inputs=None, _sentinel=None, signature=None, as_dict=None):
                placeholders, infos, outputs = calls[spec.signature_def(signature, tags) and (
                    signature or "default")]
                values = tensor_info.normalize_inputs(inputs, infos)
                results = session.run(outputs, feed_dict=_feed_dict(placeholders, values))
                return select_outputs(results, as_dict)

            yield evaluate
