"""The widget in a real browser: a host page on one loopback origin, the API on another."""
from __future__ import annotations

import json
import math
from urllib.parse import urlsplit

import pytest

from tests.widget.conftest import XSS

pytest.importorskip("playwright.sync_api", reason="playwright is not installed: `pip install playwright`")
from playwright.sync_api import expect  # noqa: E402

LANGS = ("en", "pt", "ro", "ca", "es", "fr", "de", "it", "pl", "el")
COUNTRIES = 46


def widget(page):
    return page.locator("twinmatch-search")


def open_widget(page, url):
    page.goto(url)
    w = widget(page)
    # Filters are filled from /v1/taxonomy: "any" plus every country.
    expect(w.locator("select[name=country] option")).to_have_count(COUNTRIES + 1)
    return w


def search(w, text=""):
    w.locator("input[type=search]").fill(text)
    w.locator("input[type=search]").press("Enter")
    expect(w.locator("p.status")).to_have_attribute("data-state", "done")


def focused_in_widget(page) -> str:
    """A short description of what has focus inside the widget's shadow root."""
    return page.evaluate("""() => {
        const a = document.querySelector('twinmatch-search').shadowRoot.activeElement;
        return a ? a.tagName.toLowerCase() + (a.className ? '.' + a.className : '') : '';
    }""")


def test_search_shows_result_cards(page, api, listed_site, artifacts):
    calls = []
    page.on("request", lambda r: calls.append(r) if r.url.startswith(api.base) else None)
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    expect(w.locator("p.status")).to_have_text("Describe a project idea or choose filters, then press Search.")

    search(w, "recycling plastic and paper at school")
    cards = w.locator("article.card")
    expect(cards.first).to_be_visible()
    assert 1 <= cards.count() <= 10
    first = cards.first
    expect(first.locator("h3")).not_to_be_empty()
    expect(first.locator("p.school")).to_contain_text("School ")
    expect(first.locator("dt")).to_have_text(["Working languages", "Pupils' ages", "Subjects"])
    expect(first.locator("ul.reasons li").first).to_contain_text("Matches your search")
    # the recycling teachers come first, with their country named
    top = " ".join(cards.locator("h3").all_inner_texts()[:3])
    assert any(n in top for n in ("Ana Sousa", "Ioana Popescu", "Katarzyna Nowak")), top
    expect(w.locator("p.status")).to_contain_text("Results: ")

    # Host CSS hides every button and paints text red: none of it reaches inside.
    expect(w.locator("button[type=submit]")).to_be_visible()
    assert first.locator("h3").evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"

    page.screenshot(path=str(artifacts / "widget-results.png"), full_page=True)
    # Only the two public endpoints (and the script itself) are called.
    paths = {urlsplit(r.url).path for r in calls if r.method != "OPTIONS"}
    assert paths <= {"/widget/v1/twinmatch.js", "/v1/taxonomy", "/v1/search"}, paths
    body = json.loads(next(r for r in calls if urlsplit(r.url).path == "/v1/search").post_data)
    assert body["lang"] == "en" and body["k"] == 10 and body["offset"] == 0
    assert not page.console_errors, page.console_errors


