"""One documentation file of a tfhub.dev-style tree, parsed into its parts.

A document is a title line (``# Module google/text-embedding/1``), a short description,
a block of metadata comments (``<!-- task: text-embedding -->``), then free markdown.
Parsing never fails: what does not fit is recorded as a :class:`Flaw` with its line, so
loading a tree and validating it read files the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

# Kinds of document, by the word after "# " on the title line.
MODEL_KINDS = ("Module", "Placeholder", "Lite", "Tfjs", "Coral")
VARIANT_KINDS = ("Lite", "Tfjs", "Coral")
KINDS = MODEL_KINDS + ("Publisher", "Collection")

PUBLISHER_PATTERN = r"[a-z\d-]+"
_NAME_PATTERN = r"[\w.-]+(?:/[\w.-]+)*"
_TITLE = re.compile(
    rf"# (?P<kind>{'|'.join(MODEL_KINDS)}|Collection) (?P<publisher>{PUBLISHER_PATTERN})/"
    rf"(?P<name>{_NAME_PATTERN})/(?P<version>\d+)"
    rf"|# Publisher (?P<only_publisher>{PUBLISHER_PATTERN})")
# Any line shaped like a title, loosely: used to find a second document in one file.
TITLE_LIKE = re.compile(rf"# (?:{'|'.join(KINDS)}) \S+/\S+|# Publisher \S+\s*$")
_METADATA = re.compile(r"<!--(?P<key>[\w\s-]+):(?P<value>.+)-->")
_ICON = re.compile(r"\[!\[Icon URL\]\]\((?P<url>[^)\s]*)\)")


@dataclass(frozen=True)
class Flaw:
    """Something in a document's structure that does not follow the format."""

    line: int
    rule: str
    message: str


@dataclass(frozen=True)
class MetadataValue:
    value: str
    line: int


@dataclass
class Document:
    """A parsed file. ``kind`` is None when the title line is not recognised."""

    text: str
    kind: Optional[str] = None
    publisher: str = ""
    name: str = ""          # the model or collection name, slashes included ("imagenet/x/feature_vector")
    version: Optional[int] = None
    description: str = ""
    metadata: Dict[str, List[MetadataValue]] = field(default_factory=dict)
    icon_url: Optional[str] = None
    body: str = ""          # the markdown after the metadata block
    body_line: int = 0      # 1-based line where ``body`` starts
    flaws: List[Flaw] = field(default_factory=list)

    def values(self, key: str) -> Tuple[str, ...]:
        """The values of metadata ``key`` in file order, each once."""
        return tuple(dict.fromkeys(v.value for v in self.metadata.get(key, ())))

    @property
    def title_handle(self) -> str:
        """The handle the title line names, with its version (``google/x/1``; a publisher's name)."""
        if self.kind == "Publisher":
            return self.publisher
        return f"{self.publisher}/{self.name}/{self.version}"


def parse_document(text: str) -> Document:
    """Splits ``text`` into title, description, metadata and body, noting each flaw."""
    lines = text.split("\n")
    doc = Document(text=text)
    title = lines[0].replace("&zwnj;", "").rstrip() if lines else ""
    match = _TITLE.fullmatch(title)
    if match is None:
        doc.flaws.append(Flaw(1, "title-line", f"the first line must be '# KIND publisher/name/version' "
                                               f"(KIND: {', '.join(KINDS[:-2])}, Collection) or "
                                               f"'# Publisher name', e.g. '# Module google/text-embedding/1'; "
                                               f"found {title[:80]!r}"))
    elif match["only_publisher"]:
        doc.kind, doc.publisher = "Publisher", match["only_publisher"]
    else:
        doc.kind, doc.publisher, doc.name = match["kind"], match["publisher"], match["name"]
        doc.version = int(match["version"])
    index = _read_description(lines, doc)
    index = _read_metadata(lines, index, doc)
    doc.body = "\n".join(lines[index:])
    doc.body_line = index + 1
    return doc


def _read_description(lines: List[str], doc: Document) -> int:
    """The short description: the lines after the title (one blank line allowed) up to
    a blank line or the first metadata comment. Returns the index after it."""
    index = 1
    if index < len(lines) and not lines[index].strip():
        index += 1
    start = index
    parts = []
    while index < len(lines) and lines[index].strip() and not lines[index].startswith(("<!--", "#")):
        parts.append(lines[index].strip())
        index += 1
    doc.description = " ".join(parts)
    if not parts:
        doc.flaws.append(Flaw(min(start + 1, len(lines)), "description",
                              "the line after the title must be a short description "
                              "(e.g. 'Text embedding trained on Wikipedia.')"))
    return index


def _read_metadata(lines: List[str], index: int, doc: Document) -> int:
    """Metadata comments, blank lines and a publisher icon, up to the first heading."""
    while index < len(lines) and not lines[index].startswith("#"):
        line = lines[index].strip()
        metadata = _METADATA.fullmatch(line)
        icon = _ICON.match(line)
        if metadata:
            key, value = metadata["key"].strip(), metadata["value"].strip()
            doc.metadata.setdefault(key, []).append(MetadataValue(value, index + 1))
        elif icon:
            doc.icon_url = icon["url"]
        elif line:
            doc.flaws.append(Flaw(index + 1, "metadata-block",
                                  f"unexpected line {line[:60]!r} before the first heading: only "
                                  "'<!-- key: value -->' comments and blank lines go there; "
                                  "start the text with a '## Overview' heading"))
        index += 1
    return index
