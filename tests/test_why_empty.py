"""An empty list says why: the rule or filter that left nobody, the counts, and what would find teachers."""
from __future__ import annotations

from models import Filters, SearchRequest
from tests.fakes import profile


def _world(make_matcher):
    return make_matcher([
        profile("uk-only", "UA", languages=("uk",), ages=((7, 10),)),
        profile("mt-only", "MT", languages=("mt",), ages=((11, 15),)),
        profile("gr-13", "GR", languages=("el",), ages=((13, 15),)),
        profile("cy-young", "CY", languages=("el", "en"), ages=((7, 11),)),
        profile("ua-colleague", "UA", languages=("uk", "en"), ages=((7, 10),)),
        *[profile(f"en-{c}", c, ages=((7, 15),), subjects=("Music", "Art")) for c in ("RO", "PL", "ES", "FR")],
    ])


def test_a_ukrainian_only_teacher_is_told_the_language_rule_and_what_english_would_find(make_matcher):
    m = _world(make_matcher)
    res = m.partners("uk-only", explain=True)
    assert res.results == [] and res.total == 0
    why = res.why_empty
    assert (why.code, why.constraint, why.kind) == ("empty_languages", "language", "rule")
    assert why.message == "No teacher you can partner with works in Ukrainian"
    assert [(s.constraint, s.count) for s in why.steps] == [("open", 8), ("country", 7), ("language", 0)]
    best = why.suggestions[0]
    assert best.code == "try_language" and best.details == {"languages": ["en"], "count": 5}
    assert best.message == "5 teachers match if you add English"
    assert ("try_own_country", 1) in [(t.code, t.details["count"]) for t in why.suggestions]


def test_a_maltese_only_teacher_in_ukrainian(make_matcher):
    why = _world(make_matcher).partners("mt-only", explain=True, lang="uk").why_empty
    assert why.code == "empty_languages"
    assert why.message == "Жоден можливий партнер не працює вашими робочими мовами: мальтійська"
    assert why.suggestions[0].message == "5 учителів підходять, якщо додати робочу мову: англійська"


def test_a_greek_teacher_of_13_to_15_is_told_the_ages_rule(make_matcher):
    why = _world(make_matcher).partners("gr-13", explain=True).why_empty
    assert (why.code, why.constraint) == ("empty_ages", "age")
    assert why.message == "No teacher you can partner with teaches pupils aged 13-15"
    assert [(s.constraint, s.count) for s in why.steps][-1] == ("age", 0)
    tips = {t.code: t.details for t in why.suggestions}
    assert tips["try_ages"] == {"ages": ["7-11"], "count": 1}      # the Cypriot colleague
    assert tips["try_language"] == {"languages": ["en"], "count": 4}
    assert why.suggestions[0].code == "try_language"                 # best first


def test_a_filter_that_leaves_nothing_is_named_with_what_dropping_it_finds(make_matcher):
    m = _world(make_matcher)
    res = m.partners("en-RO", filters=Filters(subject=["Drama"]), explain=True)
    why = res.why_empty
    assert (why.code, why.constraint, why.kind) == ("empty_subject_filter", "subject", "filter")
    assert why.suggestions[0].details == {"filter": "subject", "count": 5}
    assert why.suggestions[0].message == "5 teachers match without this filter"
    search = m.search(SearchRequest(filters=Filters(country=["MT"], language=["en"]), lang="de"), explain=True)
    assert search.why_empty.code == "empty_language_filter"
    assert search.why_empty.message == "Keine Lehrkraft passt zu den gewählten Arbeitssprachen"


def test_words_that_match_nobody_are_named_as_the_cause(make_matcher):
    res = _world(make_matcher).search(SearchRequest(text="qwzxv blorft"), explain=True)
    assert res.total == 0 and res.why_empty.code == "empty_text"
    assert res.why_empty.suggestions[0].details == {"count": 9}


def test_only_an_empty_list_is_explained_and_only_when_asked(make_matcher):
    m = _world(make_matcher)
    assert m.partners("uk-only").why_empty is None                  # internal callers do not pay for it
    full = m.partners("en-RO", explain=True)
    assert full.total > 0 and full.why_empty is None
    past_the_end = m.partners("en-RO", offset=50, explain=True)
    assert past_the_end.results == [] and past_the_end.why_empty is None
