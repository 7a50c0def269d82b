"""How the widget looks on a hostile host page: isolation, themes, phones, and the docs' screenshots."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed: `pip install playwright`")
from playwright.sync_api import expect  # noqa: E402

from tests.widget.helpers import axe_violations, open_widget, search, shadow_eval  # noqa: E402

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
DARK_HOST = "body { background: #121212; } h1 { color: #eee; }"


def style(locator, prop: str) -> str:
    return locator.evaluate(f"e => getComputedStyle(e).{prop}")


def test_host_css_does_not_reach_inside(page, api, listed_site):
    """The host page sets `* { color: red; font-family: serif }`, `html { font-size: 62.5% }`,
    hides every button and select and enlarges h3, li and p (see conftest.HostSite)."""
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") == "rgb(255, 0, 0)"
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "10px"
    search(w, "music and songs")
    card = w.locator("article.card").first
    for el in (w.locator("h2"), w.locator("label").first, card.locator("h3"), card.locator("p.school"),
               card.locator("dd").first, w.locator("p.status")):
        assert style(el, "color") != "rgb(255, 0, 0)"
        assert "serif" not in style(el, "fontFamily").replace("sans-serif", "")
    assert style(w.locator(".wrap"), "fontSize") == "16px"
    assert style(w.locator("h2"), "fontSize") == "20px"
    assert style(card.locator("h3"), "fontSize") == "17.6px"
    assert style(w.locator("input[type=search]"), "fontSize") == "16px"
    expect(w.locator("button[type=submit]")).to_be_visible()
    expect(w.locator("select[name=country]")).to_be_visible()
    # the host element itself inherits nothing the widget shows
    assert style(w, "display") == "block"


def test_custom_properties_theme_the_widget(page, api, listed_site):
    css = ("twinmatch-search { --twinmatch-accent: #8a0050; --twinmatch-radius: 0px; --twinmatch-font-size: 18px;"
           " --twinmatch-font-family: Georgia, serif; --twinmatch-density: 0.5; }")
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", host_css=css))
    submit = w.locator("button[type=submit]")
    assert style(submit, "backgroundColor") == "rgb(138, 0, 80)"
    assert style(submit, "borderTopLeftRadius") == "0px"
    assert style(w.locator(".wrap"), "fontSize") == "18px"
    assert style(w.locator(".wrap"), "fontFamily").startswith("Georgia")
    assert style(w.locator(".wrap"), "paddingTop") == "6.75px"          # .75em x 18px x 0.5


def _theme_colors(w):
    return {"bg": style(w.locator(".wrap"), "backgroundColor"),
            "input_bg": style(w.locator("input[type=search]"), "backgroundColor"),
            "input_fg": style(w.locator("input[type=search]"), "color")}


@pytest.mark.parametrize("how", ["attribute", "system", "light-over-dark-system"])
def test_dark_and_light_themes_are_axe_clean(new_page, api, listed_site, axe_source, how):
    scheme = "light" if how == "attribute" else "dark"
    page = new_page(color_scheme=scheme)
    attrs = {"theme": "dark"} if how == "attribute" else {"theme": "light"} if how.startswith("light") else {}
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", page_size="3",
                                           host_css=DARK_HOST, **attrs))
    dark = how != "light-over-dark-system"
    colors = _theme_colors(w)
    assert colors["bg"] == ("rgb(27, 27, 31)" if dark else "rgb(255, 255, 255)"), colors
    assert colors["input_fg"] == ("rgb(227, 227, 232)" if dark else "rgb(27, 27, 31)"), colors
    assert axe_violations(page, axe_source) == []
    search(w, "reciclagem de plástico e papel")
    card = w.locator("article.card", has_text="Ana Sousa")
    card.locator("summary").click()
    expect(card.locator("details mark").first).to_be_visible()
    bad = axe_violations(page, axe_source)
    assert bad == [], json.dumps(bad, indent=1)
    # the empty state with its button, and the error state
    w.locator("select[name=country]").select_option("LI")
    expect(w.get_by_role("button", name="Clear filters")).to_be_visible()
    assert axe_violations(page, axe_source) == []


@pytest.mark.parametrize("width", [360, 390])
def test_search_on_a_phone_moves_to_the_results(new_page, api, listed_site, width):
    page = new_page(viewport={"width": width, "height": 844}, has_touch=True, is_mobile=True)
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    assert page.evaluate("window.scrollY") == 0
    w.locator("input[type=search]").fill("music")
    w.locator("button[type=submit]").tap()
    expect(w.locator("p.status")).to_have_attribute("data-state", "done")
    expect(w.locator("p.status")).to_be_focused()
    box = w.locator("p.status").bounding_box()      # relative to the viewport
    assert 0 <= box["y"] < 844 / 3, box
    assert page.evaluate("window.scrollY") > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [360, 700])
@pytest.mark.parametrize("lang", ["pt", "el", "de", "uk", "ka", "sk", "sq"])
def test_pager_stays_on_one_line(new_page, api, listed_site, lang, width):
    page = new_page(viewport={"width": width, "height": 800})
    # page 6 of 13 from the shared state in the address: the widest pager, ‹ 1 … 6 … 13 ›
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang=lang, page_size="1") + "#tm=page%3D6")
    expect(w.locator("p.status")).to_have_attribute("data-state", "done")
    nav = w.locator("nav")
    expect(nav.locator("button[aria-current=page]")).to_have_text("6")
    # one row: every item overlaps the current page's button vertically
    rows = nav.locator("li").evaluate_all("els => els.map(e => [e.getBoundingClientRect().top, "
                                          "e.getBoundingClientRect().bottom])")
    current = nav.locator("button[aria-current=page]").bounding_box()
    assert len(rows) == (7 if width < 640 else 9), rows     # ‹ 1 … 6 … 13 ›, or ‹ 1 … 5 6 7 … 13 ›
    assert all(top < current["y"] + current["height"] and bottom > current["y"] for top, bottom in rows), rows
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # the arrows keep their names for screen readers
    prev_name = shadow_eval(page, "return r.querySelector('nav button.prev').textContent;")
    assert len(prev_name) > 3


def _shot(locator, name: str, artifacts: Path) -> None:
    """Save a screenshot under tests/artifacts, and under docs/img with TWINMATCH_DOCS_SCREENSHOTS=1."""
    locator.screenshot(path=str(artifacts / name), animations="disabled", caret="hide")
    if os.environ.get("TWINMATCH_DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=str(DOCS_IMG / name), animations="disabled", caret="hide")


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_for_the_docs(new_page, api, listed_site, artifacts, theme, width):
    page = new_page(viewport={"width": width, "height": 900}, color_scheme=theme)
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", page_size="2",
                                           profile_url="https://portal.example/profiles/{id}",
                                           host_css=DARK_HOST if theme == "dark" else ""))
    search(w, "reciclagem de plástico e papel")
    w.locator("article.card summary").first.click()
    page.evaluate("document.activeElement.blur()")
    _shot(w, f"widget-{theme}-{width}.png", artifacts)


def test_heading_can_be_replaced_or_hidden(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", heading="Partner search for schools"))
    expect(w.locator("h2")).to_have_text("Partner search for schools")
    expect(w.get_by_role("search", name="Partner search for schools")).to_be_visible()
    page.evaluate("document.querySelector('twinmatch-search').setAttribute('hide-heading', '')")
    box = w.locator("h2").bounding_box()
    assert box["width"] <= 1 and box["height"] <= 1, box          # gone from view ...
    expect(w.get_by_role("search", name="Partner search for schools")).to_be_attached()   # ... not from AT
    page.evaluate("document.querySelector('twinmatch-search').removeAttribute('heading')")
    expect(w.locator("h2")).to_have_text("Find an eTwinning partner")
