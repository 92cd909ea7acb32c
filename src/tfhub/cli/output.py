"""Text rendering for the CLI."""

from __future__ import annotations

from typing import Any, List


def human_size(count: int) -> str:
    """1536 -> '1.5 KiB'."""
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


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
