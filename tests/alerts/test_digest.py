"""Digests: best alerts first within each recipient's cap, fewer for one who ignores them, localized."""
from __future__ import annotations

import time

from matcher import reasons
from matcher.alerts import digest
from matcher.alerts.match import IGNORE_STEP
from matcher.alerts.store import Alert, alert_id

REASONS = [{"code": "shared_languages", "message": "x", "details": {"languages": ["en"]}},
           {"code": "new_profile", "message": "x", "details": {}}]


def _alerts(store, recipient: str, newcomers: list[str], created: float) -> None:
    store.commit_arrival("x", [Alert(alert_id("profile", recipient, n), "profile", recipient, "k1", n,
                                     0.1 * (i + 1), REASONS, created) for i, n in enumerate(newcomers)])


def test_the_cap_halves_per_ignore_step_and_never_reaches_zero():
    assert [digest.cap(8, n * IGNORE_STEP) for n in range(5)] == [8, 4, 2, 1, 1]
    assert digest.cap(5, IGNORE_STEP - 1) == 5


def test_a_digest_shows_the_best_alerts_within_the_cap(world, store):
    store.subscribe("pt1", "k1", "weekly", 2, 10, None)
    now = time.time()
    _alerts(store, "pt1", ["de1", "ro1", "fr1"], now)
    [d] = digest.build(world, store, since=now - 60, lang="pt")
    assert [a["partner"]["id"] for a in d["alerts"]] == ["fr1", "ro1"] and d["withheld"] == 1
    assert d["alerts"][0]["reasons"][0]["message"] == "Podem trabalhar juntos em inglês"
    html = digest.to_html([d])
    assert "Novos parceiros para si" in html and "e mais 1" in html and "Podem trabalhar" in html
    assert digest.build(world, store, since=now + 60) == []      # nothing new in a later period


def test_a_teacher_who_ignores_alerts_gets_fewer(world, store):
    store.subscribe("pt1", "k1", "weekly", 2, 10, None)
    acked = store.subscription("pt1").acked
    _alerts(store, "pt1", [f"old{i}" for i in range(IGNORE_STEP)], acked + 0.001)   # not acknowledged
    since = acked + 0.002
    _alerts(store, "pt1", ["de1", "ro1", "fr1"], since + 0.001)
    # The alerts are stamped a few ms ahead of the clock: build as of a moment after them.
    [d] = digest.build(world, store, since=since, now=since + 1)
    assert len(d["alerts"]) == 1 and d["withheld"] == 2
    time.sleep(0.01)
    store.ack("profile", "pt1")        # POST .../alerts/seen
    [d] = digest.build(world, store, since=since, now=since + 1)
    assert len(d["alerts"]) == 2


def test_html_escapes_what_teachers_wrote(world, store):
    d = {"recipient": {"kind": "profile", "id": "pt1", "owner": "k1"}, "lang": "en", "withheld": 0,
         "alerts": [{"partner": {"id": "x", "name": "<script>", "school": {"name": "A & B", "country": "PT"}},
                     "reasons": [{"message": "<b>"}]}]}
    out = digest.to_html([d])
    assert "<script>" not in out and "&lt;script&gt;" in out and "A &amp; B" in out and "&lt;b&gt;" in out


def test_every_reason_language_has_the_digests_own_words():
    assert set(digest._TEXT) == set(reasons.LANGUAGES)
    english = digest.text("en")
    for lang in reasons.LANGUAGES:
        own, search, more = digest.text(lang)
        assert own.strip() and search.strip() and more.count("{n}") == 1, lang
        if lang != "en":
            assert own != english[0] and search != english[1] and more != english[2], lang


def test_a_digest_names_the_language_it_is_written_in(world, store):
    store.subscribe("pt1", "k1", "weekly", 1, 10, None)
    now = time.time()
    _alerts(store, "pt1", ["de1", "ro1"], now)
    for asked, written, heading in [("lt", "lt", "Nauji partneriai jums"), ("pt-BR", "pt", "Novos parceiros para si"),
                                    ("xx", "en", "New partners for you"), (None, "en", "New partners for you")]:
        [d] = digest.build(world, store, since=now - 60, lang=asked)
        assert d["lang"] == written, asked
        assert d["alerts"][0]["reasons"][0]["message"] == reasons.reason("shared_languages", written,
                                                                         languages=["en"]).message
        html = digest.to_html([d])
        assert f'lang="{written}">' in html and heading in html and digest.text(written)[2].format(n=1) in html
    [d] = digest.build(world, store, since=now - 60, lang="ar")
    assert 'lang="ar" dir="rtl"' in digest.to_html([d]) and digest.text("ar")[0] in digest.to_html([d])
