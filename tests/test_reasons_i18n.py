"""Every reason renders in every catalog language without codes, placeholders or English subjects.

Subject names are checked for the languages whose taxonomy labels (models/taxonomy_i18n.json) cover
every subject (SUBJECT_LANGS); today that is every required language.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel import Locale

from matcher import reasons
from matcher.reasons import reason
from models import taxonomy

REQUIRED = ("bg cs da de el en es et fi fr ga hr hu is it lt lv mk mt nl no pl pt ro sk sl sq sr sv tr uk "
            "ka hy az ar bs ca").split()
I18N = json.loads(Path(taxonomy.__file__).with_name("taxonomy_i18n.json").read_text(encoding="utf-8"))
SUBJECT_LANGS = sorted(lang for lang, labels in I18N["subjects"].items()
                       if lang != "en" and set(labels) == set(taxonomy.subjects()))
SPOKEN = ["en", "fr", "de", "pt"]
SUBJECTS = ["History", "Music", "Mathematics / Geometry", "Foreign Languages"]
AGES = ["11-11", "8-12"]


def details(code: str, days: int = 30) -> dict:
    return {
        "shared_languages": {"languages": SPOKEN},
        "age_overlap": {"ages": AGES},
        "shared_subjects": {"subjects": SUBJECTS},
        "similar_idea": {"own_idea": "Water in our towns", "partner_idea": "Rivers and us", "score": 0.7},
        "matches_search": {"idea": "Climate and seasons"},
        "shared_keywords": {"terms": ["climate", "water"]},
        "recently_active": {"days": days},
        "responsive": {"rate": 80},
        "empty_languages": {"languages": ["uk"]},
        "empty_ages": {"ages": ["13-15"]},
        "try_language": {"languages": ["en"], "count": days},
        "try_ages": {"ages": ["16-19"], "count": days},
        "try_own_country": {"count": days},
        "try_without_filter": {"filter": "subject", "count": days},
        "try_other_words": {"count": days},
    }.get(code, {})


def test_every_required_language_has_a_complete_catalog():
    assert set(REQUIRED) <= set(reasons.LANGUAGES)
    for lang in reasons.LANGUAGES:
        assert set(reasons.catalogs()[lang]) == set(reasons.CODES), lang


def test_every_required_language_names_every_subject():
    assert set(REQUIRED) - {"en"} <= set(SUBJECT_LANGS)


@pytest.mark.parametrize("lang", sorted(reasons.catalogs()))
def test_plural_variants_use_the_locales_categories(lang):
    tags = set(Locale.parse(lang).plural_form.tags) | {"other"}
    for code, template in reasons.catalogs()[lang].items():
        if isinstance(template, dict):
            assert "other" in template, (lang, code)
            assert all(k in tags or re.fullmatch(r"=\d+", k) for k in template), (lang, code, template)


@pytest.mark.parametrize("lang", sorted(reasons.catalogs()))
@pytest.mark.parametrize("days", [30, 21, 1])
def test_every_reason_renders_cleanly(lang, days):
    for code in reasons.CODES:
        r = reason(code, lang, **details(code, days))
        assert r.code == code and r.details == details(code, days)
        assert r.message.strip() and not re.search(r"[{}]", r.message), (lang, code, r.message)
        assert "11-11" not in r.message
        if code == "recently_active" and days != 1:
            assert str(days) in r.message
        if code.startswith("try_"):
            assert str(days) in r.message, (lang, code, r.message)
        if code in ("try_language", "empty_languages"):
            assert reasons.language_name(details(code)["languages"][0], lang) in r.message, (lang, r.message)
        if lang == "en":
            continue
        if code == "shared_languages":
            shown = [reasons.language_name(c, lang) for c in SPOKEN]
            assert all(name in r.message for name in shown), (lang, r.message)
            assert not any(name in SPOKEN for name in shown), (lang, shown)
        if code == "shared_subjects" and lang in SUBJECT_LANGS:
            leaked = [s for s in SUBJECTS if re.search(rf"\b{re.escape(s)}\b", r.message)
                      and taxonomy.localized_subject(s, lang) != s]
            assert not leaked, (lang, r.message)


def test_no_iso_code_stands_alone_in_a_message():
    for lang in reasons.LANGUAGES:
        if lang == "en":
            continue
        template = reasons.catalogs()[lang]["shared_languages"]
        before, _, after = template.partition("{languages}")
        message = reason("shared_languages", lang, languages=SPOKEN).message
        listed = message[len(before):len(message) - len(after)]
        assert not set(re.findall(r"\w+", listed)) & set(SPOKEN), (lang, message)


@pytest.mark.parametrize("lang,days,expected", [
    ("ro", 30, "Activ în ultimele 30 de zile"), ("ro", 21, "Activ în ultimele 21 de zile"),
    ("ro", 3, "Activ în ultimele 3 zile"), ("ro", 1, "Activ în ultima zi"),
    ("pl", 22, "Aktywny w ciągu ostatnich 22 dni"), ("pl", 1, "Aktywny w ciągu ostatniego dnia"),
    ("uk", 21, "Активний за останній 21 день"), ("uk", 22, "Активний за останні 22 дні"),
    ("uk", 30, "Активний за останні 30 днів"), ("hr", 21, "Aktivan u posljednjih 21 dan"),
    ("hr", 3, "Aktivan u posljednja 3 dana"), ("en", 1, "Active in the last day"),
    ("en", 30, "Active in the last 30 days")])
def test_day_counts_follow_cldr_plurals(lang, days, expected):
    assert reason("recently_active", lang, days=days).message == expected


def test_single_year_ages_show_one_number():
    assert reason("age_overlap", "pt", ages=["11-11"]).message == "Ambos ensinam alunos de 11 anos"
    assert reason("age_overlap", "en", ages=["11-11", "12-15"]).message == "Both teach pupils aged 11, 12-15"


def test_language_and_subject_names_are_localized():
    assert reason("shared_languages", "es", languages=["en"]).message == "Podéis trabajar juntos en inglés"
    assert reason("shared_subjects", "pt", subjects=["History"]).message == "Disciplinas em comum: História"
    assert reason("shared_languages", "xx", languages=["en"]).message == "You can work together in English"
    assert reason("shared_languages", "nb-NO", languages=["en"]).message == "Dere kan samarbeide på engelsk"


def test_localized_subjects_stay_unambiguous_as_aliases():
    for lang, labels in I18N["subjects"].items():
        for canonical, label in labels.items():
            assert taxonomy.canonical_subject(label) == canonical, (lang, label)


@pytest.mark.parametrize("lang,count,expected", [
    ("en", 1, "1 teacher matches if you add English"), ("en", 312, "312 teachers match if you add English"),
    ("uk", 1, "1 учитель підходить, якщо додати робочу мову: англійська"),
    ("uk", 3, "3 учителі підходять, якщо додати робочу мову: англійська"),
    ("uk", 11, "11 учителів підходять, якщо додати робочу мову: англійська"),
    ("uk", 21, "21 учитель підходить, якщо додати робочу мову: англійська"),
    ("pl", 5, "5 nauczycieli pasuje, jeśli dodasz język pracy: angielski"),
    ("ro", 20, "20 de profesori se potrivesc dacă lucrați și în engleză"),
    ("ro", 3, "3 profesori se potrivesc dacă lucrați și în engleză"),
    ("sl", 2, "2 učitelja ustrezata, če dodate delovni jezik: angleščina"),
    ("de", 312, "312 Lehrkräfte passen mit einer weiteren Arbeitssprache: Englisch")])
def test_why_empty_counts_follow_cldr_plurals(lang, count, expected):
    assert reason("try_language", lang, languages=["en"], count=count).message == expected
