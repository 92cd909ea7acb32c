"""The catalog site in headless Chromium: search, filters, publishers, model pages, collections.

Screenshots at desktop (1280 px) and phone (390 px) width are written to
``$TFHUB_TEST_SCREENSHOTS`` when set, to look at them.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import requests

from tests.server.catalog_tree import HOSTILE_MARK
from tests.server.test_catalog_browser import _PNG_MAGIC, _render

_WIDTHS = {"desktop": "1280,900", "phone": "390,844"}


def _dom(url: str, tmp_path: Path, name: str) -> str:
    return _render(url, tmp_path / f"profile-{name}", "--dump-dom").stdout.decode()


def _shots(url: str, tmp_path: Path, name: str) -> None:
    """Screenshots at both widths: real, non-blank PNGs (kept when TFHUB_TEST_SCREENSHOTS is set)."""
    keep = os.environ.get("TFHUB_TEST_SCREENSHOTS")
    for width_name, size in _WIDTHS.items():
        shot = tmp_path / f"{name}-{width_name}.png"
        _render(url, tmp_path / f"profile-shot-{name}-{width_name}", f"--screenshot={shot}",
                f"--window-size={size}", "--hide-scrollbars")
        data = shot.read_bytes()
        assert data.startswith(_PNG_MAGIC) and len(data) > 5_000, shot
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, Path(keep) / shot.name)


def test_search_and_filter_views_are_shareable_urls(catalog_server, tmp_path):
    home = _dom(catalog_server.url, tmp_path, "home")
    assert 'name="viewport"' in home and 'rel="icon"' in home
    assert "Acme" in home or "acme/scaler" in home
    assert 'data-facet="task"' in home and "Image classification" in home
    searched = _dom(catalog_server.url + "?q=halves", tmp_path, "search")
    assert "acme/halver" in searched and "acme/scaler" not in searched.split('class="results"', 1)[1]
    filtered = _dom(catalog_server.url + "?task=image-classification", tmp_path, "filter")
    results = filtered.split('class="results"', 1)[1]
    assert "acme/halver" in results and "zeta-lab/paper-only" in results and "acme/scaler<" not in results
    assert 'data-total="2"' in filtered
    _shots(catalog_server.url + "?task=image-classification", tmp_path, "filter")
    _shots(catalog_server.url, tmp_path, "home")


def test_publisher_page_lists_its_models(catalog_server, tmp_path):
    dom = _dom(catalog_server.url + "acme", tmp_path, "publisher")
    assert "Acme Research" in dom or "acme" in dom
    assert "<strong>tiny</strong>" in dom  # its document, rendered
    for handle in ("acme/scaler", "acme/halver", "acme/undocumented"):
        assert f'href="/{handle}"' in dom
    assert "zeta-lab/paper-only" not in dom


def test_model_page_shows_document_facts_versions_and_usage(catalog_server, tmp_path):
    url = catalog_server.url + "acme/scaler"
    dom = _dom(url, tmp_path, "model")
    assert "<table" in dom.split('class="doc"', 1)[1]  # the document's markdown table, rendered
    assert "Text embedding" in dom and "Tiny multilayer perceptron" in dom and "Apache-2.0" in dom
    versions = re.findall(r'<li class="version" data-version="(\d+)">(.*?)</li>', dom)
    assert [v for v, _ in versions] == ["2", "1"]
    assert "latest" in versions[0][1] and "not hosted here" in versions[1][1]
    assert f"hub.KerasLayer(\"{catalog_server.url}acme/scaler/2\"" in dom
    assert "serving_default" in dom and "saved_model.pb" in dom  # signatures and files
    assert 'class="copy"' in dom  # the copy button, added by the script
    assert "pre{" in dom and "white-space:pre-wrap" in dom  # snippets wrap instead of scrolling
    _shots(url, tmp_path, "model")


def test_tf1_and_documented_only_and_undocumented_pages(catalog_server, tmp_path):
    tf1 = _dom(catalog_server.url + "acme/halver/1", tmp_path, "tf1")
    assert f"hub.Module(\"{catalog_server.url}acme/halver/1\")" in tf1 and "tags=[]" in tf1
    paper = _dom(catalog_server.url + "zeta-lab/paper-only", tmp_path, "paper")
    assert "not hosted here" in paper and "Only the document exists." in paper
    bare = _dom(catalog_server.url + "acme/undocumented/1", tmp_path, "bare")
    assert "No document for this model" in bare and "serving_default" in bare and "float32" in bare


def test_collection_page_lists_its_models(catalog_server, tmp_path):
    dom = _dom(catalog_server.url + "acme/collections/toolkit", tmp_path, "collection")
    assert "Acme's toolkit" in dom or "toolkit" in dom
    assert 'href="/acme/scaler"' in dom and 'href="/acme/halver"' in dom


def test_a_hostile_document_renders_inert(catalog_server, tmp_path):
    url = catalog_server.url + "zeta-lab/hostile"
    dom = _dom(url, tmp_path, "hostile")
    assert "A document that tries to run code" in dom  # the page is there
    title = re.search(r"<title>(.*?)</title>", dom).group(1)
    assert HOSTILE_MARK not in title and HOSTILE_MARK not in dom.split("<body", 1)[1].split('class="doc"')[0]
    document = dom.split('class="doc"', 1)[1].split("</article>", 1)[0]
    assert "raw link" in document  # the document's own text is kept
    assert "<script" not in document and "<iframe" not in document
    assert not re.search(r"<[^>]*\son\w+\s*=", document)  # no event handler attribute
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", document, re.IGNORECASE)
    raw = requests.get(url, timeout=60)
    assert "script-src 'self'" in raw.headers["Content-Security-Policy"]


def test_not_found_pages_offer_a_way_back(catalog_server, tmp_path):
    page = requests.get(catalog_server.url + "acme/nothing/7", timeout=60)
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert 'href="/"' in page.text and "No model at" in page.text
    favicon = requests.get(catalog_server.url + "favicon.ico", timeout=60)
    assert favicon.status_code == 200 and favicon.headers["Content-Type"].startswith("image/svg+xml")
