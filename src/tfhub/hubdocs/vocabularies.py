"""The tag vocabularies (``tags/*.yaml``): which metadata values a document may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Mapping, Optional
from urllib.parse import urlparse

from tfhub import errors
from tfhub.hubdocs._extras import require


@dataclass(frozen=True)
class Vocabulary:
    """The allowed values of one metadata key.

    Either a list of ids with display names (``task``, ``license``, ...) or, for
    ``format: url`` files (``colab``, ``demo``), any https URL, on ``required_domain``
    when one is set.
    """

    key: str
    names: Mapping[str, str] = field(default_factory=dict)  # id -> display name
    is_url: bool = False
    required_domain: Optional[str] = None

    def problem_with(self, value: str) -> Optional[str]:
        """Why ``value`` is not allowed, or None when it is."""
        if self.is_url:
            url = urlparse(value)
            if url.scheme not in ("http", "https") or not url.netloc:
                return f"'{self.key}' must be a URL (https://...), found {value!r}"
            if self.required_domain and url.hostname != self.required_domain:
                return f"'{self.key}' must be a URL on {self.required_domain}, found {value!r}"
            return None
        if value not in self.names:
            return (f"'{self.key}' value {value!r} is not in the vocabulary (tags/{self.key.replace('-', '_')}.yaml); "
                    f"use one of its ids, e.g. {', '.join(sorted(self.names)[:3])}, or add it there")
        return None


def load_vocabularies(tags_dir: Optional[Path]) -> Dict[str, Vocabulary]:
    """Every ``*.yaml`` in ``tags_dir``, keyed by metadata key (``network_architecture.yaml``
    holds ``network-architecture``). An absent directory gives no vocabularies.

    Raises:
        DocsError: a file is not YAML, or not shaped as a vocabulary.
        ExtraMissingError: PyYAML is not installed.
    """
    if tags_dir is None or not tags_dir.is_dir():
        return {}
    yaml = require("yaml", "Reading the documentation's tag vocabularies")
    vocabularies = {}
    for path in sorted(tags_dir.glob("*.yaml")):
        key = path.stem.replace("_", "-")
        try:
            content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise errors.DocsError(f"{path}: cannot be read as YAML ({errors.one_line(exc)}); "
                                   "fix the file or remove it from tags/.") from exc
        vocabularies[key] = _vocabulary(key, content, path)
    return vocabularies


def _vocabulary(key: str, content: object, path: Path) -> Vocabulary:
    if isinstance(content, dict) and content.get("format") == "url":
        return Vocabulary(key, is_url=True, required_domain=content.get("required_domain"))
    values = content.get("values") if isinstance(content, dict) else None
    if not isinstance(values, list) or not all(isinstance(v, dict) and "id" in v for v in values):
        raise errors.DocsError(f"{path}: expected 'values:' with a list of '- id: ...' items "
                               "(or 'format: url'); fix the file or remove it from tags/.")
    return Vocabulary(key, names={str(v["id"]): str(v.get("display_name") or v["id"]) for v in values})
