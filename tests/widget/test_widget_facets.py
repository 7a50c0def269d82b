"""Facet chips and the empty state: counts from the API, several values at once, why nothing matched."""
from __future__ import annotations

import json
import re

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed: `pip install playwright`")
from playwright.sync_api import expect  # noqa: E402

from tests.widget.helpers import axe_violations, focused_in_widget, open_widget, search  # noqa: E402


def api_facets(page, api, origin, **filters):
    r = page.context.request.post(api.base + "/v1/search", headers={"X-API-Key": api.key, "Origin": origin},
                                  data={"text": "", "k": 1, "filters": filters, "facets": "country,language,age,subject"})
    assert r.status == 200, r.text()
    return r.json()


def chip(w, group: str, label: str):
    return w.locator(f"div.group[aria-labelledby$='-f-{group}'] button.chip", has_text=re.compile("^" + re.escape(label)))


def test_chips_show_the_counts_and_apply_at_once(page, api, listed_site, axe_source):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    requests = []
    page.on("request", lambda r: requests.append(json.loads(r.post_data)) if r.url.endswith("/v1/search") else None)
    search(w)
    facets = api_facets(page, api, listed_site.origin)["facets"]
    ro = next(x["count"] for x in facets["country"] if x["value"] == "RO")
    pl = next(x["count"] for x in facets["country"] if x["value"] == "PL")
    expect(chip(w, "country", "Romania")).to_have_text(f"Romania ({ro})")
    expect(chip(w, "age", "7–11 years")).to_be_visible()
    expect(chip(w, "language", "English")).to_have_attribute("aria-pressed", "false")
    assert requests[-1]["facets"] == ["country", "language", "age", "subject"]
    assert "null" not in w.locator("div.chips").inner_text()
    assert axe_violations(page, axe_source) == []

    chip(w, "country", "Romania").click()
    expect(w.locator("p.status")).to_have_text(f"Results: {ro}")
    expect(chip(w, "country", "Romania")).to_have_attribute("aria-pressed", "true")
    expect(w.locator("select[name=country]")).to_have_value("RO")
    # a facet ignores its own filter: Poland is still offered (among all of them), and adds its teachers
    show_all = w.locator("div.group[aria-labelledby$='-f-country']").get_by_role("button", name=re.compile("^Show all"))
    if show_all.count():
        show_all.click()
    chip(w, "country", "Poland").click()
    expect(w.locator("p.status")).to_have_text(f"Results: {ro + pl}")
    assert requests[-1]["filters"] == {"country": ["RO", "PL"]}
    expect(w.locator("select[name=country] option:checked")).to_have_text("2 chosen")
    assert set(w.locator("article.card p.school").all_inner_texts()) and all(
        "Romania" in s or "Poland" in s for s in w.locator("article.card p.school").all_inner_texts())
    assert axe_violations(page, axe_source) == []

    # the address keeps both, and opening it chooses both again
    assert "country%3DRO%26country%3DPL" in page.url
    w.locator("div.chips").get_by_role("button", name="Clear all").click()
    expect(w.locator("select[name=country]")).to_have_value("")
    expect(w.locator("button.chip[aria-pressed=true]")).to_have_count(0)
    expect(w.locator("div.chips").get_by_role("button", name="Clear all")).to_have_count(0)
    assert requests[-1]["filters"] == {}


def test_several_ages_from_the_chips_and_the_focus_stays_on_the_chip(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    search(w)
    young = chip(w, "age", "3–6 years")
    young.focus()
    page.keyboard.press("Enter")
    expect(chip(w, "age", "3–6 years")).to_have_attribute("aria-pressed", "true")
    expect(w.locator("p.status")).to_have_text("Results: 1")
    assert focused_in_widget(page) == "button.chip"
    chip(w, "age", "12–15 years").click()
    expect(w.locator("select[name=age] option:checked")).to_have_text("2 chosen")
    expect(w.locator("p.status")).to_contain_text("Results: ")
    total = int(w.locator("p.status").inner_text().split(": ")[1].split(" ")[0])
    facets = api_facets(page, api, listed_site.origin)["facets"]["age"]
    assert total == 1 + next(x["count"] for x in facets if x["value"] == "12-15")


def test_the_empty_state_says_why_in_the_widgets_language(page, api, listed_site, axe_source):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="de"))
    search(w, "Musik")
    w.locator("select[name=country]").select_option("LI")     # nobody from Liechtenstein
    status = w.locator("p.status")
    expect(status).to_contain_text("Keine Lehrkraft passt zu den gewählten Ländern")
    expect(status.locator(".tip")).to_have_text(re.compile(r"^\d+ Lehrkräfte passen ohne diesen Filter$"))
    clear = w.get_by_role("button", name="Filter zurücksetzen")
    expect(clear).to_be_visible()
    # the chips still offer the countries that have teachers, with Liechtenstein chosen at 0
    expect(chip(w, "country", "Liechtenstein")).to_have_text("Liechtenstein (0)")
    expect(chip(w, "country", "Liechtenstein")).to_have_attribute("aria-pressed", "true")
    assert axe_violations(page, axe_source) == []
    clear.click()
    expect(status).to_contain_text("Ergebnisse: ")
    assert not page.console_errors, page.console_errors



def test_a_long_facet_shows_its_first_values_and_all_on_request(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    search(w)
    langs = w.locator("div.group[aria-labelledby$='-f-language']")
    n = len(api_facets(page, api, listed_site.origin)["facets"]["language"])
    assert n > 9
    expect(langs.locator("button.chip[aria-pressed]")).to_have_count(8)
    langs.get_by_role("button", name=f"Show all {n}").click()
    expect(langs.locator("button.chip[aria-pressed]")).to_have_count(n)
    assert focused_in_widget(page) == "button.chip"


def test_a_phone_shows_four_values_per_facet(new_page, api, listed_site):
    page = new_page(viewport={"width": 390, "height": 844})
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    search(w)
    countries = w.locator("div.group[aria-labelledby$='-f-country']")
    expect(countries.locator("button.chip[aria-pressed]")).to_have_count(4)
    expect(countries.get_by_role("button", name=re.compile("^Show all"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
