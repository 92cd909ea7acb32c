"""The whole shared tfhub.dev tree in `tfhub serve --docs`: counts on the pages agree with a plain scan.

The scan reads the documents here, independently of tfhub.hubdocs: a model is a
directory holding ``<version>.md`` files under ``<publisher>/`` (most under
``<publisher>/models/``, some publishers' directly), collections aside; its format
is the latest document's ``format`` comment for a Module, else the document's
kind (its heading's first word: Tfjs, Lite, Coral, Placeholder).
"""

from __future__ import annotations

import collections
import re
from pathlib import Path
from typing import Dict, Tuple

import pytest
import requests

from tests.server.serving import ServeProcess

_FORMAT = re.compile(r"^<!--\s*format:\s*(\S+)\s*-->", re.MULTILINE)


def _scan(docs: Path) -> Dict[str, Tuple[str, str]]:
    """Model directory -> (publisher, format), from each model's highest version."""
    latest: Dict[Path, Path] = {}
    for path in docs.glob("*/**/*.md"):
        if path.stem.isdigit() and path.relative_to(docs).parts[1] != "collections":
            best = latest.get(path.parent)
            if best is None or int(path.stem) > int(best.stem):
                latest[path.parent] = path
    models = {}
    for directory, path in latest.items():
        text = path.read_text(encoding="utf-8")
        kind = text.lstrip().split(None, 2)[1].lower()  # "# Module google/x/1" -> "module"
        found = _FORMAT.search(text)
        model_format = (found.group(1) if found else "unknown") if kind == "module" else kind
        models[str(directory.relative_to(docs))] = (directory.relative_to(docs).parts[0], model_format)
    return models


@pytest.fixture(scope="module")
def shared_docs() -> Path:
    from tests.conftest import shared_testdata_path

    tree = shared_testdata_path() / "tfhub_dev_docs"
    if not (tree / "assets" / "docs").is_dir():
        pytest.skip(f"the shared tfhub.dev documentation tree is not at {tree} (set TFHUB_TESTDATA)")
    return tree


@pytest.fixture(scope="module")
def shared_server(shared_docs, tmp_path_factory):
    root = tmp_path_factory.mktemp("empty-root")
    process = ServeProcess(root, tmp_path_factory.mktemp("archives"), "--docs", str(shared_docs))
    yield process
    process.stop()


def test_counts_agree_with_a_plain_scan(shared_docs, shared_server):
    scanned = _scan(shared_docs / "assets" / "docs")
    answer = requests.get(shared_server.url + "api/models", params={"limit": 1}, timeout=120).json()
    assert answer["total"] == len(scanned) > 1500
    publishers = collections.Counter(publisher for publisher, _ in scanned.values())
    formats = collections.Counter(model_format for _, model_format in scanned.values())
    assert {c["value"]: c["count"] for c in answer["facets"]["publisher"]} == dict(publishers)
    assert {c["value"]: c["count"] for c in answer["facets"]["format"]} == dict(formats)
    page = requests.get(shared_server.url, timeout=120).text
    assert f'data-total="{len(scanned)}"' in page
    shown = dict(re.findall(r'data-facet="format" data-value="([^"]+)">[^<]*</a> <span class="count">\((\d+)\)',
                            page))
    assert {k: int(v) for k, v in shown.items()} == dict(formats)


def test_a_filter_over_the_shared_tree_matches_the_scan(shared_docs, shared_server):
    scanned = _scan(shared_docs / "assets" / "docs")
    hub_models = sum(1 for _, model_format in scanned.values() if model_format == "hub")
    answer = requests.get(shared_server.url + "api/models", params={"format": "hub"}, timeout=120).json()
    assert answer["total"] == hub_models > 100
    page = requests.get(shared_server.url, params={"format": "hub", "publisher": "google"}, timeout=120)
    assert page.status_code == 200
    google_hub = sum(1 for p, f in scanned.values() if f == "hub" and p == "google")
    assert f'data-total="{google_hub}"' in page.text


def test_every_publisher_and_a_sample_of_models_have_pages(shared_docs, shared_server):
    docs = shared_docs / "assets" / "docs"
    for publisher in sorted(p.name for p in docs.iterdir() if (p / f"{p.name}.md").exists()):
        page = requests.get(shared_server.url + publisher, timeout=60)
        assert page.status_code == 200, publisher
    answer = requests.get(shared_server.url + "api/models", params={"q": "mobilenet", "limit": 20}, timeout=60).json()
    for model in answer["models"]:
        page = requests.get(model["page"], timeout=60)
        assert page.status_code == 200 and "not hosted here" in page.text, model["handle"]
        assert "<script" not in page.text.split('<article class="doc">', 1)[-1].split("</article>", 1)[0]
