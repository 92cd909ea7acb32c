"""Signature TensorInfos: what a signature expects, and how values are fed to it."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from tfhub import errors
from tfhub._tf import tensorflow

tf = tensorflow()


def _decode_type_spec(tensor_info: Any) -> Any:
    from tensorflow.core.protobuf import struct_pb2
    from tensorflow.python.saved_model import nested_structure_coder

    value = struct_pb2.StructuredValue()
    value.type_spec_value.CopyFrom(tensor_info.composite_tensor.type_spec)
    return nested_structure_coder.decode_proto(value)


def type_spec_of(tensor_info: Any) -> Any:
    """The ``tf.TypeSpec`` described by a ``TensorInfo`` proto."""
    encoding = tensor_info.WhichOneof("encoding")
    if encoding == "composite_tensor":
        return _decode_type_spec(tensor_info)
    shape = tf.TensorShape(tensor_info.tensor_shape)
    dtype = tf.dtypes.as_dtype(tensor_info.dtype)
    if encoding == "coo_sparse":
        return tf.SparseTensorSpec(shape, dtype)
    return tf.TensorSpec(shape, dtype)


class ParsedTensorInfo:
    """One input or output of a signature: its dtype, shape and kind."""

    def __init__(self, type_spec: Any):
        self._type_spec = type_spec

    @classmethod
    def from_proto(cls, tensor_info: Any) -> "ParsedTensorInfo":
        """Parses a ``TensorInfo`` proto."""
        return cls(type_spec_of(tensor_info))

    @property
    def type_spec(self) -> Any:
        return self._type_spec

    @property
    def dtype(self) -> Any:
        return self._type_spec.dtype

    def get_shape(self) -> Any:
        return tf.TensorShape(self._type_spec.shape)

    @property
    def is_sparse(self) -> bool:
        return isinstance(self._type_spec, tf.SparseTensorSpec)

    @property
    def is_composite(self) -> bool:
        return not isinstance(self._type_spec, tf.TensorSpec)

    @property
    def is_supported_type(self) -> bool:
        return isinstance(self._type_spec,
                          (tf.TensorSpec, tf.SparseTensorSpec, tf.RaggedTensorSpec))

    def __repr__(self) -> str:
        if isinstance(self._type_spec, (tf.TensorSpec, tf.SparseTensorSpec)):
            return (f"<hub.ParsedTensorInfo shape={self.get_shape()} dtype={self.dtype.name} "
                    f"is_sparse={self.is_sparse}>")
        return f"<hub.ParsedTensorInfo type_spec={self._type_spec}>"


def parse_tensor_info_map(tensor_info_map: Mapping[str, Any]) -> Dict[str, ParsedTensorInfo]:
    """Parses a signature's ``inputs`` or ``outputs`` map."""
    return {name: ParsedTensorInfo.from_proto(info) for name, info in tensor_info_map.items()}


def check_supported(signature: str, kind: str, infos: Mapping[str, ParsedTensorInfo]) -> None:
    """Raises UnsupportedSignatureTypeError for inputs/outputs of unknown kinds."""
    for name, info in sorted(infos.items()):
        if not info.is_supported_type:
            raise errors.UnsupportedSignatureTypeError(
                f"Signature {signature!r} expects a {info.type_spec} for {kind} {name!r}, "
                "which tfhub cannot feed or fetch: the TF1 Hub format supports Tensor, "
                "SparseTensor and RaggedTensor.")


def normalize_inputs(inputs: Any, infos: Mapping[str, ParsedTensorInfo]) -> Dict[str, Any]:
    """Maps the ``inputs`` of a call to the signature's input names.

    Raises:
        ModuleCallError: the value does not match the signature's input names.
    """
    if inputs is None:
        inputs = {}
    if not isinstance(inputs, dict):
        if len(infos) == 1:
            return {next(iter(infos)): inputs}
        if not infos:
            raise errors.ModuleCallError(
                "Signature expects no inputs, but a value was given; call it with no inputs.")
        raise errors.ModuleCallError(
            f"Signature expects multiple inputs. Use a dict with the keys {sorted(infos)}.")
    missing = sorted(set(infos) - set(inputs))
    extra = sorted(set(inputs) - set(infos))
    if missing or extra:
        raise errors.ModuleCallError(
            f"Cannot convert dict_inputs: missing {missing}, extra given {extra}. "
            f"The signature's inputs are {sorted(infos)}.")
    return dict(inputs)


