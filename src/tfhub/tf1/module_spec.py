"""``ModuleSpec``: everything about a TF1 Hub format module except its instance state."""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional, Set, Union

from tfhub import errors
from tfhub._tf import tensorflow
from tfhub.tf1 import saved_model_io
from tfhub.tf1.tensor_info import ParsedTensorInfo, parse_tensor_info_map

tf = tensorflow()


def _tags_key(tags: Any) -> frozenset:
    return frozenset(tags or [])


class ModuleSpec:
    """A module definition: graph variants, signatures and (optionally) weights.

    Do not instantiate directly: use :func:`load_module_spec`,
    ``hub.create_module_spec`` or ``hub.create_module_spec_from_saved_model``.
    """

    def get_tags(self) -> List[Any]:
        """The tag sets of the graph variants, in the module's order; one untagged by default."""
        return [set()]

    def get_signature_names(self, tags: Optional[Set[str]] = None) -> List[str]:
        """The signature names of the graph variant with ``tags``."""
        raise NotImplementedError

    def get_input_info_dict(self, signature: Optional[str] = None,
                            tags: Optional[Set[str]] = None) -> Dict[str, ParsedTensorInfo]:
        """Describes the inputs of a signature (``None`` means "default").

        Raises:
            UnknownSignatureError: (a ValueError) no such signature.
            UnknownGraphVariantError: (a KeyError) no graph variant with ``tags``.
        """
        raise NotImplementedError

    def get_output_info_dict(self, signature: Optional[str] = None,
                             tags: Optional[Set[str]] = None) -> Dict[str, ParsedTensorInfo]:
        """Describes the outputs of a signature; raises as :meth:`get_input_info_dict`."""
        raise NotImplementedError

    def get_attached_message(self, key: str, message_type: Any, tags: Optional[Set[str]] = None,
                             required: bool = False) -> Any:
        """A new ``message_type`` parsed from the message attached under ``key``, or None.

        Raises:
            MissingAttachmentError: (a KeyError) ``required`` and nothing is attached.
        """
        raise NotImplementedError

    def export(self, path: str, _sentinel: Any = None, checkpoint_path: Optional[str] = None,
               name_transform_fn: Optional[Callable[[str], str]] = None) -> None:
        """Exports this spec with the weights of a TF checkpoint; see NativeModuleSpec."""
        raise NotImplementedError

    def _create_impl(self, name: str, trainable: bool, tags: Set[str]) -> Any:
        raise NotImplementedError


