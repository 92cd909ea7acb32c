"""HTML of the catalog: the index of models and a page per model.

Plain, self-contained HTML (no scripts, no external resources), so it renders
inside a firewall and in a headless browser alike. Every value is escaped.
"""

from __future__ import annotations

import html
import json
from typing import Any, Iterable, List

from tfhub.units import human_size
from tfhub.server.catalog import CatalogRow

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
code,pre{background:#f4f4f4;font-family:ui-monospace,monospace}pre{padding:.8rem;overflow-x:auto}
.badge{background:#e8eefc;border-radius:.3rem;padding:.1rem .4rem}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )


def index_page(rows: Iterable[CatalogRow], base_url: str) -> str:
    """The catalog: every model with its format and size."""
    rows = list(rows)
    lines = [
        f"<tr><td><a href=\"{html.escape(r.url_path)}\">{html.escape(r.url_path)}</a></td>"
        f"<td class=\"format\">{html.escape(r.format)}</td><td>{human_size(r.size_bytes)}</td></tr>"
        for r in rows
    ]
    table = ("<table><tr><th>Model</th><th>Format</th><th>Size</th></tr>" + "".join(lines) + "</table>"
             if rows else "<p>No models under the served root yet: add directories holding saved_model.pb.</p>")
    body = (f"<h1>Models</h1><p>{len(rows)} model(s) served from <code>{html.escape(base_url)}</code>. "
            "Use a model's URL as a handle.</p>" + table)
    return _page("tfhub catalog", body)


def snippet(handle: str, description: Any) -> str:
    """Copy-paste code that loads the model the way its format fits."""
    quoted = json.dumps(handle)
    lines = ["import tfhub as hub  # or: import tensorflow_hub as hub", ""]
    if description.format == "TF1 Hub format":
        signature = _first_signature(description)
        lines += [
            "# TF2: the module's signatures as functions",
            f"model = hub.load({quoted})",
            f"outputs = model.signatures[{json.dumps(signature)}](...)",
            f"layer = hub.KerasLayer({quoted}, signature={json.dumps(signature)}, signature_outputs_as_dict=True)",
            "",
            "# TF1 graph mode (tf.compat.v1)",
            f"module = hub.Module({quoted})",
        ]
    elif description.format == "TF2 SavedModel":
        lines += [f"model = hub.load({quoted})", f"layer = hub.KerasLayer({quoted}, trainable=False)"]
    else:
        signature = _first_signature(description)
        lines += [f"model = hub.load({quoted})", f"outputs = model.signatures[{json.dumps(signature)}](...)"]
    return "\n".join(lines)


def _first_signature(description: Any) -> str:
    for variant in description.variants:
        if "default" in variant.signatures:
            return "default"
        for name in variant.signatures:
            return name
    return "default"


def model_page(handle: str, url_path: str, description: Any) -> str:
    """A model's page: format, graph variants, signatures, size, snippet."""
    parts: List[str] = [
        "<p><a href=\"/\">&larr; all models</a></p>",
        f"<h1>{html.escape(url_path)}</h1>",
        "<table>",
        f"<tr><th>Format</th><td class=\"format\"><span class=\"badge\">{html.escape(description.format)}</span></td></tr>",
        f"<tr><th>Size</th><td>{human_size(description.size_bytes)}</td></tr>",
        f"<tr><th>Variables</th><td>{description.variable_count} ({human_size(description.variable_bytes)})</td></tr>",
        f"<tr><th>Assets</th><td>{html.escape(', '.join(description.assets) or '(none)')}</td></tr>",
        f"<tr><th>Download</th><td><a href=\"{html.escape(url_path)}?tf-hub-format=compressed\">"
        f"{html.escape(url_path)}?tf-hub-format=compressed</a></td></tr>",
        "</table>",
        "<h2>Usage</h2>",
        f"<pre class=\"snippet\">{html.escape(snippet(handle, description))}</pre>",
        "<h2>Graph variants and signatures</h2>",
    ]
    for variant in description.variants:
        parts.append(_variant_html(variant))
    return _page(f"{url_path} - tfhub", "".join(parts))


def _variant_html(variant: Any) -> str:
    tags = ", ".join(variant.tags) if variant.tags else "(default: no tags)"
    parts = [f"<h3>Tags: {html.escape(tags)}</h3>",
             f"<p>Written by TensorFlow {html.escape(variant.tensorflow_version)}</p>"]
    if not variant.signatures:
        parts.append("<p>(no signatures)</p>")
    for name, signature in variant.signatures.items():
        rows = [f"<tr><td>input</td><td>{html.escape(k)}</td><td><code>{html.escape(t.render())}</code></td></tr>"
                for k, t in signature.inputs.items()]
        rows += [f"<tr><td>output</td><td>{html.escape(k)}</td><td><code>{html.escape(t.render())}</code></td></tr>"
                 for k, t in signature.outputs.items()]
        parts.append(f"<h4 class=\"signature\">Signature <code>{html.escape(name)}</code></h4>"
                     "<table><tr><th></th><th>Name</th><th>Type</th></tr>" + "".join(rows) + "</table>")
    return "".join(parts)
