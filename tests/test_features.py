"""The feature model: stored columns equal the features built from documents, and every scorer agrees."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from matcher import model as learned
from matcher import ranking
from matcher.backends.base import SearchBackend
from matcher.backends.embedded.backend import EmbeddedBackend
from matcher.features import FEATURES, Teachers, pair_features, query_teacher, today_days
from matcher.neutral import LanguageSpace, language_space, neutral_profiles
from matcher.service import Matcher
from models import Profile
from tests.fakes import THEMES, ThemeEmbedder, profile

COUNTRIES = ["PT", "RO", "PL", "GR", "FI", "IT", "ES", "SE"]
SUBJECTS = [["Music"], ["Mathematics / Geometry", "Music"], ["History"], ["Environmental Education", "Art"], []]


def _profiles(n: int = 60) -> list[Profile]:
    out = []
    for i in range(n):
        extra = {"languages": ["en", "pt"] if i % 3 == 0 else (["en"] if i % 3 == 1 else ["ro", "en"]),
                 "response_rate": None if i % 4 == 0 else (i % 10) / 10,
                 "last_active": None if i % 5 == 0 else (dt.date(2026, 11, 1) - dt.timedelta(days=7 * i)).isoformat()}
        d = profile(f"p{i:03d}", COUNTRIES[i % len(COUNTRIES)], THEMES[i % len(THEMES)],
                    subjects=SUBJECTS[i % len(SUBJECTS)], ages=((6 + i % 8, 14 + i % 6),), **extra)
        if i % 7 == 0:
            d["interests"] = ["robots", "music"]
        if i % 11 == 0:                      # interests only: its pairing rows are its interests
            d["ideas"], d["interests"] = [], ["recycling at school"]
        if i % 6 == 0:
            d["ideas"].append({"text": f"A second idea about {THEMES[(i + 2) % len(THEMES)]}"})
        out.append(Profile.model_validate(d))
    return out


@pytest.fixture
def matcher(tmp_path):
    m = Matcher(EmbeddedBackend(tmp_path / "data", ThemeEmbedder.dim), ThemeEmbedder())
    m.upsert(_profiles())
    for i in range(0, 40, 3):                # contacts, some answered, some flooding
        for _ in range(i % 9):
            m.contact("p001", f"p{i:03d}", answered=i % 2 == 0)
    yield m
    m.close()


def _same(a: Teachers, b: Teachers) -> None:
    assert a.ids == b.ids
    # country codes are private to each builder: compare which candidates share a country
    assert np.array_equal(a.country[:, None] == a.country[None, :], b.country[:, None] == b.country[None, :])
    for name in ("stype", "tlang", "langs", "subjects", "ages", "active", "received", "answered", "owner", "kind"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert np.array_equal(np.isnan(a.rate), np.isnan(b.rate))
    assert np.allclose(np.nan_to_num(a.rate), np.nan_to_num(b.rate))
    assert np.allclose(a.vecs, b.vecs)


def test_columns_pool_equals_the_pool_built_from_documents(matcher):
    b = matcher.backend
    me = matcher.record("p000")
    flt = matcher.hard_filter(me.profile, None)
    ids = [f"p{i:03d}" for i in range(59, -1, -1)] + ["missing"]
    got = b.features(ids, flt)
    assert 5 < len(got) < 60                 # the filter dropped some, not all
    _same(got, SearchBackend.features(b, ids, flt))


def test_pool_survives_a_reopen_with_contacts_counted_after_the_snapshot(matcher, tmp_path):
    b = matcher.backend
    b.checkpoint()
    matcher.contact("p002", "p003", answered=True)   # after the snapshot: replayed on open
    ids = [f"p{i:03d}" for i in range(60)]
    flt = matcher.hard_filter(matcher.get("p000"), None)
    before = b.features(ids, flt)
    assert before.received[before.ids.index("p003")] >= 1
    b.checkpoint = lambda: False             # close as after a crash: no newer snapshot
    matcher.close()
    _reopen(tmp_path, "snapshot", ids, flt, before)


def _reopen(tmp_path, source: str, ids: list[str], flt, before: Teachers, checkpoint: bool = False) -> None:
    """Open the closed store again: from `source` ("snapshot" or "sqlite"), with the same pool."""
    reopened = EmbeddedBackend(tmp_path / "data", ThemeEmbedder.dim)
    try:
        assert reopened.opened_from == source
        _same(reopened.features(ids, flt), before)
        if checkpoint:
            assert reopened.checkpoint()
    finally:
        reopened.close()


def test_a_pool_block_scores_as_each_pair_alone(matcher):
    """A partner query scores its pool in one block; each pair alone, through the same
    features and model, gives the same pair probability (consortia and campaigns score that
    way; the list adds paths through the teacher's best candidates, tests/test_bridges.py)."""
    for me_id in ("p000", "p011", "p013"):
        c = matcher.candidates(matcher.record(me_id))
        assert len(c.pool) > 5
        recs = matcher.backend.get_many(c.pool.ids)
        for i, pid in enumerate(c.pool.ids):
            feats, p = matcher.scorer.pair(c.me, recs[pid])
            assert p == pytest.approx(float(c.direct[i]), abs=1e-5), pid
            for name in FEATURES:
                assert float(feats[name][0, 0]) == pytest.approx(float(c.feats[name][i]), abs=1e-5), (pid, name)


def test_pair_features_are_symmetric(matcher):
    recs = list(matcher.backend.get_many([f"p{i:03d}" for i in range(20)]).values())
    t = Teachers.from_records(recs, ThemeEmbedder.dim)
    hubs = matcher.scorer.hubs(t)
    f = pair_features(t, t, hubs, hubs)
    for name in FEATURES:
        assert np.allclose(f[name], f[name].T, atol=1e-6), name
    prob = matcher.scorer.model.probability(f)
    assert np.allclose(prob, prob.T)


def test_a_rewritten_profile_is_scored_with_its_new_hubness(matcher, monkeypatch):
    """The scorer caches each teacher's hubness; writing the teacher again drops it, so a
    changed idea is never discounted by the old text's hubness."""
    from matcher.features import hubness
    monkeypatch.setattr(ranking, "MIN_REFERENCE", 1)      # measured, however small the index
    before = matcher.scorer.hubs(Teachers.from_records([matcher.record("p002")], ThemeEmbedder.dim))
    changed = _profiles()[2].model_copy(update={"ideas": [], "interests": ["poetry and water"]})
    matcher.upsert([changed])
    now = Teachers.from_records([matcher.record("p002")], ThemeEmbedder.dim)
    expected = hubness(now, matcher.scorer.reference())
    got = matcher.scorer.hubs(now)
    assert got["interests"][0] != pytest.approx(before["interests"][0])
    for kind in ("profile", "idea", "interests"):
        assert got[kind][0] == pytest.approx(float(expected[kind][0]), abs=1e-9), kind


def test_a_profile_without_ideas_compares_its_interests_and_profile_rows(matcher):
    me = matcher.record("p011")                       # interests only
    assert [u for u in me.units] == ["interests", "profile"]
    t = Teachers.from_records([me], ThemeEmbedder.dim)
    assert t.kind.tolist() == [1, 2]


def test_responsiveness_factors():
    def pool(active, rate, received, answered):
        n = len(active)
        return Teachers([str(i) for i in range(n)], np.zeros(n), np.zeros(n), np.full(n, -1),
                        np.zeros((n, 3), np.uint64), np.zeros(n, np.uint64), np.zeros((n, 2), np.uint64),
                        np.array(active), np.array(rate, float), np.array(received), np.array(answered),
                        np.zeros((0, 4), np.float32), np.zeros(0, np.int64), np.zeros(0, np.int8))
    today = today_days(dt.date(2026, 11, 23))
    got = ranking.responsiveness(pool([today, 0, today - 180, today], [1.0, np.nan, 0.0, 0.5],
                                      [0, 3, 10, 10], [0, 0, 0, 10]), today)
    assert got == pytest.approx([1.0 * 1.0 * 1.05,                          # active today, answers all, new
                                 0.9 * 1.0 * 1.0,                           # unknown activity and rate
                                 (0.85 + 0.15 * np.exp(-1)) * 0.9 * 0.8,    # flooded: 10 unanswered
                                 1.0 * 0.95 * 1.0])                         # 10 received, all answered


def test_a_snapshot_from_before_the_ranking_columns_is_rebuilt_from_sqlite(matcher, tmp_path):
    """A generation that lacks arrays this version keeps is not patched: the memory is rebuilt
    from SQLite, and the next checkpoint writes a complete generation."""
    b = matcher.backend
    ids = [f"p{i:03d}" for i in range(60)]
    flt = matcher.hard_filter(matcher.get("p000"), None)
    before = b.features(ids, flt)
    matcher.close()                                   # writes a snapshot
    snap = next((tmp_path / "data" / "snapshots").glob("*/columns.npz")).parent
    with np.load(snap / "columns.npz") as arrs:       # as an older version wrote it
        old = {k: arrs[k] for k in arrs.files if k not in ("rate", "received", "answered", "tlang")}
    np.savez(snap / "columns.npz", **old)
    (snap / "kind.npy").unlink()
    _reopen(tmp_path, "sqlite", ids, flt, before, checkpoint=True)
    _reopen(tmp_path, "snapshot", ids, flt, before)


def test_a_snapshot_of_another_format_version_is_rebuilt_from_sqlite(matcher, tmp_path):
    ids = [f"p{i:03d}" for i in range(60)]
    flt = matcher.hard_filter(matcher.get("p000"), None)
    before = matcher.backend.features(ids, flt)
    matcher.close()
    meta = next((tmp_path / "data" / "snapshots").glob("*/meta.json"))
    meta.write_text(meta.read_text().replace('"version": 2', '"version": 1'))
    _reopen(tmp_path, "sqlite", ids, flt, before)


def test_a_centred_query_is_unit_length_and_leaves_out_the_reference_mean(matcher):
    q = matcher.record("p003").vectors
    mean = matcher.scorer.reference().vecs.mean(axis=0)
    expected = q - ranking.CENTRING * mean
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    got = matcher.scorer.centred(q)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.allclose(got, expected, atol=1e-5)


def test_a_centred_query_loses_the_language_directions_once_the_index_can_measure_them(matcher, monkeypatch):
    """Beside the mean, a query row loses the language directions (here two axes), so it favours
    no text for its language; an index too small to measure them keeps every direction."""
    q = matcher.record("p003").vectors
    ref = matcher.scorer.reference()
    matcher.scorer._space = LanguageSpace(matcher.scorer._space.mean, np.eye(ThemeEmbedder.dim, dtype=np.float32)[:2])
    expected = q - ranking.CENTRING * ref.vecs.mean(axis=0)
    small = matcher.scorer.centred(q)
    assert np.allclose(small, expected / np.linalg.norm(expected, axis=1, keepdims=True), atol=1e-5)
    monkeypatch.setattr(ranking, "MIN_REFERENCE", 1)
    expected[:, :2] = 0.0
    got = matcher.scorer.centred(q)
    assert np.allclose(got, expected / np.linalg.norm(expected, axis=1, keepdims=True), atol=1e-5)
    assert not np.allclose(got, small, atol=1e-3)


def test_the_centred_vector_leg_finds_the_rare_theme_among_a_crowd(tmp_path):
    """Thirty teachers write about music and poetry, one about robots. By raw cosine a teacher
    writing about all three is closest to the crowd; centring the query discounts what most
    texts of the index share, so the robots teacher comes first in the vector leg."""
    crowd = [profile(f"m{i:02d}", COUNTRIES[1 + i % 7], "music") for i in range(30)]
    for i, d in enumerate(crowd):
        d["ideas"][0]["text"] = f"A project about music and poetry with pupils, number {i}"
    rare = profile("robots", "RO", "robots")
    asker = profile("asker", "PT", "music")
    asker["ideas"][0]["text"] = "A project about music, poetry and robots with pupils"
    m = Matcher(EmbeddedBackend(tmp_path / "data", ThemeEmbedder.dim), ThemeEmbedder(), candidates=5)
    try:
        m.upsert([Profile.model_validate(d) for d in [*crowd, rare, asker]])
        me = m.record("asker")
        flt = m.hard_filter(me.profile, None)
        raw = [c.id for c in m.backend.vector_search(me.vectors, flt, 5)]
        centred = [c.id for c in m.backend.vector_search(m.scorer.centred(me.vectors), flt, 5)]
        assert "robots" not in raw
        assert centred[0] == "robots"
        m.backend.keyword_search = lambda *a, **kw: []     # the vector leg alone
        assert "robots" in m.candidate_ids(me)
    finally:
        m.close()


def test_a_full_hubness_cache_still_scores_every_candidate(matcher, monkeypatch):
    """When the cache fills while a block is scored, the block's known rows are kept for the call,
    and the cache forgets its oldest teachers, not all of them."""
    monkeypatch.setattr(ranking, "MIN_REFERENCE", 1)
    t = Teachers.from_records(list(matcher.backend.get_many([f"p{i:03d}" for i in range(20)]).values()),
                              ThemeEmbedder.dim)
    expected = matcher.scorer.hubs(t.take(list(range(10))))
    monkeypatch.setattr(ranking, "HUB_CACHE", 12)
    got = matcher.scorer.hubs(t)        # 10 cached, 10 missing: the cache overflows by 8
    for kind in ranking.CACHED:
        assert np.allclose(got[kind][:10], expected[kind]), kind
    assert list(matcher.scorer._hubs) == [f"p{i:03d}" for i in range(8, 20)]


def test_a_small_index_gives_every_teacher_the_typical_hubness(matcher, monkeypatch):
    """Too few reference teachers measure the index's themes, not hubness: every teacher gets the
    mean hubness of the pairs the model was fitted on, so plain similarity decides."""
    t = Teachers.from_records(list(matcher.backend.get_many(["p000", "p001", "p002"]).values()),
                              ThemeEmbedder.dim)
    assert len(matcher.scorer.reference()) < ranking.MIN_REFERENCE
    typical = ranking.typical_hubness(matcher.scorer.model)
    got = matcher.scorer.hubs(t)
    for kind in ("profile", "idea", "interests"):
        assert 0.5 < typical[kind] < 1.0, kind
        assert np.allclose(got[kind], typical[kind]), kind
    feats = pair_features(t, t, got, got)
    lang = feats["profile_lang"]
    assert np.allclose(lang, ranking.typical_lang(matcher.scorer.model)) and 0 < lang[0, 0] < 1
    assert np.allclose(feats["profile_lang_z"], 2 * lang)          # a mean of 0 and a spread of 1
    monkeypatch.setattr(ranking, "MIN_REFERENCE", 1)
    measured = matcher.scorer.hubs(t)
    assert not np.allclose(measured["profile"], typical["profile"])
    feats = pair_features(t, t, measured, measured)
    lang = feats["profile_lang"]
    assert np.allclose(np.diag(lang), 1.0, atol=1e-5) and np.allclose(lang, lang.T, atol=1e-6)
    assert not np.allclose(lang[0, 1:], lang[0, 1])
    mean, sd = measured["lang_mean"], measured["lang_sd"]
    expected = (lang - mean[:, None]) / sd[:, None] + (lang - mean[None, :]) / sd[None, :]
    assert np.allclose(feats["profile_lang_z"], expected) and (sd > 0.01).all()


def test_language_directions_come_from_a_wider_spread_than_the_hubness_reference(matcher, monkeypatch):
    """Language means need more rows than hubness needs teachers: the language directions come
    from `LANG_REFERENCE` teachers, the hubness reference is an even spread of those."""
    from matcher.backends.types import CandidateFilter
    monkeypatch.setattr(ranking, "LANG_REFERENCE", 40)
    monkeypatch.setattr(ranking, "HUB_REFERENCE", 10)
    ids = ranking.spread(matcher.backend.filter_ids(CandidateFilter(open_only=False), 20_000), 40)
    ref = matcher.scorer.reference()
    assert len(ids) == 40 and len(ref) == 10 and ref.ids == ids[::4]
    recs = matcher.backend.get_many(ids)
    space = language_space(Teachers.from_records([recs[i] for i in ids], ThemeEmbedder.dim))
    assert np.allclose(matcher.scorer._space.mean, space.mean)
    assert np.allclose(matcher.scorer._space.basis, space.basis)


def _language_reference(matcher, monkeypatch) -> tuple[list[str], Teachers]:
    """The 40 teachers the language directions and spreads are measured on, with the reference
    drawn (`LANG_REFERENCE` 40, `MIN_REFERENCE` 5)."""
    from matcher.backends.types import CandidateFilter
    monkeypatch.setattr(ranking, "LANG_REFERENCE", 40)
    monkeypatch.setattr(ranking, "MIN_REFERENCE", 5)
    ids = ranking.spread(matcher.backend.filter_ids(CandidateFilter(open_only=False), 20_000), 40)
    matcher.scorer.reference()
    recs = matcher.backend.get_many(ids)
    return ids, Teachers.from_records([recs[i] for i in ids], ThemeEmbedder.dim)


def test_each_teachers_spread_is_measured_on_the_wider_spread(matcher, monkeypatch):
    """`profile_lang_z`'s mean and spread come from every teacher the language directions are
    measured on, not from the hubness reference alone, each teacher's own cosine left out."""
    monkeypatch.setattr(ranking, "HUB_REFERENCE", 10)
    ids, wide = _language_reference(matcher, monkeypatch)
    rows = neutral_profiles(wide, matcher.scorer._space)
    t = wide.take([0, 1, 2])
    measured = matcher.scorer.hubs(t)
    sims = rows[:3] @ rows.T
    for i in range(3):
        own = np.delete(sims[i], i)
        assert abs(measured["lang_mean"][i] - own.mean()) < 1e-5
        assert abs(measured["lang_sd"][i] - own.std()) < 1e-4


def test_a_small_index_is_scored_by_the_small_index_weights(matcher, monkeypatch):
    """Below MIN_REFERENCE the model's `small` weights score the pairs; above it the main ones."""
    t = Teachers.from_records(list(matcher.backend.get_many(["p000", "p001", "p002"]).values()),
                              ThemeEmbedder.dim)
    model = matcher.scorer.model
    assert model.small is not None and len(matcher.scorer.reference()) < ranking.MIN_REFERENCE
    feats, prob = matcher.scorer.score(t, t)
    assert np.allclose(prob, model.small.probability(feats))
    assert not np.allclose(prob, model.probability(feats))
    monkeypatch.setattr(ranking, "MIN_REFERENCE", 1)
    feats, prob = matcher.scorer.score(t, t)
    assert np.allclose(prob, model.probability(feats))


def test_the_small_index_weights_are_fitted_on_the_features_a_small_index_computes(matcher):
    """Training recomputes a pool's features as a small index serves them, value for value."""
    from matcher.evaluation import Query
    from matcher.training import as_in_small_index
    me = matcher.record("p000")
    c = matcher.candidates(me)
    assert len(c.pool) > 1 and len(matcher.scorer.reference()) < ranking.MIN_REFERENCE
    other = learned.Model.from_dict({**matcher.scorer.model.to_dict(),
                                     "hubness": {"profile": 0.3, "idea": 0.2, "interests": 0.1}})
    q = as_in_small_index(Query("p000", {}, c), matcher.scorer.model)
    for name in FEATURES:
        assert np.allclose(q.cands.feats[name], c.feats[name]), name
    moved = as_in_small_index(Query("p000", {}, c), other).cands.feats
    assert not np.allclose(moved["idea_hub"], c.feats["idea_hub"])


def test_each_idea_row_is_read_in_its_own_units(matcher, monkeypatch):
    """`idea_lang_z` is the best pair of idea rows (a profile row where a teacher has none) by
    their language-neutral cosine as z-scores, each row's mean and spread measured on the
    language reference with its own teacher left out; a teacher with two ideas keeps both."""
    from matcher.features import IDEA, PROFILE, topic_rows
    from matcher.neutral import language_neutral
    ids, wide = _language_reference(matcher, monkeypatch)
    space, ref = matcher.scorer._space, neutral_profiles(wide, matcher.scorer._space)
    mine = matcher.backend.get_many(["p012", "p011", "p001", "p000"])
    t = Teachers.from_records([mine[i] for i in ("p012", "p011", "p001", "p000")], ThemeEmbedder.dim)
    assert [int((t.kind[t.owner == i] == IDEA).sum()) for i in range(4)] == [2, 0, 1, 1]
    hubs = matcher.scorer.hubs(t)
    rows = language_neutral(t.vecs, space)
    topic = topic_rows(t)
    assert set(t.kind[topic]) == {IDEA, PROFILE} and (t.owner[topic[t.kind[topic] == PROFILE]] == 1).all()
    for r in topic:
        sims = ref @ rows[r]
        own = ids.index(t.ids[t.owner[r]]) if t.ids[t.owner[r]] in ids else None
        sims = sims if own is None else np.delete(sims, own)
        assert abs(hubs["rows_mean"][r] - sims.mean()) < 1e-5 and abs(hubs["rows_sd"][r] - sims.std()) < 1e-4
    z = pair_features(t, t, hubs, hubs)["idea_lang_z"]
    for i in range(4):
        for j in range(4):
            pairs = [(ra, rb) for ra in topic[t.owner[topic] == i] for rb in topic[t.owner[topic] == j]]
            best = max((rows[a] @ rows[b] - hubs["rows_mean"][a]) / hubs["rows_sd"][a]
                       + (rows[a] @ rows[b] - hubs["rows_mean"][b]) / hubs["rows_sd"][b] for a, b in pairs)
            assert abs(z[i, j] - best) < 1e-3, (i, j)
    again = matcher.scorer.hubs(t)                  # from the cache: the same units
    assert np.allclose(again["rows_mean"][topic], hubs["rows_mean"][topic])


def test_a_slice_of_hubs_is_the_hubs_of_the_slice(matcher, monkeypatch):
    """`take_hubs` gives the teachers at some positions, in any order, what `Scorer.hubs` gives
    them alone: per teacher and per row."""
    from matcher.features import take_hubs
    monkeypatch.setattr(ranking, "MIN_REFERENCE", 5)
    t = Teachers.from_records(list(matcher.backend.get_many([f"p{i:03d}" for i in range(13)]).values()),
                              ThemeEmbedder.dim)
    at = [12, 0, 6, 11]
    got, alone = take_hubs(t, matcher.scorer.hubs(t), at), matcher.scorer.hubs(t.take(at))
    assert set(got) == set(alone) and "rows_sd" in got
    for k in got:
        assert got[k].shape == alone[k].shape and np.allclose(got[k], alone[k], equal_nan=True), k
    feats = pair_features(t.take(at), t, got, matcher.scorer.hubs(t))
    assert np.allclose(feats["idea_lang_z"], pair_features(t, t, *[matcher.scorer.hubs(t)] * 2)["idea_lang_z"][at])
