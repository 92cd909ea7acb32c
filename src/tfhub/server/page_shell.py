"""The frame every catalog page shares: head, style, header, favicon, the copy script.

Pages are self-contained HTML that reads well without JavaScript and at phone
width; the only script (``/-/catalog.js``) adds copy buttons. The
Content-Security-Policy sent with every page lets no other script run, so even
a document that slipped past sanitising could not execute code.
"""

from __future__ import annotations

import html
from typing import Optional

STATIC_PREFIX = "/-/"
SCRIPT_PATH = STATIC_PREFIX + "catalog.js"
FAVICON_PATH = STATIC_PREFIX + "favicon.svg"
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data: https:; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")

_STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;max-width:72rem;margin:0 auto;padding:0 1rem 3rem;color:#202124;
 line-height:1.45;overflow-wrap:anywhere}
header.site{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.8rem 0;
 border-bottom:1px solid #ddd;margin-bottom:1rem}
header.site a.home{font-weight:600;color:#e8710a;text-decoration:none;font-size:1.2rem}
form.search{display:flex;flex:1 1 16rem;gap:.4rem}form.search input{flex:1;min-width:0;padding:.45rem;
 font-size:1rem;border:1px solid #bbb;border-radius:.3rem}
button,form.search button{padding:.4rem .8rem;border:1px solid #1a73e8;background:#1a73e8;color:#fff;
 border-radius:.3rem;font-size:.95rem;cursor:pointer}
a{color:#1a73e8}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e4e4e4;padding:.35rem;
 text-align:left;vertical-align:top}
code,pre{background:#f4f4f4;font-family:ui-monospace,monospace;font-size:.9em}
pre{padding:.7rem;white-space:pre-wrap;overflow-wrap:anywhere;border-radius:.3rem}
.badge{background:#e8eefc;border-radius:.3rem;padding:.05rem .4rem;font-size:.85em;display:inline-block;
 max-width:100%}
.badge.latest{background:#e6f4ea}.badge.absent{background:#fce8e6}
.layout{display:flex;gap:1.5rem;align-items:flex-start}
.facets{flex:0 0 15rem}.results{flex:1;min-width:0}
.facets details{margin-bottom:.6rem}.facets summary{font-weight:600;cursor:pointer}
.facets ul{list-style:none;padding-left:.4rem;margin:.3rem 0}.facets li{margin:.15rem 0}
.facets a.on{font-weight:700}.count{color:#5f6368}
ol.models{list-style:none;padding:0}ol.models li{padding:.6rem 0;border-bottom:1px solid #eee}
.summary{color:#3c4043;margin:.2rem 0}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;min-width:0}
.handle{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}.handle code{padding:.3rem .5rem}
.doc img{max-width:100%;height:auto}.doc table{display:block;overflow-x:auto}
nav.pages{display:flex;gap:1rem;margin:1rem 0}
a.to-filters{display:none}
@media (max-width:700px){.layout{flex-direction:column}.facets{flex:none;width:100%;order:2}
 .results{order:1;width:100%}a.to-filters{display:inline}
 dl.facts{grid-template-columns:minmax(0,1fr)}dl.facts dd{margin-bottom:.3rem}}
"""

FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" rx="6" fill="#e8710a"/>'
    '<path d="M9 8h4v6h6V8h4v16h-4v-6h-6v6H9z" fill="#fff"/></svg>'
)

# Progressive enhancement: a "Copy" button beside every element marked data-copy.
CATALOG_JS = """
document.querySelectorAll('[data-copy]').forEach(function (el) {
  if (!navigator.clipboard) { return; }
  var button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Copy';
  button.className = 'copy';
  button.addEventListener('click', function () {
    navigator.clipboard.writeText(el.textContent).then(function () {
      button.textContent = 'Copied';
      setTimeout(function () { button.textContent = 'Copy'; }, 1500);
    });
  });
  el.insertAdjacentElement('afterend', button);
});
"""


def escape(value: object) -> str:
    """Text from files, documents or requests, safe in HTML text and in double-quoted attributes.

    Apostrophes stay as they are (every attribute here is double-quoted), so messages read plainly.
    """
    return html.escape(str(value), quote=False).replace('"', "&quot;")


def page(title: str, body: str, search_text: Optional[str] = "") -> str:
    """A whole page: ``body`` under the site header (with a search box unless None)."""
    search = ""
    if search_text is not None:
        search = ('<form class="search" action="/" method="get" role="search">'
                  f'<input type="search" name="q" value="{escape(search_text)}" '
                  'placeholder="Search models" aria-label="Search models">'
                  '<button type="submit">Search</button></form>')
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title>'
        f'<link rel="icon" href="{FAVICON_PATH}" type="image/svg+xml">'
        f'<style>{_STYLE}</style></head><body>'
        f'<header class="site"><a class="home" href="/">tfhub models</a>{search}</header>'
        f'<main>{body}</main>'
        f'<script src="{SCRIPT_PATH}" defer></script></body></html>'
    )


def not_found_page(message: str) -> str:
    """The 404 page: what was not found, and the ways back."""
    body = (f'<h1>Not found</h1><p class="error">{escape(message)}</p>'
            '<p><a href="/">Back to all models</a> or search above.</p>')
    return page("Not found - tfhub", body)
