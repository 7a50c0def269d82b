"""Serving the widget: script headers and caching, the demo page, and what the script may call."""
from __future__ import annotations

import re
import json
from pathlib import Path

import pytest

from api.routes.widget import widget_version

SCRIPT = Path(__file__).resolve().parents[2] / "api" / "static" / "twinmatch.js"


def test_script_is_served_as_javascript_with_cache_headers(client):
    r = client.get("/widget/v1/twinmatch.js", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert r.headers["cache-control"] == "public, max-age=3600, stale-while-revalidate=86400"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["access-control-allow-origin"] == "*"     # public file: SRI/crossorigin loads work
    assert "content-encoding" not in r.headers
    assert r.content == SCRIPT.read_bytes()
    again = client.get("/widget/v1/twinmatch.js", headers={"If-None-Match": r.headers["etag"],
                                                           "Accept-Encoding": "identity"})
    assert again.status_code == 304 and not again.content
    assert client.head("/widget/v1/twinmatch.js").status_code == 200


def test_script_is_gzipped_and_a_versioned_url_is_cached_for_a_year(client):
    r = client.get("/widget/v1/twinmatch.js", headers={"Accept-Encoding": "gzip, br"})
    assert r.headers["content-encoding"] == "gzip" and "Accept-Encoding" in r.headers["vary"]
    raw = int(r.headers["content-length"])
    assert raw < SCRIPT.stat().st_size / 2 and r.content == SCRIPT.read_bytes()   # httpx decodes it
    assert raw < 16_000, f"the widget is {raw} bytes gzipped"
    version = widget_version()
    demo = client.get("/widget/demo").text
    assert f"/widget/v1/twinmatch.js?v={version}" in demo
    r = client.get(f"/widget/v1/twinmatch.js?v={version}")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    # a stale version is served, but not for a year
    r = client.get("/widget/v1/twinmatch.js?v=000000000000")
    assert r.status_code == 200 and "immutable" not in r.headers["cache-control"]


def test_catalogs_are_served_and_unknown_languages_are_404(client):
    r = client.get("/widget/v1/i18n/uk.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json()["search"] == "Шукати" and r.headers["access-control-allow-origin"] == "*"
    for bad in ("xx", "UK", "..%2Fdemo"):
        assert client.get(f"/widget/v1/i18n/{bad}.json").status_code == 404, bad


def test_demo_page_has_the_snippet_for_this_server_and_a_strict_csp(client):
    r = client.get("/widget/demo")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert f'&lt;script src="http://testserver/widget/v1/twinmatch.js?v={widget_version()}" defer&gt;' in r.text
    assert "<twinmatch-search" in r.text and "{{" not in r.text
    csp = r.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in r.text and "unsafe-inline" not in csp
    assert client.get("/widget/demo").headers["content-security-policy"] != csp   # fresh nonce


def test_widget_routes_stay_out_of_the_api_schema(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/widget")]


def test_script_calls_only_search_taxonomy_and_saved_searches_and_never_parses_markup():
    js = SCRIPT.read_text(encoding="utf-8")
    # /v1/saved-searches only with a teacher-token, for the "alert me" button
    assert set(re.findall(r'["`](/v1/[a-z-]+)', js)) == {"/v1/search", "/v1/taxonomy", "/v1/saved-searches"}
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in js, sink


I18N = SCRIPT.parent / "i18n"
LANGS = ("bg cs da de el en es et fi fr ga hr hu is it lt lv mk mt nl no pl pt ro sk sl sq sr sv tr uk ka hy az ar bs"
         .split())
EN = json.loads((I18N / "en.json").read_text(encoding="utf-8"))


def test_the_script_knows_every_catalog():
    js = SCRIPT.read_text(encoding="utf-8")
    listed = re.search(r"const UI_LANGS = \[([^\]]*)\]", js).group(1)
    assert sorted(re.findall(r'"(\w\w)"', listed)) == sorted(p.stem for p in I18N.glob("*.json"))
    assert set(LANGS) <= {p.stem for p in I18N.glob("*.json")}


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_is_complete_with_the_same_placeholders(lang):
    cat = json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8"))
    assert set(cat) - {"names"} == set(EN), "every UI string, nothing else"
    assert set(cat["schoolTypes"]) == set(EN["schoolTypes"])
    for key, text in EN.items():
        if isinstance(text, str):
            assert sorted(re.findall(r"\{\w+\}", cat[key])) == sorted(re.findall(r"\{\w+\}", text)), key
            assert cat[key].strip() == cat[key] and cat[key], key
    if lang != "en":
        same = [k for k, v in EN.items() if isinstance(v, str) and cat[k] == v and "{" not in v]
        assert same in ([], ["filters"]), f"left in English: {same}"    # "Filters" is also Dutch
    names = cat.get("names", {})
    assert set(names) <= {"region", "language"}
    if "language" in names:     # a language whose CLDR names browsers lack: every name
        assert len(names["region"]) == 46 and len(names["language"]) == 40
    elif lang != "en":          # else only Palestine, named as in the taxonomy, not CLDR's "territories"
        assert set(names["region"]) == {"PS"}
