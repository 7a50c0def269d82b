"""The widget in a real browser: a host page on one loopback origin, the API on another."""
from __future__ import annotations

import json
import math
import re
from urllib.parse import urlsplit

import pytest

from tests.widget.conftest import XSS

pytest.importorskip("playwright.sync_api", reason="playwright is not installed: `pip install playwright`")
from playwright.sync_api import expect  # noqa: E402

from tests.widget.helpers import (COUNTRIES, axe_violations, focused_in_widget, open_widget,  # noqa: E402
                                  search, widget)


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


def test_paging_through_results(page, api, listed_site):
    size = 2
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", page_size=str(size)))
    search(w)   # no text: every searchable profile
    r = page.context.request.post(api.base + "/v1/search", data={"text": "", "k": 1},
                                  headers={"X-API-Key": api.key, "Origin": listed_site.origin})
    total = r.json()["total"]
    assert total > 4 * size
    status = w.locator("p.status")
    pages = math.ceil(total / size)
    expect(status).to_have_text(f"Results: {total} · Page 1 of {pages}")
    nav = w.locator("nav")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("button", name="Previous")).to_be_disabled()
    # numbered pages: the first, the current one and its neighbours, the last
    expect(nav.locator("button[aria-current=page]")).to_have_text("1")
    expect(nav.get_by_role("button", name=f"Page {pages}", exact=True)).to_be_visible()

    seen = []
    for n in range(1, pages + 1):
        expect(status).to_contain_text(f"Page {n} of {pages}")
        expect(status).to_have_attribute("data-state", "done")
        expect(nav.locator("button[aria-current=page]")).to_have_text(str(n))
        names = w.locator("article.card h3").all_inner_texts()
        assert len(names) == (size if n < pages else total - size * (pages - 1))
        seen += names
        if n < pages:
            nav.get_by_role("button", name="Next").click()
            # focus goes to the top of the new results, not lost with a disabled button
            expect(status).to_be_focused()
    assert len(seen) == total == len(set(seen))
    expect(nav.get_by_role("button", name="Next")).to_be_disabled()
    nav.get_by_role("button", name="Page 1", exact=True).click()
    expect(status).to_contain_text(f"Page 1 of {pages}")
    expect(w.locator("article.card h3")).to_have_text(seen[:size])
    nav.get_by_role("button", name="Page 2", exact=True).click()
    expect(status).to_contain_text(f"Page 2 of {pages}")
    expect(w.locator("article.card h3")).to_have_text(seen[size:2 * size])


def test_page_count_is_what_the_api_can_reach(page, api, listed_site):
    """A widget key pages to offset + k = 200: with more results than that, the count says so
    and the last page button is a page that exists."""
    def big_total(route):
        response = route.fetch()
        body = response.json()
        body["total"] = 1849
        route.fulfill(response=response, json=body)

    page.route(f"{api.base}/v1/search", big_total)
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    search(w)
    expect(w.locator("p.status")).to_have_text("Results: 1849. The first 200 can be shown. · Page 1 of 20")
    expect(w.locator("nav").get_by_role("button", name="Page 20", exact=True)).to_be_visible()


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
    # focus moves to the results: the next Tab reaches the first card's details
    expect(w.locator("p.status")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused_in_widget(page) == "summary"
    page.keyboard.press("Enter")
    expect(w.locator("article.card details").first).to_have_attribute("open", "")
    # Tab on to the pager and page with Enter
    for _ in range(12):
        page.keyboard.press("Tab")
        if focused_in_widget(page) == "button.secondary next":
            break
    else:
        pytest.fail("the Next button is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(w.locator("p.status")).to_contain_text("Page 2 of ")
    expect(w.locator("p.status")).to_be_focused()


def test_markup_from_the_api_is_shown_as_text(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="it"))
    search(w, "canzoni musica popolare")
    probe = w.locator("article.card h3", has_text="<img")
    expect(probe).to_have_count(1)
    expect(probe).to_have_text(XSS)
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("document.querySelector('twinmatch-search').shadowRoot.querySelectorAll"
                         "('article img, article script, article b').length") == 0


def test_empty_state_offers_to_clear_the_filters(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    search(w, "music")
    w.locator("select[name=country]").select_option("LI")   # nobody from Liechtenstein in the index
    status = w.locator("p.status")
    # the API says why, and what dropping the filter would find
    expect(status).to_have_text(re.compile(r"^No teacher matches the countries you chose \d+ teachers match "
                                           r"without this filter$"))
    expect(w.locator("article.card")).to_have_count(0)
    expect(w.locator("nav")).to_be_hidden()
    clear = w.get_by_role("button", name="Clear filters")
    expect(clear).to_be_visible()
    clear.click()
    expect(w.locator("select[name=country]")).to_have_value("")
    expect(w.locator("input[type=search]")).to_have_value("music")     # the words stay
    expect(status).to_contain_text("Results: ")
    expect(w.locator("article.card").first).to_be_visible()
    expect(clear).to_be_hidden()


@pytest.mark.parametrize("width", [1024, 360])
def test_accessibility_axe(new_page, api, listed_site, axe_source, artifacts, width):
    page = new_page(viewport={"width": width, "height": 900})
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", page_size="3"))
    assert axe_violations(page, axe_source) == []                     # before a search
    search(w, "history and traditions")
    expect(w.locator("article.card").first).to_be_visible()
    bad = axe_violations(page, axe_source)
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
    expect(page.locator("pre code")).to_contain_text(f'<script src="{open_api.base}/widget/v1/twinmatch.js?v=')
    page.locator("#demo-lang").select_option("ro")
    expect(w.locator("button[type=submit]")).to_have_text("Căutare")
    search(w, "deșeuri reciclare")
    expect(w.locator("article.card").first).to_be_visible()
    # the widget's styles apply under the demo's CSP (no inline styles allowed for it)
    bg = w.locator("button[type=submit]").evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg == "rgb(11, 87, 208)", bg
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors
    page.screenshot(path=str(artifacts / "widget-demo.png"), full_page=True)
