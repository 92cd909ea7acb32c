"""HTML of a model's page: its document, facts, versions, variants, usage, signatures, files.

A documented model shows its rendered document and metadata; a hosted one also
what tfhub reads from its files (:mod:`tfhub.formats.inspection`); a model that
is only one of the two gets a page all the same. Every value is escaped; the
document's HTML comes sanitised from :func:`tfhub.hubdocs.render_markdown`.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Callable, List, Optional, Sequence, Tuple

from tfhub.server.page_shell import escape, page
from tfhub.units import human_size

@dataclasses.dataclass(frozen=True)
class ModelView:
    """What one model page shows (one version of one model)."""

    model: Any  # server.library.CatalogModel
    version: str  # the version shown
    handle_url: Optional[str]  # the handle on this server, None when the version is not hosted
    description: Optional[Any] = None  # formats.inspection.ModelDescription when hosted
    error: Optional[str] = None  # why the hosted files could not be described
    files: Sequence[Tuple[str, int]] = ()  # (relative path, bytes) of the hosted version
    facts: Sequence[Tuple[str, Sequence[str]]] = ()  # (label, display values) from the metadata
    collections: Sequence[Tuple[str, str]] = ()  # (handle, title)
    variants: Sequence[Tuple[str, str]] = ()  # (handle, format name) of the other format variants


def snippet(handle: str, description: Any) -> str:
    """Copy-paste code that loads the model the way its format fits."""
    quoted = json.dumps(handle)
    lines = ["import tfhub as hub  # or: import tensorflow_hub as hub", ""]
    if description.format == "TF1 Hub format":
        signature = _first_signature(description)
        lines += [
            "# TF2: the module's graph variants as SavedModel objects",
            *(f"model = hub.load({quoted}, tags={_tags_literal(v.tags)})" for v in description.variants),
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


def documented_snippet(handle: str, doc_format: str) -> Optional[str]:
    """The snippet a document's format calls for, before the files are read (None: no Python use)."""
    quoted = json.dumps(handle)
    head = "import tfhub as hub  # or: import tensorflow_hub as hub\n\n"
    if doc_format == "saved_model_2":
        return head + f"model = hub.load({quoted})\nlayer = hub.KerasLayer({quoted}, trainable=False)"
    if doc_format == "hub":
        return head + f"module = hub.Module({quoted})  # TF1 graph mode\nmodel = hub.load({quoted}, tags=[])"
    if doc_format == "saved_model":
        return head + f"model = hub.load({quoted})"
    return None


def _tags_literal(tags: Sequence[str]) -> str:
    return "[]" if not tags else "{" + ", ".join(json.dumps(t) for t in tags) + "}"


def _first_signature(description: Any) -> str:
    for variant in description.variants:
        if "default" in variant.signatures:
            return "default"
        for name in variant.signatures:
            return name
    return "default"


def _fact_value(value: str) -> str:
    """A metadata value; a web address (a Colab, a demo) as a link."""
    if value.startswith(("https://", "http://")):
        return f'<a href="{escape(value)}" rel="noopener noreferrer nofollow">{escape(value)}</a>'
    return f'<span class="badge">{escape(value)}</span>'


def _copyable(text: str, css: str = "") -> str:
    return f'<div class="handle"><code class="{css}" data-copy>{escape(text)}</code></div>'


def _facts(view: ModelView) -> str:
    model = view.model
    rows = [("Handle", "<code>" + escape(model.handle) + "</code>"),
            ("Publisher", f'<a href="/{escape(model.publisher)}">{escape(model.publisher)}</a>')]
    rows += [(label, ", ".join(_fact_value(v) for v in values)) for label, values in view.facts]
    if view.description is not None:
        rows.append(("Format", f'<span class="badge format">{escape(view.description.format)}</span>'))
        rows.append(("Size", escape(human_size(view.description.size_bytes))))
        rows.append(("Variables", f"{view.description.variable_count} "
                                  f"({escape(human_size(view.description.variable_bytes))})"))
    items = "".join(f'<dt>{escape(label)}</dt><dd>{value}</dd>' for label, value in rows)
    return f'<dl class="facts">{items}</dl>'


