"""Contributed markdown to HTML that is safe to put in a page.

Documents are untrusted: markdown-it-py renders them (raw HTML in them included, as
tfhub.dev did), then nh3 (the Ammonia sanitiser) keeps only a fixed set of tags and
attributes. No scripts, no event handlers, no styles beyond table alignment; links
only to http(s), mailto or relative URLs; images only from https URLs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Optional

from tfhub.hubdocs._extras import require

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"style", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
    "ol": {"start"},
}
_ALIGN = re.compile(r"text-align:\s*(left|right|center)")
_LANGUAGE_CLASS = re.compile(r"language-[\w+#.-]+")


def _keep(tag: str, attribute: str, value: str) -> Optional[str]:
    """nh3's per-attribute check: images by https only, a code block's language class,
    a table cell's alignment."""
    if tag == "img" and attribute == "src":
        return value if value.lower().startswith("https://") else None
    if attribute == "class":
        return value if _LANGUAGE_CLASS.fullmatch(value) else None
    if attribute == "style":
        align = _ALIGN.search(value)
        return f"text-align: {align[1]}" if align else None
    return value


@lru_cache(maxsize=1)
def _renderer() -> Callable[[str], str]:
    markdown_it = require("markdown_it", "Rendering model documentation")
    nh3: Any = require("nh3", "Rendering model documentation")
    md = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

    def render(text: str) -> str:
        return nh3.clean(md.render(text), tags=_TAGS, attributes=_ATTRIBUTES,
                         url_schemes={"http", "https", "mailto"}, attribute_filter=_keep,
                         link_rel="noopener noreferrer nofollow", strip_comments=True)
    return render


def render_markdown(text: str) -> str:
    """``text`` (markdown, possibly with HTML) as sanitised HTML.

    Raises:
        ExtraMissingError: markdown-it-py or nh3 (``tfhub[serve]``) is not installed.
    """
    return _renderer()(text)
