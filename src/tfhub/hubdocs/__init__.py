"""tfhub.dev-style model documentation: load a tree, search it, render it, validate it.

The tree is the one tfhub.dev was built from (``assets/docs/<publisher>/...`` markdown
with metadata comments, ``tags/*.yaml`` vocabularies). Needs no TensorFlow; needs the
``serve`` extra (PyYAML, markdown-it-py, nh3) for vocabularies and rendering.
"""

from tfhub.hubdocs.catalog import Collection, DocTree, Model, ModelVersion, Publisher
from tfhub.hubdocs.loading import load_tree
from tfhub.hubdocs.render import render_markdown
from tfhub.hubdocs.search import FACETS, FacetCount, SearchResult
from tfhub.hubdocs.validation import Problem, validate_tree

__all__ = [
    "Collection", "DocTree", "FACETS", "FacetCount", "Model", "ModelVersion", "Problem", "Publisher",
    "SearchResult", "load_tree", "render_markdown", "validate_tree",
]
