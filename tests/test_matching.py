"""Cross-lingual matching and the default hard constraints, on the real embedder."""
import numpy as np
import pytest

from models import Filters

UNRELATED = {"de-music", "es-math", "it-history", "fr-theatre"}
RECYCLING = {"ro-recycle", "pl-recycle", "gr-recycle"}


def test_portuguese_recycling_finds_romanian_polish_greek_recycling_first(matcher):
    res = matcher.partners("pt-recycle", k=10)
    ids = [r.profile.id for r in res.results]
    assert set(ids[:3]) == RECYCLING, ids
    assert all(ids.index(r) < ids.index(u) for r in RECYCLING for u in UNRELATED if u in ids)


def test_hard_constraints_exclude_incompatible_profiles(matcher):
    ids = {r.profile.id for r in matcher.partners("pt-recycle", k=50).results}
    assert "pt-same-school" not in ids      # same school
    assert "pt-other" not in ids            # same country
    assert "hu-recycle-nolang" not in ids   # no shared working language
    assert "ro-recycle-young" not in ids    # pupils 3-6 vs 11-15
    assert "ie-closed" not in ids           # not open to partners
    assert "pt-recycle" not in ids


def test_same_country_flag_admits_other_schools_of_the_same_country(matcher):
    ids = {r.profile.id for r in matcher.partners("pt-recycle", k=50,
                                                  filters=Filters(allow_same_country=True)).results}
    assert "pt-other" in ids and "pt-same-school" not in ids


def test_every_result_explains_languages_ages_subjects_and_idea_pair(matcher):
    top = matcher.partners("pt-recycle", k=1).results[0]
    codes = {r.code: r for r in top.reasons}
    assert codes["shared_languages"].details["languages"] == ["en"]
    assert codes["age_overlap"].details["ages"] == ["12-15"]
    assert codes["shared_subjects"].details["subjects"] == ["Environmental Education"]
    idea = codes["similar_idea"].details
    assert idea["own_unit"] == "idea:0" and idea["partner_unit"].startswith("idea:")


def test_filters_narrow_partners(matcher):
    res = matcher.partners("pt-recycle", k=10, filters=Filters(country=["PL"]))
    assert [r.profile.id for r in res.results] == ["pl-recycle"]
    res = matcher.partners("pt-recycle", k=10, filters=Filters(subject=["Music"]))
    assert [r.profile.id for r in res.results] == ["de-music"]


def test_free_text_search_crosses_languages(matcher):
    from models import SearchRequest
    res = matcher.search(SearchRequest(text="recycling plastic waste at school", k=4))
    top = {r.profile.id for r in res.results}
    assert len(top & (RECYCLING | {"pt-recycle", "ro-recycle-young", "hu-recycle-nolang",
                                   "pt-other", "pt-same-school", "ie-closed"})) >= 3
    assert res.results[0].reasons[0].code == "matches_search"


def test_search_filters_apply(matcher):
    from models import SearchRequest
    res = matcher.search(SearchRequest(text="recycling", filters={"age": "3-6"}, k=10))
    assert [r.profile.id for r in res.results] == ["ro-recycle-young"]


def test_several_age_ranges_keep_teachers_overlapping_any(matcher):
    from models import Filters, SearchRequest
    several = matcher.search(SearchRequest(filters={"age": ["3-6", {"from": 14, "to": 14}]}, k=20))
    assert {r.profile.id for r in several.results} == {"ro-recycle-young", "pt-recycle", "ro-recycle", "pl-recycle",
                                                       "gr-recycle", "de-music", "es-math", "it-history",
                                                       "fr-theatre", "hu-recycle-nolang", "pt-same-school",
                                                       "pt-other"}
    young = several.results[[r.profile.id for r in several.results].index("ro-recycle-young")]
    assert young.reasons[0].details == {"ages": ["3-6"]}
    partners = matcher.partners("pt-recycle", filters=Filters(age=["3-6", "16-19"]))
    assert [r.profile.id for r in partners.results] == ["ro-recycle-young"]


def test_gibberish_finds_nothing(matcher):
    from models import SearchRequest
    for text in ("qwzx plmkj vbnrt", "zzkq wrrt blorf"):
        res = matcher.search(SearchRequest(text=text, k=10))
        assert res.results == [] and res.total == 0, text


def test_a_rare_word_finds_the_one_teacher_who_wrote_it(matcher):
    from models import SearchRequest
    assert matcher.search(SearchRequest(text="ecopontos", k=3)).results[0].profile.id == "pt-recycle"


