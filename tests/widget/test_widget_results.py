"""Acting on results: profile links, the expandable card, filters that apply at once, shared state."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed: `pip install playwright`")
from playwright.sync_api import expect  # noqa: E402

from tests.widget.conftest import XSS  # noqa: E402
from tests.widget.helpers import axe_violations, open_widget, search, shadow_eval  # noqa: E402

PORTAL = "https://portal.example/profiles/{id}"


def api_search(page, api, origin, text, **filters):
    r = page.context.request.post(api.base + "/v1/search", data={"text": text, "k": 10, "filters": filters},
                                  headers={"X-API-Key": api.key, "Origin": origin})
    assert r.status == 200, r.text()
    return r.json()["results"]


def test_each_name_links_to_its_profile(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", profile_url=PORTAL))
    search(w, "canzoni musica popolare")
    links = w.locator("article.card h3 a")
    expect(links.first).to_be_visible()
    expected = [PORTAL.replace("{id}", quote(r["profile"]["id"], safe=""))
                for r in api_search(page, api, listed_site.origin, "canzoni musica popolare")]
    assert links.evaluate_all("as => as.map(a => a.href)") == expected
    assert links.count() == w.locator("article.card").count()
    assert "https://portal.example/profiles/xss-probe" in expected


@pytest.mark.parametrize("template", ["javascript:alert(1)//{id}", "https://portal.example/profiles/"])
def test_a_bad_profile_url_is_reported_and_names_stay_text(page, api, listed_site, template):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", profile_url=template))
    search(w, "music")
    expect(w.locator("article.card h3").first).to_be_visible()
    expect(w.locator("article.card h3 a")).to_have_count(0)
    assert any("must be an http(s) URL containing {id}" in m for m in page.console_errors), page.console_errors


def test_card_expands_to_the_matching_idea_with_the_query_words_marked(page, api, listed_site):
    query = "reciclagem de plástico e papel"
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    search(w, query)
    card = w.locator("article.card", has_text="Ana Sousa")
    details = card.locator("details")
    expect(details).not_to_have_attribute("open", "")
    expect(card.locator("h4")).to_be_hidden()
    card.locator("summary").click()
    expect(details).to_have_attribute("open", "")

    result = next(r for r in api_search(page, api, listed_site.origin, query) if r["profile"]["name"] == "Ana Sousa")
    hit = next(r for r in result["reasons"] if r["code"] == "matches_search")
    unit = hit["details"]["unit"]
    if unit.startswith("idea:"):
        idea = result["profile"]["ideas"][int(unit[5:])]
        expect(card.locator("h4")).to_have_text(idea["title"])
        expect(card.locator("p.snippet")).to_contain_text(idea["text"][:60])
    else:
        expect(card.locator("h4")).to_have_text("Interests")
    marks = [m.lower() for m in card.locator("p.snippet mark").all_inner_texts()]
    assert marks and set(marks) <= {"reciclagem", "plástico", "papel"}, marks
    expect(card.locator("ul.reasons li")).to_have_text([r["message"] for r in result["reasons"]])


def test_snippet_of_markup_is_text(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="it"))
    search(w, "canzoni musica popolare img")
    card = w.locator("article.card", has=page.locator("h3", has_text="<img"))
    card.locator("summary").click()
    expect(card.locator("p.snippet")).to_contain_text("Canzoni e musica popolare con gli alunni <img")
    expect(card.locator("h4")).to_have_text(XSS)
    assert page.evaluate("window.__xss") is None
    assert shadow_eval(page, "return r.querySelectorAll('details img, details script, details b').length;") == 0
    marks = card.locator("p.snippet mark").all_inner_texts()
    assert {m.lower() for m in marks} >= {"canzoni", "musica", "popolare"}, marks


def test_a_filter_applies_at_once_and_a_slower_old_answer_never_shows(page, api, listed_site, axe_source):
    held = []

    def hold_first(route):
        if not held:
            held.append(route)          # the first search hangs until released below
        else:
            route.continue_()

    failed = []
    page.on("requestfailed", lambda r: failed.append(r) if r.url.endswith("/v1/search") else None)
    page.route(f"{api.base}/v1/search", hold_first)
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    w.locator("input[type=search]").fill("recycling")
    w.locator("input[type=search]").press("Enter")
    status = w.locator("p.status")
    expect(status).to_have_attribute("data-state", "loading")
    # loading shows placeholders, not cards
    expect(w.locator("li.skeleton").first).to_be_visible()
    expect(w.locator("article.card")).to_have_count(0)
    assert w.locator("section.results").get_attribute("aria-busy") == "true"
    assert axe_violations(page, axe_source) == []

    # a filter change searches at once, without pressing Search, and cancels the first request
    w.locator("select[name=country]").select_option("PT")
    expect(status).to_have_attribute("data-state", "done")
    names = w.locator("article.card h3").all_inner_texts()
    assert names and all(n in ("Ana Sousa", "Rui Costa", "Pedro Lima") for n in names), names
    held[0].continue_()
    page.wait_for_timeout(300)
    assert w.locator("article.card h3").all_inner_texts() == names
    assert failed and json.loads(failed[0].post_data)["filters"] == {}
    assert "ERR_ABORTED" in (failed[0].failure or ""), failed[0].failure


def test_the_search_is_in_the_address_and_can_be_shared(page, new_page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", page_size="2"))
    entries = page.evaluate("history.length")
    w.locator("select[name=language]").select_option("pt")
    search(w, "reciclagem")
    w.locator("nav").get_by_role("button", name="Page 2", exact=True).click()
    expect(w.locator("p.status")).to_contain_text("Page 2 of")
    url = page.url
    assert "#tm=" in url and "reciclagem" in url
    assert page.evaluate("history.length") == entries      # replaceState: no history entry per search
    names = w.locator("article.card h3").all_inner_texts()

    other = new_page()
    w2 = open_widget(other, url)
    expect(w2.locator("p.status")).to_have_attribute("data-state", "done")
    expect(w2.locator("input[type=search]")).to_have_value("reciclagem")
    expect(w2.locator("select[name=language]")).to_have_value("pt")
    expect(w2.locator("p.status")).to_contain_text("Page 2 of")
    assert w2.locator("article.card h3").all_inner_texts() == names


def test_a_host_anchor_in_the_address_is_left_alone(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en") + "#contact")
    search(w, "music")
    assert page.url.endswith("#contact")
