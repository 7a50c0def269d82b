"""Serving the widget: script headers and caching, the demo page, and what the script may call."""
from __future__ import annotations

import re
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "api" / "static" / "twinmatch.js"


def test_script_is_served_as_javascript_with_cache_headers(client):
    r = client.get("/widget/v1/twinmatch.js")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert "max-age=" in r.headers["cache-control"] and "public" in r.headers["cache-control"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["access-control-allow-origin"] == "*"     # public file: SRI/crossorigin loads work
    assert r.content == SCRIPT.read_bytes()
    again = client.get("/widget/v1/twinmatch.js", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert client.head("/widget/v1/twinmatch.js").status_code == 200


def test_demo_page_has_the_snippet_for_this_server_and_a_strict_csp(client):
    r = client.get("/widget/demo")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '&lt;script src="http://testserver/widget/v1/twinmatch.js" defer&gt;' in r.text
    assert "<twinmatch-search" in r.text and "{{" not in r.text
    csp = r.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in r.text and "unsafe-inline" not in csp
    assert client.get("/widget/demo").headers["content-security-policy"] != csp   # fresh nonce


def test_widget_routes_stay_out_of_the_api_schema(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/widget")]


def test_script_calls_only_search_and_taxonomy_and_never_parses_markup():
    js = SCRIPT.read_text(encoding="utf-8")
    assert set(re.findall(r'["`](/v1/[a-z]+)', js)) == {"/v1/search", "/v1/taxonomy"}
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in js, sink


def test_script_has_strings_for_every_language():
    js = SCRIPT.read_text(encoding="utf-8")
    block = js[js.index("const STRINGS = {"):js.index("const CSS")]
    langs = re.findall(r"^    (\w\w): \{", block, flags=re.M)
    assert langs == ["en", "pt", "ro", "ca", "es", "fr", "de", "it", "pl", "el"]
    keys = [set(re.findall(r"(\w+): \"", part)) for part in re.split(r"^    \w\w: \{", block, flags=re.M)[1:]]
    assert all(k == keys[0] for k in keys), "every language has every UI string"