def test_a_known_searcher_gets_their_hard_constraints(matcher):
    from models import SearchRequest
    res = matcher.search(SearchRequest(text="recycling plastic waste", k=20, profile_id="pt-recycle"))
    ids = {r.profile.id for r in res.results}
    assert ids and ids <= {"ro-recycle", "pl-recycle", "gr-recycle", "de-music", "es-math", "it-history",
                           "fr-theatre"}
    assert "pt-recycle" not in ids and "pt-other" not in ids and "hu-recycle-nolang" not in ids


def test_paging_is_stable_and_total_does_not_move(matcher):
    one = matcher.partners("pt-recycle", k=50)
    pages = [r.profile.id for off in range(0, 50, 2) for r in matcher.partners("pt-recycle", k=2, offset=off).results]
    assert pages == [r.profile.id for r in one.results]
    assert {matcher.partners("pt-recycle", k=k, offset=o).total for k, o in ((1, 0), (10, 0), (3, 4))} == {one.total}


def test_ranked_is_the_order_and_scores_partners_shows(matcher):
    for kw in ({}, {"mode": "model"}, {"filters": Filters(country=["PL", "RO", "GR", "DE"])}):
        shown = matcher.partners("pt-recycle", k=4, offset=1, **kw)
        c, ranked = matcher.ranked("pt-recycle", 4, offset=1, **kw)
        assert c.me.profile.id == "pt-recycle" and len(c.pool) == shown.total
        assert [(pid, round(score, 6)) for pid, score in ranked] == \
            [(r.profile.id, r.score) for r in shown.results], kw


def test_a_text_that_names_an_idea_also_finds_that_teachers_partners(matcher):
    from models import SearchRequest
    res = matcher.search(SearchRequest(text="Reciclar na escola", k=8))
    ids = [r.profile.id for r in res.results]
    assert ids[0] == "pt-recycle"                        # the teacher the title names comes first
    partners = {"ro-recycle", "pl-recycle", "gr-recycle"}  # the ones pt-recycle can work with
    assert set(ids[1:4]) == partners
    # Same-country teachers cannot partner pt-recycle: they rank after its partners.
    assert all(ids.index(x) > 3 for x in ("pt-other", "pt-same-school") if x in ids)
    why = {r.profile.id: [x for x in r.reasons if x.code == "similar_idea"] for r in res.results}
    assert not why["pt-recycle"]
    assert any(x.details["own_idea"] == "Reciclar na escola" for p in partners for x in why[p])


def test_a_named_teachers_partners_are_scored_as_its_own_list_scores_them(matcher):
    """Paths through the named teacher's best partners included (matcher/bridges.py), as a share
    of the best."""
    from matcher import search
    from matcher.backends.types import CandidateFilter
    c = search.candidates(matcher, "Reciclar na escola", CandidateFilter())
    own = matcher.candidates(matcher.record("pt-recycle"))
    theirs = dict(zip(own.pool.ids, own.prob))
    at = {pid: i for i, pid in enumerate(c.pool.ids)}
    assert len(theirs) >= 3 and set(theirs) <= set(at)
    assert (own.prob / own.direct).max() > 1.1             # the paths count for something here
    best = max(theirs.values())
    for pid, p in theirs.items():
        assert c.named[at[pid]] == pytest.approx(p / best, rel=1e-4), pid


def test_a_teachers_own_title_names_them_wherever_the_search_model_puts_them(matcher, monkeypatch):
    """The search model prefers partners abroad, so the teacher whose title the text is may come
    late in its order; BM25 and the idea cosine still put them among the few checked."""
    from matcher import search
    from matcher.backends.types import CandidateFilter
    real = search.fused
    monkeypatch.setattr(search, "fused", lambda c, prob=None: -real(c, prob) if c.named is None else real(c, prob))
    c = search.candidates(matcher, "Reciclar na escola", CandidateFilter())
    assert c.named_id == "pt-recycle"
    named, c.named = c.named, None
    last = [c.pool.ids[i] for i in np.argsort(-search.fused(c), kind="stable")[:search.NAMED_OF]]
    c.named = named
    assert "pt-recycle" not in last             # the search's own order would not have named them


def test_one_word_is_a_topic_not_a_name(matcher):
    from matcher import search
    from matcher.backends.types import CandidateFilter
    assert search.candidates(matcher, "reciclagem", CandidateFilter()).named is None
    assert search.candidates(matcher, "Reciclar na escola", CandidateFilter()).named is not None
