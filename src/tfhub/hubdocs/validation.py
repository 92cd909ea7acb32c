"""`tfhub validate-docs`: every rule over every document of a tree, as a list of problems."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple, Union

from tfhub.hubdocs import rules
from tfhub.hubdocs.building import model_key
from tfhub.hubdocs.catalog import split_version
from tfhub.hubdocs.documents import VARIANT_KINDS, Document
from tfhub.hubdocs.loading import DocsLayout, locate, read_documents
from tfhub.hubdocs.vocabularies import Vocabulary, load_vocabularies


@dataclass(frozen=True)
class Problem:
    """One defect: where it is, which rule it breaks, and what to do."""

    path: Path
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Report:
    problems: List[Problem]
    documents: int          # files checked


def validate_tree(path: Union[str, Path]) -> List[Problem]:
    """Every problem in the documentation tree at ``path`` (a root holding
    ``assets/docs/`` and ``tags/``, or a docs directory), in path and line order.

    Raises:
        DocsNotFoundError: ``path`` is not a directory.
        DocsError: a tag vocabulary cannot be read.
        ExtraMissingError: PyYAML (part of ``tfhub[serve]``) is not installed.
    """
    return check_tree(path).problems


def check_tree(path: Union[str, Path]) -> Report:
    """:func:`validate_tree`'s problems, with the number of files checked."""
    layout = locate(path)
    vocabularies = load_vocabularies(layout.tags_dir)
    documents, unreadable = read_documents(layout)
    problems = [Problem(p, max(flaw.line, 1), flaw.rule, flaw.message) for p, flaw in unreadable]
    if layout.tags_dir is None:
        problems.append(Problem(layout.root, 1, "vocabularies",
                                "no tags/ directory beside the documents, so tag values were not checked; "
                                "give the tree's root (holding assets/docs/ and tags/)"))
    known = [(p, d) for p, d in documents if d.kind is not None]
    for path_, doc in documents:
        problems.extend(Problem(path_, line, rule, message)
                        for line, rule, message in _document_findings(layout, path_, doc, vocabularies))
    problems.extend(_tree_findings(layout, known))
    problems.sort(key=lambda p: (str(p.path), p.line, p.rule))
    return Report(problems, len(documents) + len(unreadable))


def _document_findings(layout: DocsLayout, path: Path, doc: Document,
                       vocabularies: Mapping[str, Vocabulary]) -> Iterable[rules.Finding]:
    yield from ((flaw.line, flaw.rule, flaw.message) for flaw in doc.flaws)
    if doc.kind is None:
        return  # without a title the kind, and so every other rule, is unknown
    yield from rules.check_location(doc, PurePosixPath(path.relative_to(layout.docs_dir).as_posix()))
    yield from rules.check_single_document(doc)
    yield from rules.check_metadata_keys(doc)
    yield from rules.check_values(doc, vocabularies)
    yield from rules.check_asset_path(doc)


def _tree_findings(layout: DocsLayout, documents: Sequence[Tuple[Path, Document]]) -> Iterable[Problem]:
    """Rules across documents: unique handles, existing parents and publisher pages."""
    claimed: Dict[Tuple[str, str], Path] = {}
    versions = {f"{model_key(d)}/{d.version}" for _, d in documents
                if d.kind in ("Module", "Placeholder")}
    for path, doc in documents:
        identity = (doc.kind if doc.kind in ("Publisher", "Collection") else "model",
                    doc.title_handle if doc.kind not in VARIANT_KINDS else f"{model_key(doc)}/{doc.version}")
        if identity in claimed:
            yield Problem(path, 1, "duplicate-handle", f"'{doc.title_handle}' is also documented in "
                                                       f"{claimed[identity]}; give each version one file")
        claimed.setdefault(identity, path)
        if doc.kind != "Publisher" and not (layout.docs_dir / doc.publisher / f"{doc.publisher}.md").is_file():
            yield Problem(path, 1, "publisher-page", f"publisher '{doc.publisher}' has no page; add "
                                                     f"{layout.docs_dir / doc.publisher / (doc.publisher + '.md')}")
        for item in doc.metadata.get("parent-model", ()) if doc.kind in VARIANT_KINDS else ():
            if item.value not in versions:
                hint = ("name the version too (publisher/model/version)" if not split_version(item.value)[1]
                        else "document that model version, or fix the handle")
                yield Problem(path, item.line, "parent-model",
                              f"parent-model '{item.value}' is no model version of this tree; {hint}")
