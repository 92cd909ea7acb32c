"""Contributed markdown renders with its code, tables, links and https images, and
nothing that runs: no scripts, no event handlers, no javascript: links."""

from __future__ import annotations

import pytest

pytest.importorskip("markdown_it", reason="markdown-it-py (the serve extra) is not installed")
pytest.importorskip("nh3", reason="nh3 (the serve extra) is not installed")

from tfhub.hubdocs import render_markdown


def test_code_blocks_tables_links_and_https_images_are_kept():
    html = render_markdown(
        "## Usage\n\n```python\nm = hub.load('x')  # <b>not bold</b>\n```\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        "[paper](https://arxiv.org/abs/1) and [page](/google/x/1) ![diagram](https://example.org/d.png)\n")
    assert '<code class="language-python">' in html and "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert "<table>" in html and '<td style="text-align: right">2</td>' in html
    assert '<a href="https://arxiv.org/abs/1" rel="noopener noreferrer nofollow">paper</a>' in html
    assert 'href="/google/x/1"' in html
    assert '<img src="https://example.org/d.png" alt="diagram">' in html


@pytest.mark.parametrize("markdown, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ('<img src="https://x.example/a.png" onerror="alert(1)">', "onerror"),
    ("[click](javascript:alert(1))", 'href="javascript'),
    ('<a href="javascript:alert(1)">x</a>', 'href="javascript'),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
    ("![tracker](http://plain.example/p.png)", 'src="http:'),
    ("![inline](data:image/png;base64,AAAA)", 'src="data:'),
    ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ('<p style="position:fixed;top:0">cover</p>', "position"),
    ('<div class="hidden">x</div>', "hidden"),
    ("<!-- task: text-embedding -->", "<!--"),
])
def test_nothing_that_runs_or_hides_survives(markdown, forbidden):
    assert forbidden not in render_markdown(markdown)


def test_rendering_without_the_extra_names_the_install_command():
    import subprocess
    import sys
    code = ("import sys; sys.modules['nh3'] = None\n"
            "from tfhub.hubdocs import render_markdown\n"
            "try:\n    render_markdown('x')\n"
            "except Exception as exc:\n    print(type(exc).__name__, exc)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == ('ExtraMissingError Rendering model documentation needs nh3, which is not '
                                   'installed: pip install "tfhub[serve]"')
