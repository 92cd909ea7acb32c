"""Verification: the source and the converted model, fed the same generated inputs.

Inputs are made from each signature's specs with a fixed seed: batch 2, other
unknown dimensions 3, small non-negative integers (safe as indices), a few
words for strings. Every output is compared; the largest absolute difference
is what the report shows.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import numpy as np

from tfhub import errors
from tfhub._tf import tensorflow
from tfhub.convert import reusable

tf = tensorflow()

_WORDS = np.array([b"cat", b"dog", b"hello", b"the"], dtype=object)


def _dims(shape: Any) -> List[int]:
    if shape.rank is None:
        return [2]
    return [d if d is not None else (2 if i == 0 else 3) for i, d in enumerate(shape.as_list())]


def _dense(dtype: Any, shape: List[int], rng: np.random.Generator) -> Any:
    if dtype == tf.string:
        return tf.constant(rng.choice(_WORDS, size=shape))
    if dtype == tf.bool:
        return tf.constant(rng.integers(0, 2, size=shape).astype(bool))
    if dtype.is_floating or dtype.is_complex:
        return tf.cast(rng.standard_normal(size=shape), dtype)
    return tf.cast(rng.integers(0, 3, size=shape), dtype)


def make_input(spec: Any, rng: np.random.Generator) -> Any:
    """A value matching a TensorSpec, SparseTensorSpec or RaggedTensorSpec."""
    if isinstance(spec, tf.SparseTensorSpec):
        shape = _dims(spec.shape)
        dense = _dense(spec.dtype, shape, rng)
        mask = tf.constant(rng.integers(0, 2, size=shape).astype(bool))
        indices = tf.where(mask)
        return tf.SparseTensor(indices, tf.gather_nd(dense, indices), tf.constant(shape, tf.int64))
    if isinstance(spec, tf.RaggedTensorSpec):
        values = _dense(spec.dtype, [5] + _dims(spec.shape)[spec.ragged_rank + 1:], rng)
        return tf.RaggedTensor.from_row_lengths(values, tf.constant([2, 0, 3], spec.row_splits_dtype))
    return _dense(spec.dtype, _dims(spec.shape), rng)


def make_inputs(signature: reusable.Signature, seed: int = 0) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Structured inputs (key -> value) and the same as serving keyword arguments."""
    rng = np.random.default_rng(seed)
    structured = {k: make_input(signature.input_specs[k], rng) for k in signature.input_keys}
    flat_values = [c for k in signature.input_keys
                   for c in tf.nest.flatten(structured[k], expand_composites=True)]
    names = [name for name, _ in reusable.flat_input_specs(signature)]
    return structured, dict(zip(names, flat_values))


def max_abs_diff(expected: Any, actual: Any) -> float:
    """The largest absolute difference between two nests of (composite) tensors.

    Non-numeric values count 0 when equal and infinity otherwise; so do
    mismatching structures or shapes.
    """
    try:
        tf.nest.assert_same_structure(expected, actual, expand_composites=True)
    except (ValueError, TypeError):
        return float("inf")
    worst = 0.0
    for a, b in zip(tf.nest.flatten(expected, expand_composites=True),
                    tf.nest.flatten(actual, expand_composites=True)):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return float("inf")
        if a.dtype.kind in "fciu" and b.dtype.kind in "fciu":
            if a.size:
                worst = max(worst, float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))))
        elif not np.array_equal(a, b):
            return float("inf")
    return worst


def flat_outputs(outputs: Dict[str, Any]) -> Dict[str, List[Any]]:
    """Output key -> its components (a composite split), the form both sides are compared in."""
    return {k: tf.nest.flatten(v, expand_composites=True) for k, v in outputs.items()}


def source_failed(what: str, kwargs: Dict[str, Any], exc: Exception) -> errors.ConversionVerificationError:
    """The error when the source itself fails on the generated inputs, with the fix."""
    return errors.ConversionVerificationError(
        f"{what} of the source fails on generated inputs ({sorted(kwargs)}): "
        f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}. Convert with "
        "verify=False (tfhub convert --no-verify) and check the result on real inputs.")


def compare_signature(name: str, signature: reusable.Signature, expected: Dict[str, List[Any]],
                      inputs: Tuple[Dict[str, Any], Dict[str, Any]], result: Any,
                      is_default: bool) -> float:
    """The largest difference between the source's outputs and the result's on ``inputs``.

    Runs signature ``name`` of the result; for the default one also ``result(...)``.

    Args:
        expected: the source's outputs as :func:`flat_outputs` gives them.
        inputs: what :func:`make_inputs` made for this signature.
    """
    structured, kwargs = inputs
    diff = max_abs_diff(expected, flat_outputs(result.signatures[name](**kwargs)))
    if is_default and callable(result):
        one = signature.input_keys[0] if len(signature.input_keys) == 1 else None
        called = result(structured[one] if one else structured)
        if not isinstance(called, dict):
            called = {signature.output_keys[0]: called}
        diff = max(diff, max_abs_diff(expected, flat_outputs(called)))
    return diff