def _versions(view: ModelView) -> str:
    model, latest, items = view.model, view.model.latest(), []
    for number in reversed(model.version_numbers()):
        label = f"Version {number}" if number else "(unversioned)"
        marks = ' <span class="badge latest">latest</span>' if number == latest else ""
        marks += "" if number in model.hosted else ' <span class="badge absent">not hosted here</span>'
        current = ' aria-current="page"' if number == view.version else ""
        href = f"/{model.handle}/{number}" if number else f"/{model.handle}"
        items.append(f'<li class="version" data-version="{escape(number)}"><a href="{escape(href)}"{current}>'
                     f"{escape(label)}</a>{marks}</li>")
    return "<h2>Versions</h2><ul class=\"versions\">" + "".join(items) + "</ul>"


def _usage(view: ModelView) -> str:
    if view.handle_url is None:
        return ('<h2>Usage</h2><p class="not-hosted">This version is <strong>not hosted here</strong>: '
                "only its document is. Put its files under the served root as "
                f"<code>{escape(view.model.handle)}/{escape(view.version)}</code> to serve it.</p>")
    if view.description is not None:
        code = snippet(view.handle_url, view.description)
    else:
        doc_version = view.model.documented_version(view.version)
        code = documented_snippet(view.handle_url, doc_version.format if doc_version else "") or ""
    parts = ["<h2>Usage</h2>", _copyable(view.handle_url)]
    if code:
        parts.append(f'<pre class="snippet" data-copy>{escape(code)}</pre>')
    return "".join(parts)


def _variant_html(variant: Any) -> str:
    tags = ", ".join(variant.tags) if variant.tags else "(default: no tags)"
    parts = [f"<h3>Tags: {escape(tags)}</h3>",
             f"<p>Written by TensorFlow {escape(variant.tensorflow_version)}</p>"]
    if not variant.signatures:
        parts.append("<p>(no signatures)</p>")
    for name, signature in variant.signatures.items():
        rows = [f"<tr><td>input</td><td>{escape(k)}</td><td><code>{escape(t.render())}</code></td></tr>"
                for k, t in signature.inputs.items()]
        rows += [f"<tr><td>output</td><td>{escape(k)}</td><td><code>{escape(t.render())}</code></td></tr>"
                 for k, t in signature.outputs.items()]
        parts.append(f"<h4 class=\"signature\">Signature <code>{escape(name)}</code></h4>"
                     "<table><tr><th></th><th>Name</th><th>Type</th></tr>" + "".join(rows) + "</table>")
    return "".join(parts)


def _hosted_files(view: ModelView) -> str:
    if view.error is not None:
        return f'<h2>Files</h2><p class="error">{escape(view.error)}</p>'
    if view.description is None:
        return ""
    parts = ["<h2>Graph variants and signatures</h2>", *(_variant_html(v) for v in view.description.variants)]
    rows = "".join(f"<tr><td><code>{escape(name)}</code></td><td>{escape(human_size(size))}</td></tr>"
                   for name, size in view.files)
    parts.append(f"<h2>Files</h2><table class=\"files\"><tr><th>File</th><th>Size</th></tr>{rows}</table>")
    served = view.model.hosted.get(view.version)
    if served is not None:
        parts.append(f'<p><a href="{escape(served.url_path)}?tf-hub-format=compressed" download>'
                     "Download this version (tar.gz)</a></p>")
    return "".join(parts)


def _links(title: str, pairs: Sequence[Tuple[str, str]]) -> str:
    if not pairs:
        return ""
    items = "".join(f'<li><a href="/{escape(h)}">{escape(label)}</a> <code>{escape(h)}</code></li>'
                    for h, label in pairs)
    return f"<h2>{escape(title)}</h2><ul>{items}</ul>"


def model_page(view: ModelView, render_markdown: Optional[Callable[[str], str]]) -> str:
    """The page of one version of a model."""
    model = view.model
    doc_version = model.documented_version(view.version)
    summary = model.doc.summary if model.doc is not None else ""
    status = ("" if view.version in model.hosted
              else '<p><span class="badge absent">not hosted here</span></p>')
    parts: List[str] = [
        f"<h1>{escape(model.title)}</h1>{status}",
        f'<p class="summary">{escape(summary)}</p>' if summary else "",
        _facts(view), _usage(view), _versions(view),
        _links("Format variants", view.variants),
        _links("In collections", view.collections),
    ]
    if doc_version is not None and render_markdown is not None:
        parts.append(f'<h2>Documentation</h2><article class="doc">{render_markdown(doc_version.markdown)}</article>')
    elif model.doc is None:
        parts.append('<p class="no-document">No document for this model: what is shown was read from its files.</p>')
    parts.append(_hosted_files(view))
    shown = f"{model.handle}/{view.version}" if view.version else model.handle
    return page(f"{shown} - tfhub", "".join(parts))