def _describe(spec: Any) -> str:
    return str(spec)


def convert_value(name: str, value: Any, info: ParsedTensorInfo) -> Any:
    """Converts one input value to a tensor (or composite) that fits ``info``.

    Raises:
        ModuleCallError: dtype, shape or kind do not fit (ModuleInputValueError, also a
            ValueError, where TensorFlow's conversion raised ValueError).
        UnsupportedSignatureTypeError: the value is of an unsupported composite type.
    """
    if isinstance(value, (tf.SparseTensor, tf.RaggedTensor)):
        converted = value
    elif tf.__internal__.CompositeTensor is not None and isinstance(
            value, tf.__internal__.CompositeTensor) and not isinstance(value, tf.IndexedSlices):
        raise errors.UnsupportedSignatureTypeError(
            f"Passed argument {name!r} of type {type(value).__name__}, which is not supported "
            "by the TF1 Hub format: use a Tensor, SparseTensor or RaggedTensor.")
    else:
        try:
            converted = tf.compat.v1.convert_to_tensor_or_indexed_slices(value, dtype=info.dtype)
        except (TypeError, ValueError) as exc:
            kind = errors.ModuleInputValueError if isinstance(exc, ValueError) else errors.ModuleCallError
            raise kind(f"Can't convert {name!r}: {exc}") from exc
    got = converted._type_spec if hasattr(converted, "_type_spec") else tf.TensorSpec(
        converted.shape, converted.dtype)
    if type(got) is not type(info.type_spec):
        raise errors.ModuleCallError(
            f"Can't convert {name!r}: Got {type(converted).__name__}. "
            f"Expected {_kind_name(info.type_spec)}.")
    if not info.type_spec.is_compatible_with(got):
        raise errors.ModuleCallError(
            f"Can't convert {name!r}: Got {_describe(got)}. Expected {_describe(info.type_spec)}.")
    return converted


def _kind_name(spec: Any) -> str:
    if isinstance(spec, tf.SparseTensorSpec):
        return "SparseTensor"
    if isinstance(spec, tf.RaggedTensorSpec):
        return "RaggedTensor"
    return "Tensor"


def component_names(tensor_info: Any) -> list:
    """The graph tensor names a TensorInfo consists of, in component order."""
    encoding = tensor_info.WhichOneof("encoding")
    if encoding == "coo_sparse":
        coo = tensor_info.coo_sparse
        return [coo.indices_tensor_name, coo.values_tensor_name, coo.dense_shape_tensor_name]
    if encoding == "composite_tensor":
        names = []
        for component in tensor_info.composite_tensor.components:
            names.extend(component_names(component))
        return names
    return [tensor_info.name]


def components_of(value: Any) -> list:
    """The component tensors of a Tensor, SparseTensor or RaggedTensor, in order."""
    if isinstance(value, tf.SparseTensor):
        return [value.indices, value.values, value.dense_shape]
    return tf.nest.flatten(value, expand_composites=True)


def build_input_map(signature_inputs: Mapping[str, Any], values: Mapping[str, Any]) -> Dict[str, Any]:
    """The ``input_map`` for importing a graph: tensor name -> fed tensor."""
    input_map = {}
    for name, tensor_info in signature_inputs.items():
        for tensor_name, tensor in zip(component_names(tensor_info), components_of(values[name])):
            input_map[tensor_name] = tensor
    return input_map


def build_output(tensor_info: Any, graph: Any, scope: str,
                 input_map: Optional[Mapping[str, Any]] = None) -> Any:
    """The value of one signature output in a graph imported under ``scope``.

    Components that are themselves fed inputs resolve to the fed tensors.
    """
    input_map = input_map or {}

    def lookup(tensor_name: str) -> Any:
        if tensor_name in input_map:
            return input_map[tensor_name]
        return graph.get_tensor_by_name(f"{scope}/{tensor_name}" if scope else tensor_name)

    components = [lookup(n) for n in component_names(tensor_info)]
    spec = type_spec_of(tensor_info)
    if isinstance(spec, tf.TensorSpec):
        return components[0]
    if isinstance(spec, tf.SparseTensorSpec):
        return tf.SparseTensor(*components)
    return tf.nest.pack_sequence_as(spec, components, expand_composites=True)
