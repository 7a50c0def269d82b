"""What a webmaster sees when the set-up is wrong, and what a teacher sees when the API is down."""
from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed: `pip install playwright`")
from playwright.sync_api import expect  # noqa: E402

from tests.widget.conftest import free_port  # noqa: E402
from tests.widget.helpers import COUNTRIES, axe_violations, open_widget, search, widget  # noqa: E402


def console_says(page, text: str) -> bool:
    return any(m.startswith("twinmatch-search: ") and text in m for m in page.console_errors)


def test_no_key_is_said_at_load_in_the_page_language(page, api, listed_site, axe_source):
    searches = []
    page.on("request", lambda r: searches.append(r.url) if "/v1/search" in r.url else None)
    page.goto(listed_site.page(api.base, lang="fr"))
    alert = widget(page).get_by_role("alert")
    expect(alert).to_have_text("La recherche de partenaires n’est pas encore configurée sur ce site\u00a0: "
                               "la clé d’accès manque.")
    assert console_says(page, f"the API at {api.base} needs a key: add key=\"tm_…\""), page.console_errors
    assert console_says(page, f"--origin {listed_site.origin}")
    assert axe_violations(page, axe_source) == []
    # no retry for a set-up error, and no search is sent
    expect(widget(page).get_by_role("button", name="Réessayer")).to_be_hidden()
    widget(page).locator("input[type=search]").fill("musique")
    widget(page).locator("input[type=search]").press("Enter")
    expect(alert).to_be_visible()
    assert not searches


def test_wrong_key_is_said_at_load(page, api, listed_site):
    page.goto(listed_site.page(api.base, key="tm_000000000000_not-a-key", lang="pt"))
    w = widget(page)
    expect(w.get_by_role("alert")).to_have_text(
        "A pesquisa de parceiros não está bem configurada neste sítio: a chave de acesso não é válida.")
    assert console_says(page, "refused the key tm_000000000000_…: it is unknown or revoked"), page.console_errors
    assert not any("not-a-key" in m for m in page.console_errors), "the secret part is never logged"
    expect(w.locator("article.card")).to_have_count(0)


def test_key_from_an_unlisted_origin_is_said_at_load(page, api, listed_site, unlisted_site):
    page.goto(unlisted_site.page(api.base, key=api.key, lang="de"))
    w = widget(page)
    expect(w.get_by_role("alert")).to_have_text("Diese Website darf diese Partnersuche nicht verwenden.")
    kid = "_".join(api.key.split("_")[:2])
    assert console_says(page, f"the key {kid}_… is not valid on {unlisted_site.origin}"), page.console_errors
    assert console_says(page, "this key is not valid from this origin")       # the API's own words
    expect(w.locator("select[name=country] option")).to_have_count(1)

    # Server side too, whatever a browser does with CORS: same key, wrong Origin -> 403.
    req = page.context.request
    body = {"text": "recycling", "k": 3}
    r = req.post(api.base + "/v1/search", data=body,
                 headers={"X-API-Key": api.key, "Origin": unlisted_site.origin})
    assert r.status == 403 and r.json()["error"]["code"] == "access_denied", r.text()
    assert r.headers["access-control-allow-origin"] == unlisted_site.origin     # readable refusal, no data
    r = req.post(api.base + "/v1/search", data=body, headers={"X-API-Key": api.key})
    assert r.status == 403, "a widget key without an Origin must be refused"
    r = req.post(api.base + "/v1/search", data=body,
                 headers={"X-API-Key": api.key, "Origin": listed_site.origin})
    assert r.status == 200 and r.headers["access-control-allow-origin"] == listed_site.origin
    # responses to the widget key carry public fields only
    assert all("email" not in x["profile"] for x in r.json()["results"])


def test_unknown_country_attribute_is_reported(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="en", country="ZZ"))
    expect(w.locator("select[name=country]")).to_have_value("")
    assert console_says(page, 'country="ZZ" is not one of the eTwinning countries (AT BE'), page.console_errors
    search(w, "music")
    expect(w.locator("article.card").first).to_be_visible()


def test_api_down_at_load_shows_a_message_and_the_fallback_content(page, api, listed_site, axe_source):
    dead = f"http://127.0.0.1:{free_port()}"
    fallback = '<p class="host-fallback">Search on <a href="https://example.org/">the platform</a>.</p>'
    page.goto(listed_site.page(dead, key=api.key, lang="en", api=dead, inner=fallback,
                               script="/widget/v1/twinmatch.js"))
    # the script itself is missing too (it lives on the dead API): only the host content shows
    expect(page.locator("p.host-fallback")).to_be_visible()

    # the script loads, the API is down
    page.goto(listed_site.page(api.base, key=api.key, lang="en", api=dead, inner=fallback))
    w = widget(page)
    alert = w.get_by_role("alert")
    expect(alert).to_have_text("The partner search cannot be reached at the moment.")
    expect(page.locator("p.host-fallback")).to_be_visible()          # slotted into the message
    box = w.bounding_box()
    assert box["height"] > 100 and box["width"] > 300, box
    assert console_says(page, f"the API at {dead} cannot be reached from {listed_site.origin}")
    assert axe_violations(page, axe_source) == []

    # it comes back: Try again loads the filters and the message goes
    page.evaluate(f"document.querySelector('twinmatch-search').setAttribute('api', '{api.base}')")
    expect(w.locator("select[name=country] option")).to_have_count(COUNTRIES + 1)
    expect(alert).to_be_hidden()
    expect(page.locator("p.host-fallback")).to_be_hidden()
    search(w, "music")
    expect(w.locator("article.card").first).to_be_visible()


def test_try_again_after_the_api_comes_back(page, api, listed_site):
    down = {"on": True}
    page.route(f"{api.base}/v1/taxonomy*", lambda route: route.abort() if down["on"] else route.continue_())
    page.goto(listed_site.page(api.base, key=api.key, lang="en"))
    w = widget(page)
    expect(w.get_by_role("alert")).to_have_text("The partner search cannot be reached at the moment.")
    down["on"] = False
    w.get_by_role("button", name="Try again").click()
    expect(w.locator("select[name=country] option")).to_have_count(COUNTRIES + 1)
    expect(w.get_by_role("alert")).to_be_hidden()
