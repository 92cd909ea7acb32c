"""Text rendering for the CLI."""

from __future__ import annotations

from typing import Any, List, Sequence

from tfhub.units import human_size


def table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """Rows in columns under a header; columns whose index is in ``right`` are right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [str(cell).rjust(w) if i in right else str(cell).ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def render_description(handle: str, description: Any) -> str:
    """A model description (formats.inspection.ModelDescription) as text."""
    lines: List[str] = [
        f"handle:     {handle}",
        f"path:       {description.path}",
        f"format:     {description.format}",
        f"size:       {human_size(description.size_bytes)}",
        f"variables:  {description.variable_count} ({human_size(description.variable_bytes)})",
        f"assets:     {', '.join(description.assets) if description.assets else '(none)'}",
    ]
    for variant in description.variants:
        tags = "{" + ", ".join(repr(t) for t in variant.tags) + "}" if variant.tags else "{} (default)"
        lines.append(f"graph variant tags={tags}  written by TensorFlow {variant.tensorflow_version}")
        if not variant.signatures:
            lines.append("  (no signatures)")
        for name, signature in variant.signatures.items():
            lines.append(f"  signature '{name}'")
            for key, tensor in signature.inputs.items():
                lines.append(f"    in   {key}: {tensor.render()}")
            for key, tensor in signature.outputs.items():
                lines.append(f"    out  {key}: {tensor.render()}")
    return "\n".join(lines)
