"""``tfhub.convert.tf1_to_tf2`` and ``tfhub.convert.check``."""

from __future__ import annotations

import logging
import os
from typing import Any, Dict, Iterable, Optional

from tfhub import errors, formats
from tfhub._tf import tensorflow
from tfhub.convert import report as report_lib
from tfhub.convert import reusable, tf1_inventory, tf1_module, tf1_oracle, tf2_module, verify, writing
from tfhub.resolving.resolvers import resolve

logger = logging.getLogger("tfhub")

DEFAULT_TOLERANCE = report_lib.DEFAULT_TOLERANCE


def check(src: str, tags: Optional[Iterable[str]] = None) -> report_lib.ConversionReport:
    """Reports what converting ``src`` would do, writing nothing.

    Args:
        src: a handle (path or URL) of a TF1 Hub format module or a TF2 SavedModel.
        tags: the graph variant (TF1) or MetaGraph tags (TF2) to convert.

    Returns:
        The plan; ``problems`` lists what cannot be converted.

    Raises:
        ModelFormatError: ``src`` holds no SavedModel.
        ResolveError: ``src`` cannot be resolved.
    """
    path = resolve(src)
    if formats.detect(path).is_hub_module_v1:
        return tf1_inventory.inventory(path, src, tags)
    return tf2_module.inventory(tf2_module.Tf2Conversion(path, tags), src)


def tf1_to_tf2(src: str, dst: str, tags: Optional[Iterable[str]] = None,
               tolerance: float = DEFAULT_TOLERANCE, overwrite: bool = False,
               verify_outputs: bool = True) -> report_lib.ConversionReport:
    """Converts a TF1 Hub format module (or a plain TF2 SavedModel) to a reusable SavedModel.

    The result has ``__call__(inputs, training=False)`` for the ``default``
    signature (``training=True`` runs the ``{"train"}`` variant and its update
    ops), every signature as an attribute and a serving signature, and
    ``variables``, ``trainable_variables`` and ``regularization_losses``.

    Args:
        src: a handle (path or URL), resolved with ``tfhub.resolve``.
        dst: the local directory to write; written atomically.
        tags: the graph variant to convert (default: the empty tag set).
        tolerance: the largest absolute difference allowed between the
            outputs of the source and of the result on generated inputs.
        overwrite: replace an existing ``dst``.
        verify_outputs: compare source and result (on by default).

    Returns:
        The report, with the maximum absolute difference per signature.

    Raises:
        ModelFormatError: ``src`` holds no SavedModel.
        ConversionError: parts of ``src`` cannot be converted (all are listed).
        ConversionVerificationError: the result differs beyond ``tolerance``.
        ConversionTargetExistsError: ``dst`` exists and ``overwrite`` is False.
    """
    path = resolve(src)
    is_tf1 = formats.detect(path).is_hub_module_v1
    dst = writing.check_destination(os.fspath(dst), path, overwrite)
    if is_tf1:
        report = tf1_inventory.inventory(path, src, tags)
        _refuse_problems(report)
        conversion: Any = tf1_module.Tf1Conversion(path, src, tags)
        default = "default"
    else:
        conversion = tf2_module.Tf2Conversion(path, tags)
        report = tf2_module.inventory(conversion, src)
        _refuse_problems(report)
        default = conversion.default
    root, serving, notes = reusable.build(conversion, default)
    report.notes += notes
    with writing.atomic_directory(dst) as tmp:
        tensorflow().saved_model.save(root, tmp, signatures=serving)
        if verify_outputs:
            _verify(report, conversion, tmp, is_tf1, default, tolerance)
    report.destination, report.tolerance = dst, tolerance
    logger.info("Converted %s to %s", src, dst)
    return report


def _refuse_problems(report: report_lib.ConversionReport) -> None:
    if report.problems:
        listed = "\n".join(f"  - {p}" for p in report.problems)
        raise errors.ConversionError(
            f"{report.source} cannot be converted; nothing was written. Unconvertible parts:\n{listed}")


def _verify(report: report_lib.ConversionReport, conversion: Any, result_path: str,
            is_tf1: bool, default: str, tolerance: float) -> None:
    result = tensorflow().saved_model.load(result_path)
    inputs = {name: verify.make_inputs(sig) for name, sig in conversion.signatures.items()}
    expected = _source_outputs(conversion, is_tf1, inputs)
    by_name = {s.name: s for s in report.signatures}
    for name, signature in conversion.signatures.items():
        diff = verify.compare_signature(name, signature, expected[name], inputs[name], result,
                                        is_default=name == default and is_tf1)
        by_name[name].max_abs_diff = diff
        if not diff <= tolerance:
            raise errors.ConversionVerificationError(
                f"signature '{name}' of the converted model differs from {report.source} by "
                f"{diff:.3g} (tolerance {tolerance}); nothing was written. Raise the tolerance "
                "if the model is numerically sensitive, or report the module.")


def _source_outputs(conversion: Any, is_tf1: bool, inputs: Dict[str, Any]) -> Dict[str, Any]:
    """What the source computes on ``inputs``: a TF1 module in one Session, all signatures at once."""
    if is_tf1:
        feeds = {name: list(kwargs.values()) for name, (_, kwargs) in inputs.items()}
        try:
            return tf1_oracle.run_signatures(conversion.path, conversion.variants.inference, feeds)
        except Exception as exc:  # reported with the fix
            raise verify.source_failed("a signature", feeds, exc) from exc
    outputs = {}
    for name, (_, kwargs) in inputs.items():
        try:
            outputs[name] = verify.flat_outputs(conversion.loaded.signatures[name](**kwargs))
        except Exception as exc:  # reported with the fix
            raise verify.source_failed(f"signature '{name}'", kwargs, exc) from exc
    return outputs