def test_country_attribute_sets_the_initial_filter(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", country="PT"))
    expect(w.locator("select[name=country]")).to_have_value("PT")
    search(w)
    countries = w.locator("p.school").all_inner_texts()
    assert countries and all("Portugal" in c for c in countries), countries


def test_lang_attribute_switches_strings_and_labels(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="pt"))
    expect(w.locator("button[type=submit]")).to_have_text("Pesquisar")
    expect(w.locator("label").first).to_have_text("Ideia de projeto ou tema")
    expect(w.locator("select[name=country] option[value=DE]")).to_have_text("Alemanha")
    expect(w.locator("select[name=subject] option[value=Art]")).to_have_text("Arte")
    search(w, "reciclagem")
    expect(w.locator("p.status")).to_contain_text("Resultados: ")
    expect(w.locator("ul.reasons li").first).to_contain_text("Corresponde à sua pesquisa")

    page.evaluate("document.querySelector('twinmatch-search').setAttribute('lang', 'de')")
    expect(w.locator("button[type=submit]")).to_have_text("Suchen")
    expect(w.locator("select[name=country] option[value=DE]")).to_have_text("Deutschland")
    # the shown results are fetched again so their reasons come in the new language
    expect(w.locator("ul.reasons li").first).to_contain_text("Passt zu Ihrer Suche")
    expect(w.locator("p.status")).to_contain_text("Ergebnisse: ")

    titles = {}
    for lang in LANGS:
        page.evaluate(f"document.querySelector('twinmatch-search').setAttribute('lang', '{lang}')")
        expect(w.locator("select[name=subject] option").first).not_to_have_text(titles.get("_prev", "~"))
        titles[lang] = w.locator("h2").inner_text()
    assert len(set(titles.values())) == len(LANGS), titles
    assert titles["el"] == "Βρείτε συνεργάτη eTwinning" and titles["ro"] == "Găsiți un partener eTwinning"
    # a language without UI strings falls back to English; regional tags use their base language
    page.evaluate("document.querySelector('twinmatch-search').setAttribute('lang', 'fi')")
    expect(w.locator("button[type=submit]")).to_have_text("Search")
    page.evaluate("document.querySelector('twinmatch-search').setAttribute('lang', 'pt-PT')")
    expect(w.locator("button[type=submit]")).to_have_text("Pesquisar")


def test_paging_through_results(page, api, listed_site):
    size = 4
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", page_size=str(size)))
    search(w)   # no text: every searchable profile
    r = page.context.request.post(api.base + "/v1/search", data={"text": "", "k": 1},
                                  headers={"X-API-Key": api.key, "Origin": listed_site.origin})
    total = r.json()["total"]
    assert total > 2 * size
    expect(w.locator("p.status")).to_contain_text(f"Results: {total}")
    pages = math.ceil(total / size)
    nav = w.locator("nav")
    expect(nav).to_be_visible()
    expect(nav.locator(".pageinfo")).to_have_text(f"Page 1 of {pages}")
    expect(nav.get_by_role("button", name="Previous")).to_be_disabled()

    seen = []
    for n in range(1, pages + 1):
        expect(nav.locator(".pageinfo")).to_have_text(f"Page {n} of {pages}")
        expect(w.locator("p.status")).to_have_attribute("data-state", "done")
        names = w.locator("article.card h3").all_inner_texts()
        assert len(names) == (size if n < pages else total - size * (pages - 1))
        seen += names
        if n < pages:
            nav.get_by_role("button", name="Next").click()
            # focus goes to the top of the new results, not lost with a disabled button
            expect(w.locator("p.status")).to_be_focused()
    assert len(seen) == total == len(set(seen))
    expect(nav.get_by_role("button", name="Next")).to_be_disabled()
    nav.get_by_role("button", name="Previous").click()
    expect(nav.locator(".pageinfo")).to_have_text(f"Page {pages - 1} of {pages}")


