"""Ranking quality mechanics: reciprocity, diversity quota, cold start, localized reasons, consortia."""
import itertools

import pytest

from models import Filters
from tests.fakes import profile


def test_the_score_is_reciprocal(make_matcher):
    m = make_matcher([
        profile("me", "PT", subjects=("Music", "Art")),
        profile("wide", "RO", subjects=("Music", "Art", "History", "Biology", "Physics", "Chemistry"),
                ages=((3, 18),)),
        profile("close", "PL", subjects=("Music",)),
    ])
    recs = m.backend.get_many(["me", "wide", "close"])
    for a in recs.values():
        for b in recs.values():
            assert m.pair_score(a, b) == pytest.approx(m.pair_score(b, a))
    # Each side's share of the other's subjects and pupil ages counts: covering all of a narrow
    # teacher's subjects and ages beats covering a third of a very wide one's.
    top = [r.profile.id for r in m.partners("me", mode="model").results]
    assert top == ["close", "wide"]


def test_no_country_takes_more_than_a_third_of_the_top_ten(make_matcher):
    people = [profile("me", "PT")]
    people += [profile(f"it-{i}", "IT") for i in range(8)]
    people += [profile(f"x-{c}", c, theme="music robots") for c in ("RO", "PL", "GR", "ES", "FR", "DE", "SE", "FI")]
    m = make_matcher(people)
    top = m.partners("me", k=10).results
    countries = [r.profile.school.country for r in top]
    assert len(top) == 10 and countries.count("IT") == 3
    # Asking for that country lifts the quota.
    only_it = m.partners("me", k=10, filters=Filters(country=["IT"])).results
    assert len(only_it) == 8


def test_cold_start_profile_gets_exposure_over_a_flooded_one(make_matcher):
    m = make_matcher([profile("me", "PT"), profile("flooded", "RO"), profile("newcomer", "PL")])
    for i in range(15):
        m.backend.record_contact("me", "flooded")
    res = m.partners("me").results
    assert [r.profile.id for r in res] == ["newcomer", "flooded"]
    assert "new_profile" in {x.code for x in res[0].reasons}
    assert "new_profile" not in {x.code for x in res[1].reasons}


def test_contacts_endpoint_counts_requests(make_matcher):
    m = make_matcher([profile("me", "PT"), profile("b", "RO")])
    m.contact("me", "b", answered=True)
    rec = m.record("b")
    assert (rec.received, rec.answered) == (1, 1)


@pytest.mark.parametrize("lang,expected", [
    ("en", "You can work together in English"), ("pt", "Podem trabalhar juntos em inglês"),
    ("ro", "Puteți lucra împreună în engleză"), ("es", "Podéis trabajar juntos en inglés"),
    ("fr", "Vous pouvez travailler ensemble en anglais"), ("de", "Gemeinsame Arbeitssprache: Englisch"),
    ("it", "Potete lavorare insieme in inglese"), ("pl", "Możecie współpracować w języku: angielski"),
    ("xx", "You can work together in English")])
def test_reasons_are_localized_with_stable_codes(make_matcher, lang, expected):
    m = make_matcher([profile("me", "PT"), profile("b", "RO")])
    reasons = m.partners("me", lang=lang).results[0].reasons
    assert reasons[0].code == "shared_languages" and reasons[0].message == expected


def test_consortium_every_pair_compatible_and_distinct_countries(make_matcher):
    people = [profile("me", "PT", languages=("pt", "en"), ages=((3, 11),))]
    people += [profile(f"a-{c}", c, languages=("en",), ages=((8, 11),)) for c in ("RO", "PL", "GR")]
    # Each of these suits `me` better than the a-* do, but not the a-* group:
    people += [profile("fr-only", "FR", languages=("fr", "pt"), ages=((3, 11),))]  # no shared language
    people += [profile("young", "ES", ages=((3, 6),))]                             # no shared ages
    people += [profile("a-RO-2", "RO", ages=((8, 11),))]
    m = make_matcher(people)
    group = m.consortium("me", size=4)
    ids = [p.id for p in group.members]
    assert ids[0] == "me" and len(set(group.countries)) == 4
    assert "fr-only" not in ids and "young" not in ids
    recs = m.backend.get_many(ids)
    for a, b in itertools.combinations(ids, 2):
        assert m.compatible(recs[a].profile, recs[b].profile), (a, b)
    assert len(group.pairs) == 6 and group.weakest_pair == min(p.score for p in group.pairs)
    from matcher.consortium import NoConsortium
    with pytest.raises(NoConsortium):
        m.consortium("me", size=6)
