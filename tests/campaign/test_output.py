"""What an organiser receives: a CSV with names, schools and countries, and a localized report."""
from __future__ import annotations

import csv
import io
import re

import pytest

from matcher import reasons
from matcher.campaign import texts
from matcher.campaign.report import render
from matcher.campaign.run import run_campaign
from matcher.campaign.table import to_csv

JARGON = ("milp", "highs", "set-packing", "coverage", "greedy", "top-k", "candidate")


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def pairs(make_matcher, cohort_dicts):
    m = make_matcher(cohort_dicts)
    ids = [d["id"] for d in cohort_dicts]
    return m, run_campaign(m, ids, partners=(1, 2)), m.backend.get_many(ids)


def test_the_csv_names_both_teachers_and_says_why(pairs, cohort_dicts):
    _, res, profiles = pairs
    by_id = {d["id"]: d for d in cohort_dicts}
    rows = _rows(to_csv(res, profiles))
    assert len(rows) == len(res.matches) > 0
    for row, m in zip(rows, res.matches):
        a, b = by_id[row["a"]], by_id[row["b"]]
        assert (row["a"], row["b"]) == (m.a, m.b)
        assert (row["a_name"], row["a_school"], row["a_country"]) == (a["name"], a["school"]["name"],
                                                                       a["school"]["country"])
        assert (row["b_name"], row["b_school"], row["b_country"]) == (b["name"], b["school"]["name"],
                                                                       b["school"]["country"])
        shared = [x for x in a["languages"] if x in b["languages"]]
        assert row["shared_languages"] == ", ".join(reasons.language_name(x, "en") for x in shared)
        assert row["pupil_ages"] and re.fullmatch(r"[\d\-, ]+", row["pupil_ages"])
        assert row["a_idea"] == a["ideas"][0]["title"] and row["b_idea"] == b["ideas"][0]["title"]
        assert "You can work together in" in row["reasons"] and float(row["score"]) == m.score
    assert "group" not in rows[0] and "a_email" not in rows[0]


def test_emails_appear_only_when_asked(pairs):
    _, res, profiles = pairs
    assert "@" not in to_csv(res, profiles)
    rows = _rows(to_csv(res, profiles, emails=True))
    assert all(r["a_email"] == f"{r['a']}@x.example" and r["b_email"] == f"{r['b']}@x.example" for r in rows)
    assert "@" not in render(res, profiles)           # the report never carries e-mails


def test_group_mode_writes_each_pair_with_its_group(make_matcher, cohort_dicts):
    m = make_matcher(cohort_dicts)
    ids = [d["id"] for d in cohort_dicts]
    res = run_campaign(m, ids, groups=4)
    rows = _rows(to_csv(res, m.backend.get_many(ids)))
    assert res.groups and list(rows[0])[0] == "group"
    for g in res.groups:
        mine = [r for r in rows if r["group"] == g.id]
        assert len(mine) == 6                                   # every pair of a group of 4
        assert {x for r in mine for x in (r["a"], r["b"])} == set(g.members)
    assert {r["group"] for r in rows} == {g.id for g in res.groups}


def test_the_report_speaks_the_organisers_language_and_folds_the_solver_away(pairs):
    _, res, profiles = pairs
    page = render(res, profiles, lang="pt", title="coorte")
    assert '<html lang="pt"' in page and "Parcerias" in page and "Professores sem parceiro" in page
    assert "<td>inglês</td>" in page and "Disciplinas em comum: Música" in page  # languages and reasons too
    assert "Ninguém de outro país partilha uma língua de trabalho" in page  # icelandic's reason
    shown, technical = page.split("<details>", 1)
    assert "<summary>Detalhes técnicos</summary>" in technical and "milp-highs" in technical
    visible = re.sub(r"<[^>]+>", " ", shown).lower()
    assert not [w for w in JARGON if w in visible], visible
    for m in res.matches:                                  # every partnership, by name and school
        assert profiles[m.a].profile.school.name in shown and profiles[m.b].profile.name in shown
    assert "icelandic" in shown and "School oldies" in shown
    english = render(res, profiles, lang="xx")             # unknown languages fall back to English
    assert '<html lang="en"' in english and "Teachers without a partner" in english


@pytest.mark.parametrize("lang", reasons.LANGUAGES)
def test_every_reason_language_has_a_complete_report_catalog(pairs, lang):
    assert lang in texts.catalogs()
    catalog, en = texts.catalogs()[lang], texts.catalogs()["en"]
    assert set(catalog) == set(en)
    for key, value in catalog.items():
        assert set(re.findall(r"{\w+}", value)) == set(re.findall(r"{\w+}", en[key])), (lang, key)
    _, res, profiles = pairs
    page = render(res, profiles, lang=lang)
    assert not re.search(r"{\w+}", page) and f'lang="{lang}"' in page
    if lang != "en":
        assert texts.text("h.matches", lang) != "Partnerships" and texts.text("h.matches", lang) in page
    assert ('dir="rtl"' in page) == (lang == "ar")