def test_keyboard_only(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", page_size="4"))
    page.keyboard.press("Tab")
    assert focused_in_widget(page) == "input"
    page.keyboard.type("music")
    page.keyboard.press("Tab")
    assert focused_in_widget(page) == "button"          # Search
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('twinmatch-search').shadowRoot.activeElement.name") == "country"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(w.locator("p.status")).to_have_attribute("data-state", "done")
    expect(w.locator("article.card").first).to_be_visible()
    # Tab on to the pager and page with Enter
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.querySelector('twinmatch-search').shadowRoot.activeElement?.textContent") == "Next":
            break
    else:
        pytest.fail("the Next button is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(w.locator("nav .pageinfo")).to_have_text("Page 2 of 4")
    expect(w.locator("p.status")).to_be_focused()


def test_key_from_an_unlisted_origin_is_refused(page, api, listed_site, unlisted_site):
    page.goto(unlisted_site.page(api.base, key=api.key, lang="en"))
    w = widget(page)
    w.locator("input[type=search]").fill("recycling")
    w.locator("button[type=submit]").click()
    alert = w.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("does not accept requests from this website")
    expect(w.locator("article.card")).to_have_count(0)
    # the taxonomy is refused to this origin as well (no CORS), so the filters hold only "any"
    expect(w.locator("select[name=country] option")).to_have_count(1)

    # Server side too, whatever a browser does with CORS: same key, wrong Origin -> 403.
    req = page.context.request
    body = {"text": "recycling", "k": 3}
    r = req.post(api.base + "/v1/search", data=body,
                 headers={"X-API-Key": api.key, "Origin": unlisted_site.origin})
    assert r.status == 403 and r.json()["error"]["code"], r.text()
    r = req.post(api.base + "/v1/search", data=body, headers={"X-API-Key": api.key})
    assert r.status == 403, "a widget key without an Origin must be refused"
    r = req.post(api.base + "/v1/search", data=body,
                 headers={"X-API-Key": api.key, "Origin": listed_site.origin})
    assert r.status == 200 and r.headers["access-control-allow-origin"] == listed_site.origin
    # responses to the widget key carry public fields only
    assert all("email" not in x["profile"] for x in r.json()["results"])


def test_wrong_key_shows_the_error_state(page, api, listed_site):
    page.goto(listed_site.page(api.base, key="tm_000000000000_not-a-key", lang="fr"))
    w = widget(page)
    w.locator("input[type=search]").fill("musique")
    w.locator("button[type=submit]").click()
    expect(w.get_by_role("alert")).to_be_visible()
    expect(w.get_by_role("alert")).to_contain_text("recherche de partenaires")
    expect(w.locator("article.card")).to_have_count(0)


def test_markup_from_the_api_is_shown_as_text(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="it"))
    search(w, "canzoni musica popolare")
    probe = w.locator("article.card h3", has_text="<img")
    expect(probe).to_have_count(1)
    expect(probe).to_have_text(XSS)
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("document.querySelector('twinmatch-search').shadowRoot.querySelectorAll"
                         "('article img, article script, article b').length") == 0


def test_empty_state(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    w.locator("select[name=country]").select_option("LI")   # nobody from Liechtenstein in the index
    search(w)
    expect(w.locator("p.status")).to_have_text("No teachers match this search. Try other words or fewer filters.")
    expect(w.locator("article.card")).to_have_count(0)
    expect(w.locator("nav")).to_be_hidden()


def _axe(page, axe_source):
    page.add_script_tag(path=str(axe_source))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [1024, 360])
def test_accessibility_axe(new_page, api, listed_site, axe_source, artifacts, width):
    page = new_page(viewport={"width": width, "height": 900})
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", page_size="3"))
    assert _axe(page, axe_source) == []                     # before a search
    search(w, "history and traditions")
    expect(w.locator("article.card").first).to_be_visible()
    bad = _axe(page, axe_source)
    assert bad == [], json.dumps(bad, indent=1)
    if width == 360:
        # responsive: nothing wider than the viewport, no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert w.bounding_box()["width"] <= 360
        page.screenshot(path=str(artifacts / "widget-360.png"), full_page=True)


def test_demo_page_same_origin_under_strict_csp(new_page, open_api, axe_source, artifacts):
    page = new_page()
    page.goto(open_api.base + "/widget/demo")
    w = widget(page)
    expect(w.locator("select[name=country] option")).to_have_count(COUNTRIES + 1)
    expect(page.locator("pre code")).to_contain_text(f'<script src="{open_api.base}/widget/v1/twinmatch.js"')
    page.locator("#demo-lang").select_option("ro")
    expect(w.locator("button[type=submit]")).to_have_text("Căutare")
    search(w, "deșeuri reciclare")
    expect(w.locator("article.card").first).to_be_visible()
    # the widget's styles apply under the demo's CSP (no inline styles allowed for it)
    bg = w.locator("button[type=submit]").evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg == "rgb(11, 87, 208)", bg
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors
    page.screenshot(path=str(artifacts / "widget-demo.png"), full_page=True)