class NativeModuleSpec(ModuleSpec):
    """A spec held as a SavedModel proto (one MetaGraphDef per graph variant)."""

    def __init__(self, saved_model: Any, checkpoint_path: Optional[str] = None):
        self._saved_model = saved_model
        self._checkpoint_path = checkpoint_path

    @property
    def saved_model(self) -> Any:
        """The SavedModel proto, asset paths absolute. Treat as read-only."""
        return self._saved_model

    @property
    def checkpoint_path(self) -> Optional[str]:
        return self._checkpoint_path

    def meta_graph(self, tags: Any = None) -> Any:
        """The MetaGraphDef of the variant with exactly ``tags``.

        Raises:
            UnknownGraphVariantError: no (or more than one) variant has these tags.
        """
        wanted = _tags_key(tags)
        found = [mg for mg in self._saved_model.meta_graphs
                 if frozenset(mg.meta_info_def.tags) == wanted]
        if len(found) != 1:
            problem = "no graph" if not found else "multiple graphs"
            raise errors.UnknownGraphVariantError(
                f"SavedModelHandler has {problem} with tags: {set(wanted) or '{}'}; "
                f"the module's variants are {[sorted(t) for t in self.get_tags()]}.")
        return found[0]

    def signature_def(self, signature: Optional[str], tags: Any = None) -> Any:
        """The SignatureDef named ``signature`` (falsy means "default").

        Raises:
            UnknownSignatureError: the variant has no such signature.
        """
        meta_graph = self.meta_graph(tags)
        name = signature or "default"
        if name not in meta_graph.signature_def:
            raise errors.UnknownSignatureError(
                f"Signature {name!r} is missing from meta graph. "
                f"Available signatures: {sorted(meta_graph.signature_def)}.")
        return meta_graph.signature_def[name]

    def get_tags(self) -> List[frozenset]:
        # tensorflow_hub's order exactly: Python's sort of the frozensets in the order the
        # module declares them (its meta graphs). Sets compare by inclusion, so e.g. the
        # untagged variant moves first and unrelated tag sets keep their declared order.
        return sorted(frozenset(mg.meta_info_def.tags) for mg in self._saved_model.meta_graphs)

    def get_signature_names(self, tags: Optional[Set[str]] = None) -> List[str]:
        return list(self.meta_graph(tags).signature_def.keys())

    def get_input_info_dict(self, signature=None, tags=None):
        return parse_tensor_info_map(self.signature_def(signature, tags).inputs)

    def get_output_info_dict(self, signature=None, tags=None):
        return parse_tensor_info_map(self.signature_def(signature, tags).outputs)

    def get_attached_message(self, key, message_type, tags=None, required=False):
        value = saved_model_io.attachments(self.meta_graph(tags)).get(key)
        if value is None:
            if required:
                raise errors.MissingAttachmentError(
                    f"No attached message for key {key!r} in graph version "
                    f"{sorted(_tags_key(tags))} of Hub Module.")
            return None
        message = message_type()
        message.ParseFromString(value)
        return message

    def export(self, path, _sentinel=None, checkpoint_path=None, name_transform_fn=None):
        """Exports the spec to ``path`` with weights from the checkpoint ``checkpoint_path``.

        Args:
            path: the new module directory (must not exist).
            _sentinel: ignored (keeps later arguments keyword-only in spirit).
            checkpoint_path: a TF checkpoint holding the module's variables.
            name_transform_fn: maps a module variable name to its checkpoint name.

        Raises:
            ValueError: ``checkpoint_path`` is missing.
            ExportExistsError: ``path`` exists.
        """
        if not checkpoint_path:
            raise ValueError("Missing mandatory `checkpoint_path` parameter: the checkpoint "
                             "whose variables the exported module should hold.")
        transform = name_transform_fn or (lambda name: name)
        with tf.Graph().as_default():
            # What hub.Module(self) would build, without importing the class built on specs.
            instance = self._create_impl(name="module", trainable=False, tags=check_tags(self, None))
            if instance.variable_map:
                tf.compat.v1.train.init_from_checkpoint(
                    checkpoint_path, {transform(k): v for k, v in instance.variable_map.items()})
            with tf.compat.v1.Session() as session:
                session.run(tf.compat.v1.global_variables_initializer())
                instance.export(path, session)

    def _create_impl(self, name, trainable, tags):
        from tfhub.tf1.instance import ModuleInstance

        return ModuleInstance(self, name=name, trainable=trainable, tags=tags)


def check_tags(spec: ModuleSpec, tags: Optional[Set[str]]) -> Set[str]:
    """``tags`` as a set, once the spec is known to have that graph variant.

    Raises:
        UnknownGraphVariantError: no graph variant has ``tags``.
    """
    wanted = set(tags or [])
    if wanted not in [set(t) for t in spec.get_tags()]:
        raise errors.UnknownGraphVariantError(
            f"No such graph variant: tags={sorted(wanted)!r}. The module has "
            f"{[sorted(t) for t in spec.get_tags()]}.")
    return wanted


def check_collections(meta_graph: Any, where: str) -> None:
    """Raises ModuleCreationError if a meta graph holds collections a module may not."""
    unsupported = saved_model_io.unsupported_collections(meta_graph)
    if unsupported:
        raise errors.ModuleCreationError(
            f"Unsupported collections in graph{where}: {unsupported}\n"
            f"Use hub.create_module_spec(..., drop_collections={unsupported!r}) as appropriate. "
            f"A module may hold only {sorted(saved_model_io.ALLOWED_COLLECTIONS)}.")


def load_module_spec(path: Union[str, "os.PathLike[str]"]) -> ModuleSpec:
    """Loads the spec of a TF1 Hub format module from a handle (URL or path).

    Raises:
        ModuleDefNotFoundError, ModuleDefError: ``tfhub_module.pb`` is missing or bad.
        ModuleFileError: ``saved_model.pb`` is missing or does not parse.
        ModuleCreationError: the module holds collections that are not allowed.
        tfhub.errors.ResolveError: the handle cannot be resolved.
    """
    from tfhub.formats.module_def import read_module_def
    from tfhub.resolving.resolvers import resolve

    module_dir = resolve(path)
    read_module_def(module_dir)
    saved_model = saved_model_io.read_saved_model(module_dir)
    for meta_graph in saved_model.meta_graphs:
        check_collections(meta_graph, f" of module {module_dir}")
    return NativeModuleSpec(saved_model, saved_model_io.checkpoint_prefix(module_dir))
