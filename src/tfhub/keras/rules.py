"""The rules of ``hub.KerasLayer`` that do not depend on which Keras is used.

Both flavours (:mod:`tfhub.keras.keras3`, :mod:`tfhub.keras.keras2`) call these
functions, so argument checks, signature choice, output selection and the
config are decided in one place.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import json
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from tfhub import errors
from tfhub._tf import tensorflow


@dataclasses.dataclass(frozen=True)
class SignatureSettings:
    """How the loaded object is called and what of its output is returned."""

    signature: Optional[str]
    output_key: Optional[str]
    signature_outputs_as_dict: Optional[bool]


def check_callable_handle(handle: Any, tags: Any, load_options: Any) -> None:
    """Refuses ``tags``/``load_options`` with a callable handle.

    Raises:
        KerasLayerArgumentError: the handle is callable and one of them is set.
    """
    if not callable(handle):
        return
    for name, value in (("tags", tags), ("load_options", load_options)):
        if value is not None:
            raise errors.KerasLayerArgumentError(
                f"Passing a callable handle is mutually exclusive with setting {name}. "
                f"{name} only apply when hub.KerasLayer loads a model from a string "
                f"handle; drop {name}=... or pass the model's URL or path instead.")


def signature_settings(is_hub_module_v1: bool, signature: Optional[str],
                       output_key: Optional[str],
                       signature_outputs_as_dict: Optional[bool]) -> SignatureSettings:
    """Applies the TF1 Hub format defaults and checks the combination.

    Raises:
        KerasLayerArgumentError: both or neither of ``output_key`` and
            ``signature_outputs_as_dict`` with a signature, or
            ``signature_outputs_as_dict`` without one.
    """
    if is_hub_module_v1:
        signature = signature or "default"
        if not signature_outputs_as_dict:
            output_key = output_key or "default"
    if signature and (output_key is not None) == bool(signature_outputs_as_dict):
        raise errors.KerasLayerArgumentError(
            "When using a signature, either output_key or signature_outputs_as_dict=True "
            f"should be set (got output_key={output_key!r}, "
            f"signature_outputs_as_dict={signature_outputs_as_dict!r}); set exactly one.")
    if not signature and signature_outputs_as_dict:
        raise errors.KerasLayerArgumentError(
            "signature_outputs_as_dict is only valid if specifying a signature (or using "
            "a legacy TF1 Hub format); pass signature=... too, or drop it.")
    return SignatureSettings(signature, output_key, signature_outputs_as_dict)


def choose_callable(obj: Any, handle: Any, signature: Optional[str]) -> Callable[..., Any]:
    """The function a layer calls: the object itself or one of its signatures.

    Raises:
        KerasLayerArgumentError: no usable callable or signature.
    """
    if callable(obj) and not signature:
        return obj
    signatures = getattr(obj, "signatures", None)
    if signatures is None:
        what = "has no signatures" if signature else "is not callable and has no signatures"
        raise errors.KerasLayerArgumentError(
            f"Loaded object {what} ({handle!r}); hub.KerasLayer needs a callable "
            "(a TF2 SavedModel with __call__) or a SavedModel signature.")
    if not signature:
        raise errors.KerasLayerArgumentError(
            "Signature name has to be specified for non-callable saved models (if not "
            f"legacy TF1 Hub format); pass signature=one of {sorted(signatures.keys())}.")
    if signature not in signatures:
        raise errors.KerasLayerArgumentError(
            f"Unknown signature {signature} in {handle} (available signatures: "
            f"{sorted(signatures.keys())}).")
    return signatures[signature]


def accepts_training(func: Callable[..., Any]) -> bool:
    """True if ``func`` takes a ``training`` argument (positional or keyword)."""
    target = getattr(func, "__call__", func)
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return False
    param = params.get("training")
    return param is not None and param.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def split_variables(obj: Any) -> Tuple[List[Any], List[Any]]:
    """(trainable, non-trainable) variables of a loaded object, by identity."""
    trainable = list(getattr(obj, "trainable_variables", []) or [])
    ids = {id(v) for v in trainable}
    others = [v for v in (getattr(obj, "variables", []) or []) if id(v) not in ids]
    return trainable, others


def regularization_losses(obj: Any) -> List[Callable[[], Any]]:
    """The object's regularization loss callables.

    Raises:
        KerasLayerArgumentError: an entry is not callable.
    """
    losses = list(getattr(obj, "regularization_losses", []) or [])
    for loss in losses:
        if not callable(loss):
            raise errors.KerasLayerArgumentError(
                "hub.KerasLayer(obj) expects obj.regularization_losses to be an iterable "
                f"of callables, each returning a scalar loss term; got {loss!r}.")
    return losses


def check_trainable_call(is_hub_module_v1: bool, tf1_fine_tunable: bool,
                         signature: Optional[str]) -> None:
    """Refuses ``trainable=True`` where the loaded object cannot be fine-tuned.

    Raises:
        KerasLayerArgumentError: TF1 module not loaded for fine-tuning, or a
            SavedModel signature is called.
    """
    if is_hub_module_v1 and not tf1_fine_tunable:
        raise errors.KerasLayerArgumentError(
            "Setting hub.KerasLayer.trainable = True is unsupported when loading from "
            "the TF1 Hub format unless the layer was constructed with trainable=True, "
            "which loads the module for fine-tuning. Construct it as "
            "hub.KerasLayer(handle, trainable=True).")
    if signature and not tf1_fine_tunable:
        raise errors.KerasLayerArgumentError(
            "Setting hub.KerasLayer.trainable = True is unsupported when calling a "
            f"SavedModel signature ({signature!r}); call the model's __call__ "
            "(no signature=) to fine-tune, or keep trainable=False.")


def call_arguments(inputs: Any, arguments: Mapping[str, Any],
                   use_signature: bool) -> Tuple[tuple, Dict[str, Any]]:
    """Positional and keyword arguments for one call of the loaded function."""
    kwargs = dict(arguments)
    if use_signature and isinstance(inputs, dict):
        kwargs.update(inputs)
        return (), kwargs
    return (inputs,), kwargs


def is_python_value(inputs: Any) -> bool:
    """True for a Python scalar or a (nested) list/tuple of them, e.g. ``["a"]``."""
    if isinstance(inputs, (bool, int, float, str, bytes)):
        return True
    return isinstance(inputs, (list, tuple)) and all(map(is_python_value, inputs))


def select_output(result: Any, output_key: Optional[str]) -> Any:
    """The value under ``output_key`` (or ``result`` when no key is set).

    Raises:
        KerasLayerArgumentError: the result is no dict, or lacks the key.
    """
    if output_key is None:
        return result
    if not isinstance(result, dict):
        raise errors.KerasLayerArgumentError(
            f"Specifying `output_key` is forbidden if output type {type(result)} is not "
            "a dict; drop output_key=...")
    if output_key not in result:
        raise errors.KerasLayerArgumentError(
            f"KerasLayer output does not contain the output key {output_key} "
            f"(available: {sorted(result.keys())}); pass one of those as output_key.")
    return result[output_key]


def convert_output_shape(output_shape: Any) -> Any:
    """``output_shape`` as a nest of TensorShapes (or None).

    Raises:
        KerasLayerOutputShapeError: it is not a shape or a nest of shapes.
    """
    if output_shape is None:
        return None
    tf = tensorflow()
    try:
        if isinstance(output_shape, (list, tuple)) and all(
                d is None or isinstance(d, int) for d in output_shape):
            return tf.TensorShape(output_shape)
        if isinstance(output_shape, dict):
            return {k: convert_output_shape(v) for k, v in output_shape.items()}
        if isinstance(output_shape, (list, tuple)):
            return type(output_shape)(convert_output_shape(v) for v in output_shape)
        return tf.TensorShape(output_shape)
    except (TypeError, ValueError) as exc:
        raise errors.KerasLayerOutputShapeError(
            f"Cannot convert to nest of TensorShapes: output_shape={output_shape!r}; "
            "give a shape without the batch dimension, e.g. [128], or a nest of them."
        ) from exc


def shape_as_tuples(shape: Any) -> Any:
    """A nest of TensorShapes as plain tuples/lists/dicts (for configs)."""
    if isinstance(shape, collections.abc.Mapping):
        return {k: shape_as_tuples(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)):  # also Keras 2's tracking ListWrapper
        return (tuple if isinstance(shape, tuple) else list)(shape_as_tuples(v) for v in shape)
    return tuple(shape.as_list()) if shape.rank is not None else None


def plain(value: Any) -> Any:
    """``value`` with Keras 2's tracking wrappers (DictWrapper, ListWrapper)
    replaced by plain dicts and lists, so that ``json`` can write it."""
    if isinstance(value, collections.abc.Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return (tuple if isinstance(value, tuple) else list)(plain(v) for v in value)
    return value


def _batch_dimension(input_shape: Any) -> Any:
    """The batch size of the first input in a shape or a nest of shapes."""
    tf = tensorflow()
    if isinstance(input_shape, tf.TensorShape):
        return input_shape[0] if input_shape.rank else None
    if isinstance(input_shape, collections.abc.Mapping):
        input_shape = list(input_shape.values())
    if not isinstance(input_shape, (list, tuple)) or not input_shape:
        return None
    if all(d is None or isinstance(d, int) for d in input_shape):
        return input_shape[0]
    return _batch_dimension(input_shape[0])


def output_shape_with_batch(input_shape: Any, output_shape: Any) -> Any:
    """``compute_output_shape`` for a layer given ``output_shape=``: each shape
    of the nest prefixed by the batch dimension of ``input_shape``."""
    tf = tensorflow()
    batch = tf.TensorShape([_batch_dimension(input_shape)])
    return tf.nest.map_structure(batch.concatenate, output_shape)


def apply_output_shape(result: Any, inputs: Any, output_shape: Any) -> Any:
    """Sets the static shape ``[batch] + output_shape`` on each output."""
    if output_shape is None:
        return result
    tf = tensorflow()
    batch = tf.TensorShape(tf.nest.flatten(inputs)[0].shape[:1])

    def _set(tensor: Any, shape: Any) -> Any:
        tensor.set_shape(batch.concatenate(shape))
        return tensor

    if isinstance(output_shape, tf.TensorShape):
        return tf.nest.map_structure(lambda t: _set(t, output_shape), result)
    return tf.nest.map_structure(_set, result, output_shape, check_types=False)


def layer_config(handle: Any, output_shape: Any, arguments: Dict[str, Any],
                 settings: SignatureSettings) -> Dict[str, Any]:
    """The hub-specific part of ``get_config``.

    Raises:
        KerasLayerConfigError: the handle is not a string.
        KerasLayerArgumentError: an argument or the output shape is not
            JSON-serialisable.
    """
    if not isinstance(handle, str):
        raise errors.KerasLayerConfigError(
            "Can only generate a valid config for `hub.KerasLayer(handle, ...)` that uses "
            f"a string `handle`, not {type(handle).__name__}. Save the model as a "
            "SavedModel (tf.saved_model.save / model.export), or build the layer from "
            "the model's URL or path.")
    config: Dict[str, Any] = {"handle": handle}
    if output_shape is not None:
        config["output_shape"] = shape_as_tuples(output_shape)
    if arguments:
        config["arguments"] = plain(arguments)
    for name in ("signature", "output_key", "signature_outputs_as_dict"):
        if getattr(settings, name):
            config[name] = getattr(settings, name)
    _check_json(config)
    return config


def _check_json(config: Dict[str, Any]) -> None:
    for name, value in config.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise errors.KerasLayerArgumentError(
                f"hub.KerasLayer config entry {name}={value!r} is not JSON-serializable, "
                "so the model cannot be saved; pass only plain numbers, strings, "
                "lists and dicts in arguments=... and output_shape=...") from exc
