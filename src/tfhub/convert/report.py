"""What a conversion does (or would do): the report `tfhub convert` prints."""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, List, Optional

# The largest absolute difference verification allows by default (here, free of
# TensorFlow, so that the CLI can show it without importing TensorFlow).
DEFAULT_TOLERANCE = 1e-5


@dataclasses.dataclass
class SignatureReport:
    """One signature of the source and how it was carried over."""

    name: str
    inputs: Dict[str, str]
    outputs: Dict[str, str]
    has_train_variant: bool = False
    max_abs_diff: Optional[float] = None


@dataclasses.dataclass
class ConversionReport:
    """The plan of a conversion; after a real run, also its verification.

    Attributes:
        source: the handle as given.
        source_format: "TF1 Hub format" or "SavedModel".
        signatures: one entry per signature carried over.
        variables / trainable_variables: counts.
        regularization_losses: count of loss callables written.
        update_ops: count of batch-norm style updates run when training.
        tables / assets: what is carried over.
        notes: things worth knowing that do not stop the conversion.
        problems: what cannot be converted (a conversion refuses to run).
        destination / tolerance: set once written and verified.
    """

    source: str
    source_format: str
    signatures: List[SignatureReport] = dataclasses.field(default_factory=list)
    variables: int = 0
    trainable_variables: int = 0
    regularization_losses: int = 0
    update_ops: int = 0
    tables: int = 0
    assets: List[str] = dataclasses.field(default_factory=list)
    notes: List[str] = dataclasses.field(default_factory=list)
    problems: List[str] = dataclasses.field(default_factory=list)
    destination: Optional[str] = None
    tolerance: Optional[float] = None

    @property
    def max_abs_diff(self) -> Optional[float]:
        """The largest difference over every verified signature (None before verifying)."""
        diffs = [s.max_abs_diff for s in self.signatures if s.max_abs_diff is not None]
        return max(diffs) if diffs else None

    def to_dict(self) -> Dict[str, Any]:
        """A JSON-ready dict."""
        result = dataclasses.asdict(self)
        result["max_abs_diff"] = self.max_abs_diff
        return result

    def render(self) -> str:
        """The report as text, one fact per line."""
        lines = [f"source:      {self.source} ({self.source_format})",
                 f"variables:   {self.variables} ({self.trainable_variables} trainable)",
                 f"reg. losses: {self.regularization_losses}   update ops: {self.update_ops}   "
                 f"tables: {self.tables}",
                 f"assets:      {', '.join(self.assets) if self.assets else '(none)'}"]
        for sig in self.signatures:
            train = "  [train variant for training=True]" if sig.has_train_variant else ""
            diff = "" if sig.max_abs_diff is None else f"  max abs diff {sig.max_abs_diff:.3g}"
            lines.append(f"signature '{sig.name}': {_io(sig.inputs)} -> {_io(sig.outputs)}{train}{diff}")
        lines += [f"note: {n}" for n in self.notes]
        lines += [f"cannot convert: {p}" for p in self.problems]
        if self.destination:
            lines.append(f"written to {self.destination} (verified, max abs diff "
                         f"{self.max_abs_diff if self.max_abs_diff is not None else 0:.3g} "
                         f"<= tolerance {self.tolerance})")
        return "\n".join(lines)


def _io(specs: Dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in sorted(specs.items())) + "}"


def describe_spec(spec: Any) -> str:
    """``TensorSpec(shape=(None, 2), dtype=float32)`` -> ``float32[?,2]`` (and Sparse/Ragged)."""
    shape = getattr(spec, "shape", None)
    dims = "<unknown rank>" if shape is None or shape.rank is None else \
        "[" + ",".join("?" if d is None else str(d) for d in shape.as_list()) + "]"
    kind = type(spec).__name__.replace("TensorSpec", "").replace("Spec", "")
    return f"{kind}{'<' if kind else ''}{spec.dtype.name}{dims}{'>' if kind else ''}"
