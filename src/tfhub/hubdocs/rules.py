"""The checks on one document, as tfhub.dev's contribution validator made them.

Each check yields ``(line, rule, message)``; the rule names are what `tfhub
validate-docs` prints and what docs/hub_docs.md lists.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterator, Mapping, Tuple
from urllib.parse import urlparse

from tfhub.hubdocs.documents import TITLE_LIKE, VARIANT_KINDS, Document
from tfhub.hubdocs.vocabularies import Vocabulary

Finding = Tuple[int, str, str]

# Per kind of document: (required metadata, optional metadata).
_VISUALS = {"colab", "interactive-visualizer"}
METADATA_BY_KIND = {
    "Module": ({"asset-path", "fine-tunable", "format", "task"},
               {"network-architecture", "dataset", "language", "license"} | _VISUALS),
    "Placeholder": ({"task"}, {"dataset", "fine-tunable", "interactive-visualizer", "language", "license",
                               "network-architecture"}),
    "Tfjs": ({"asset-path", "parent-model"}, {"demo"} | _VISUALS),
    "Lite": ({"asset-path", "parent-model"}, _VISUALS),
    "Coral": ({"asset-path", "parent-model"}, _VISUALS),
    "Collection": ({"task"}, {"dataset", "language", "network-architecture"}),
    "Publisher": (set(), set()),
}
REPEATABLE = {"task", "network-architecture", "dataset", "language"}
MODULE_FORMATS = ("saved_model_2", "hub", "saved_model")
# tfhub.dev's markers for archives it hosted itself (no public URL to point at).
HOSTED_MARKERS = ("legacy", "internal")
_ARCHIVE_SUFFIX = {"Module": ".tar.gz", "Tfjs": ".tar.gz", "Lite": ".tflite", "Coral": ".tflite"}


def expected_paths(doc: Document) -> Tuple[str, ...]:
    """Where (relative to the docs directory, without ``.md``) the document may be.

    Models live under ``<publisher>/models/`` or, as tfhub.dev also accepted, directly
    under ``<publisher>/``; a TF.js/Lite/Coral document adds its kind's directory
    before the version file (``.../default/tfjs/1.md`` for ``# Tfjs .../default/1``),
    unless its title already names it, as the contribution guide's example does
    (``# Tfjs .../default/tfjs/1``).
    """
    if doc.kind == "Publisher":
        return (f"{doc.publisher}/{doc.publisher}",)
    if doc.kind == "Collection":
        return (f"{doc.publisher}/collections/{doc.name}/{doc.version}",)
    names = [doc.name]
    if doc.kind in VARIANT_KINDS:
        kind_dir = doc.kind.lower()
        names = [f"{doc.name}/{kind_dir}"] + ([doc.name] if doc.name.endswith("/" + kind_dir) else [])
    return tuple(path for name in names
                 for path in (f"{doc.publisher}/models/{name}/{doc.version}", f"{doc.publisher}/{name}/{doc.version}"))


def check_location(doc: Document, relative: PurePosixPath) -> Iterator[Finding]:
    """The title line names the document's own path."""
    here = relative.with_suffix("").as_posix()
    if relative.parts[0] != doc.publisher:
        yield 1, "publisher-dir", (f"the title names publisher '{doc.publisher}' but the file is in "
                                   f"'{relative.parts[0]}/'; a publisher's documents go in its own directory")
    elif here not in expected_paths(doc):
        yield 1, "title-path", (f"'# {doc.kind} {doc.title_handle}' does not match the file's path {relative}; "
                                f"expected {expected_paths(doc)[0]}.md (or fix the title)")


def check_single_document(doc: Document) -> Iterator[Finding]:
    """One model (or publisher, or collection) per file: no second title line."""
    for number, line in enumerate(doc.body.split("\n"), start=doc.body_line):
        if TITLE_LIKE.match(line.replace("&zwnj;", "")):
            yield number, "one-document", (f"a second title line {line.strip()[:60]!r}: each file documents "
                                           "one model version; move it to a file of its own")


def check_metadata_keys(doc: Document) -> Iterator[Finding]:
    """Required keys present, no key the kind does not take, single-valued keys once."""
    required, optional = METADATA_BY_KIND[doc.kind]
    missing = sorted(required - set(doc.metadata))
    if missing:
        yield 1, "required-metadata", (f"a {doc.kind} document needs metadata {', '.join(missing)} "
                                       f"(e.g. '<!-- {missing[0]}: ... -->' after the description)")
    for key, values in doc.metadata.items():
        if key not in required | optional:
            allowed = ", ".join(sorted(required | optional)) or "none"
            yield values[0].line, "unsupported-metadata", (f"'{key}' is not metadata a {doc.kind} document "
                                                           f"takes (it takes: {allowed})")
        elif key not in REPEATABLE and len({v.value for v in values}) > 1:
            yield values[1].line, "duplicate-metadata", (f"'{key}' is given more than once; it takes one value "
                                                         f"(only {', '.join(sorted(REPEATABLE))} repeat)")


def check_values(doc: Document, vocabularies: Mapping[str, Vocabulary]) -> Iterator[Finding]:
    """Values from the tag vocabularies; format and fine-tunable from their fixed sets."""
    for key, values in doc.metadata.items():
        for item in values:
            if key in vocabularies:
                problem = vocabularies[key].problem_with(item.value)
                if problem:
                    yield item.line, "tag-value", problem
            elif key == "format" and doc.kind == "Module" and item.value not in MODULE_FORMATS:
                yield item.line, "format", (f"'format' must be one of {', '.join(MODULE_FORMATS)} "
                                            f"(saved_model_2: TF2 SavedModel, hub: TF1 Hub format); "
                                            f"found {item.value!r}")
            elif key == "fine-tunable" and item.value not in ("true", "false"):
                yield item.line, "fine-tunable", f"'fine-tunable' must be true or false; found {item.value!r}"


def check_asset_path(doc: Document) -> Iterator[Finding]:
    """An archive URL with the kind's suffix (or a tfhub.dev hosting marker)."""
    suffix = _ARCHIVE_SUFFIX.get(doc.kind)
    for item in doc.metadata.get("asset-path", ()) if suffix else ():
        value = item.value
        if value in HOSTED_MARKERS:
            continue
        url = urlparse(value)
        if url.scheme not in ("http", "https", "gs") or not url.netloc:
            yield item.line, "asset-path", (f"'asset-path' must be the archive's URL (https://... or gs://...); "
                                            f"found {value!r}")
        elif not url.path.endswith(suffix):
            yield item.line, "asset-path", (f"a {doc.kind} document's 'asset-path' must end in {suffix}; "
                                            f"found {value!r}")
        elif url.netloc == "github.com" and "/releases/download/" in url.path:
            yield item.line, "asset-path", ("GitHub release downloads cannot be fetched by crawlers "
                                            f"(robots.txt); host the archive elsewhere: {value!r}")
