"""The state of one ``hub.Module``: variables and tables in a graph, applied many times."""

from __future__ import annotations

from typing import Any, Dict, Optional, Set

from tfhub import errors
from tfhub._tf import tensorflow
from tfhub.tf1 import function_context, graph_import, tensor_info
from tfhub.tf1.export import write_module
from tfhub.tf1.variable_map import build_variable_map

tf = tensorflow()


class ModuleInstance:
    """Creates a module's state in the default graph; applies its signatures.

    Args:
        spec: a NativeModuleSpec.
        name: the base name of the state's variable scope.
        trainable: import trainable variables and regularization losses
            (and, on application, update ops).
        tags: the graph variant.
    """

    def __init__(self, spec: Any, name: str, trainable: bool, tags: Set[str]):
        self._spec = spec
        self._tags = set(tags)
        self._trainable = trainable
        self._meta_graph = spec.meta_graph(tags)
        self.graph = tf.compat.v1.get_default_graph()
        with function_context.state_context(self.graph):
            self.state_graph = tf.compat.v1.get_default_graph()
            self.scope = graph_import.state_scope(name)
            self._state_map = graph_import.import_state(self._meta_graph, self.scope, trainable)
            self.variable_map = build_variable_map(self.scope)
            if spec.checkpoint_path and self.variable_map:
                tf.compat.v1.train.init_from_checkpoint(spec.checkpoint_path, self.variable_map)
            self._saver = self._make_saver()

    def _make_saver(self) -> Optional[Any]:
        if not self.variable_map:
            return None
        graph = self.state_graph
        with graph.name_scope(None), graph.name_scope(self.scope + "/"):
            return tf.compat.v1.train.Saver(
                var_list=self.variable_map, sharded=True, name="hub_export_saver",
                write_version=tf.compat.v1.train.SaverDef.V2)

    @property
    def short_name(self) -> str:
        return self.scope.split("/")[-1]

    def apply(self, inputs: Any, signature: Optional[str]) -> Dict[str, Any]:
        """Applies a signature to ``inputs``; returns every output by name.

        Raises:
            UnknownSignatureError, ModuleCallError, UnsupportedSignatureTypeError.
        """
        name = signature or "default"
        signature_def = self._spec.signature_def(name, self._tags)
        input_infos = tensor_info.parse_tensor_info_map(signature_def.inputs)
        output_infos = tensor_info.parse_tensor_info_map(signature_def.outputs)
        tensor_info.check_supported(name, "input", input_infos)
        tensor_info.check_supported(name, "output", output_infos)
        values = tensor_info.normalize_inputs(inputs, input_infos)
        values = {k: tensor_info.convert_value(k, v, input_infos[k]) for k, v in values.items()}
        feeds = tensor_info.build_input_map(signature_def.inputs, values)
        scope = graph_import.apply_scope(f"{self.short_name}_apply_{name.replace(':', '_')}")
        output_names = [n for info in signature_def.outputs.values()
                        for n in tensor_info.component_names(info)]
        graph_import.import_application(
            self._meta_graph, scope, self._state_map, feeds, self._trainable, output_names)
        return {key: tensor_info.build_output(info, self.graph, scope, feeds)
                for key, info in signature_def.outputs.items()}

    def export(self, path: str, session: Any) -> None:
        """Writes the spec (all variants) with this instance's variables from ``session``.

        Raises:
            ModuleGraphError: ``session`` runs another graph.
            ExportExistsError: ``path`` exists.
        """
        if session.graph is not self.state_graph:
            raise errors.ModuleGraphError(
                "session graph differs from the graph where the module was instantiated. "
                "Export with a session of the module's graph.")

        def save(prefix: str) -> None:
            if self._saver is not None:
                self._saver.save(session, prefix, write_meta_graph=False, write_state=False)

        write_module(path, self._spec.saved_model, save)
