""""Alert me about new partners like these": a signed-in teacher's token saves the search shown.

The portal puts a teacher token (api/teacher.py) in the page as `teacher-token`; the widget
sends it alone, never with its widget key, to POST /v1/saved-searches, from a site that a
widget key lists (so the API answers it with CORS).
"""
from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed: `pip install playwright`")
from playwright.sync_api import expect  # noqa: E402

from api.teacher import mint  # noqa: E402
from tests.widget.conftest import TEACHER_TOKEN_SECRET  # noqa: E402
from tests.widget.helpers import axe_violations, open_widget, search  # noqa: E402

ALERT_ME = "Alert me about new partners like these"
SAVED = "Saved: we will tell you when a new partner like these joins."
I18N = Path(__file__).resolve().parents[2] / "api" / "static" / "i18n"


def saved_searches(api, token: str) -> list[dict]:
    """What the API holds for this teacher, asked as the portal's server would (no Origin)."""
    req = urllib.request.Request(api.base + "/v1/saved-searches", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def button(w):
    return w.get_by_role("button", name=ALERT_ME)


def traffic(page) -> list:
    """Requests to the API's saved-searches route, with their headers and bodies."""
    seen = []
    page.on("request", lambda r: seen.append(r) if "/v1/saved-searches" in r.url else None)
    return seen


def test_without_a_teacher_token_there_is_no_button(page, api, listed_site):
    calls = traffic(page)
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en"))
    search(w, "music")
    expect(w.locator("article.card").first).to_be_visible()
    expect(button(w)).to_have_count(0)
    expect(w.locator("button", has_text=re.compile("Alert me"))).to_have_count(0)
    assert not calls and not page.console_errors, page.console_errors


def test_a_teacher_saves_the_search_shown_and_is_told_so(page, api, listed_site, axe_source):
    token = mint(TEACHER_TOKEN_SECRET, "alert-teacher-saves", 600)
    calls = traffic(page)
    searches = []
    page.on("request", lambda r: searches.append(json.loads(r.post_data)) if r.url.endswith("/v1/search") else None)
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", teacher_token=token))
    expect(button(w)).to_have_count(0)                      # nothing found yet: no button
    search(w, "music")
    # a filter from the facet chips, so the saved search has one
    w.locator("div.group[aria-labelledby$='-f-country'] button.chip").first.click()
    expect(w.locator("button.chip[aria-pressed=true]")).to_have_count(1)
    expect(w.locator("p.status")).to_have_attribute("data-state", "done")
    sent = searches[-1]
    assert sent["text"] == "music" and sent["filters"] and list(sent["filters"]) == ["country"], sent
    expect(button(w)).to_be_visible()
    assert axe_violations(page, axe_source) == []

    button(w).click()
    note = w.get_by_role("status").filter(has_text=SAVED)
    expect(note).to_have_text(SAVED)
    expect(note).to_have_attribute("aria-live", "polite")
    expect(button(w)).to_have_count(0)                      # the confirmation takes its place
    assert w.evaluate("el => el.shadowRoot.activeElement && el.shadowRoot.activeElement.className") == "saved"
    assert axe_violations(page, axe_source) == []

    # one POST, with the token alone and the search as sent to /v1/search
    [post] = [r for r in calls if r.method == "POST"]
    headers = post.headers
    assert headers["authorization"] == f"Bearer {token}" and "x-api-key" not in headers, headers
    assert json.loads(post.post_data) == {"text": "music", "filters": sent["filters"], "frequency": "weekly"}
    [saved] = saved_searches(api, token)
    assert saved["text"] == "music" and saved["frequency"] == "weekly"
    assert saved["filters"]["country"] == sent["filters"]["country"]

    # a new search offers the button again; the page said nothing wrong
    search(w, "history and traditions")
    expect(button(w)).to_be_visible()
    assert not page.console_errors, page.console_errors


@pytest.mark.parametrize("how", ["expired", "forged"])
def test_a_refused_token_says_so_and_saves_nothing(page, api, listed_site, axe_source, how):
    pid = f"alert-teacher-{how}"
    token = (mint(TEACHER_TOKEN_SECRET, pid, 60, now=time.time() - 120) if how == "expired"
             else mint("not the portal's secret", pid, 600))
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", teacher_token=token))
    search(w, "music")
    button(w).click()
    alert = w.get_by_role("alert")
    expect(alert).to_have_text("Your sign-in has expired, so the alert was not saved. "
                               "Reload the page and try again.")
    expect(button(w)).to_have_count(0)                      # trying again with this token cannot help
    expect(w.get_by_text(SAVED)).to_have_count(0)
    assert any("refused the teacher-token" in m for m in page.console_errors), page.console_errors
    assert axe_violations(page, axe_source) == []
    assert saved_searches(api, mint(TEACHER_TOKEN_SECRET, pid, 600)) == []


def test_a_network_failure_can_be_tried_again(page, api, listed_site):
    token = mint(TEACHER_TOKEN_SECRET, "alert-teacher-network", 600)
    down = {"on": True}
    page.route(f"{api.base}/v1/saved-searches", lambda route: route.abort() if down["on"] else route.continue_())
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", teacher_token=token))
    search(w, "music")
    button(w).click()
    expect(w.get_by_role("alert")).to_have_text("The alert could not be saved. Check your connection and try again.")
    assert saved_searches(api, token) == []
    down["on"] = False
    button(w).click()
    expect(w.get_by_role("status").filter(has_text=SAVED)).to_be_visible()
    expect(w.get_by_role("alert")).to_have_count(0)
    assert [s["text"] for s in saved_searches(api, token)] == ["music"]


def test_the_button_speaks_the_widgets_language(page, api, listed_site):
    cats = {lang: json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("pt", "de")}
    token = mint(TEACHER_TOKEN_SECRET, "alert-teacher-pt", 600)
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="pt", teacher_token=token))
    search(w, "música")
    w.get_by_role("button", name=cats["pt"]["alertMe"]).click()
    expect(w.get_by_role("status").filter(has_text=cats["pt"]["alertMeSaved"])).to_be_visible()
    page.evaluate("document.querySelector('twinmatch-search').setAttribute('lang', 'de')")
    expect(w.get_by_role("status").filter(has_text=cats["de"]["alertMeSaved"])).to_be_visible()
