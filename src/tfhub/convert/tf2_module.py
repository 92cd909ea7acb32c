"""A TF2 SavedModel lacking the reusable attributes, wrapped so they can be added.

Plain exports (Keras 3 ``model.export``, a ``tf.Module`` saved with signatures
only) have no ``trainable_variables`` or ``regularization_losses`` and often no
``__call__``, so ``hub.KerasLayer(handle, trainable=True)`` cannot train them.
The wrapper finds every variable in the loaded object graph and exposes the
serving signatures in the form the writer (:mod:`reusable`) takes.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from tfhub._tf import tensorflow
from tfhub.convert import report as report_lib

tf = tensorflow()

_ATTRIBUTES = ("__call__", "variables", "trainable_variables", "regularization_losses")


class Tf2Signature:
    """One serving signature of the loaded model (no training mode)."""

    def __init__(self, function: Any) -> None:
        self._function = function
        self.input_specs: Dict[str, Any] = dict(function.structured_input_signature[1])
        self.input_keys: List[str] = sorted(self.input_specs)
        self.output_keys: List[str] = sorted(function.structured_outputs)

    def run(self, inputs: Dict[str, Any], training: bool) -> Dict[str, Any]:
        del training  # a serving signature has one mode
        return self._function(**inputs)


class Tf2Conversion:
    """The loaded model, its variables, losses and signatures."""

    def __init__(self, path: str, tags: Optional[Any]) -> None:
        self.loaded = tf.saved_model.load(path, tags=list(tags) if tags else None)
        found = [v for v in tf.train.TrackableView(self.loaded).descendants()
                 if isinstance(v, tf.Variable)]
        self.variables = list(getattr(self.loaded, "variables", None) or found)
        self.trainable_variables = list(getattr(self.loaded, "trainable_variables", None)
                                        or [v for v in self.variables if v.trainable])
        self.losses = list(getattr(self.loaded, "regularization_losses", None) or [])
        self.signatures = {n: Tf2Signature(f) for n, f in self.loaded.signatures.items()}
        self.trackables = {"source": self.loaded}
        self.call = getattr(self.loaded, "__call__", None) if callable(self.loaded) else None

    @property
    def default(self) -> Optional[str]:
        """The signature ``__call__`` runs when the source has no ``__call__``."""
        if "serving_default" in self.signatures or not self.signatures:
            return "serving_default"
        return sorted(self.signatures)[0]


def inventory(conversion: Tf2Conversion, handle: str) -> report_lib.ConversionReport:
    """The conversion plan: what the source has and what will be added."""
    report = report_lib.ConversionReport(source=handle, source_format="SavedModel")
    report.variables = len(conversion.variables)
    report.trainable_variables = len(conversion.trainable_variables)
    report.regularization_losses = len(conversion.losses)
    describe = report_lib.describe_spec
    for name, sig in sorted(conversion.signatures.items()):
        outputs = sig._function.structured_outputs  # same module family
        report.signatures.append(report_lib.SignatureReport(
            name=name, inputs={k: describe(s) for k, s in sig.input_specs.items()},
            outputs={k: describe(v) for k, v in outputs.items()}))
    missing = [a for a in _ATTRIBUTES if not hasattr(conversion.loaded, a)]
    report.notes.append(f"adds {missing}" if missing else
                        "already a reusable SavedModel; it is rewritten unchanged in function")
    if conversion.call is None and conversion.signatures:
        report.notes.append(f"__call__ runs signature '{conversion.default}' (no training mode)")
    if not conversion.losses:
        report.notes.append("no regularization losses in the source (regularization_losses is empty)")
    if conversion.call is None and not conversion.signatures:
        report.problems.append("the SavedModel has neither __call__ nor signatures: nothing to call")
    return report
