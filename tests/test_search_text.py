"""A search text against profiles: its language-neutral cosine and the search model's small-index part."""
from __future__ import annotations

import numpy as np
import pytest

from matcher import model as learned
from matcher import ranking, search
from matcher.backends.types import CandidateFilter
from matcher.evaluation import Query
from matcher.features import SEARCH_FEATURES
from matcher.neutral import LanguageSpace, language_neutral, language_space, neutral_profiles
from tests.test_features import matcher  # noqa: F401  (the fixture)
from tests.test_neutral import written_in


def test_a_text_agrees_with_its_topic_across_languages_not_with_its_language():
    """Reference profiles in two languages sit apart along axis 0 and spread over topics along
    the others. A text in language 1 is plainly nearest to a profile on another topic in its
    own language; text and profile rows made language-neutral, nearest to the one on its
    topic in the other language."""
    rng = np.random.default_rng(7)
    unit = lambda v: np.asarray(v, np.float32) / np.linalg.norm(v)  # noqa: E731
    text = lambda language, topic: unit([language, *topic])  # noqa: E731
    langs = np.array([0, 1] * 200)
    topics = rng.normal(0, 1, (400, 63))
    topics *= 0.6 / np.linalg.norm(topics, axis=1, keepdims=True)
    ref = np.stack([text(1.0 if lang == 0 else -1.0, t) for lang, t in zip(langs, topics)])
    topic = 0.6 * np.eye(63)[0]
    me, same_topic, same_language = text(-1, topic), text(1, topic), text(-1, -topic)
    assert me @ same_language > me @ same_topic
    space = language_space(written_in(ref, list(langs)))
    rows = neutral_profiles(written_in(np.stack([same_topic, same_language]), [0, 1]), space)
    t = language_neutral(me, space)[0]
    assert t @ rows[0] > t @ rows[1]
    assert np.isclose(np.linalg.norm(t), 1.0, atol=1e-5)


def test_a_text_row_is_the_texts_vector_made_language_neutral(matcher, monkeypatch):  # noqa: F811
    """A text row loses the reference's mean row and its language directions, as profile rows do."""
    monkeypatch.setattr(ranking, "MIN_REFERENCE", 1)
    matcher.scorer.reference()
    mean = matcher.scorer._space.mean        # the fixture's texts are all in one language: two directions
    matcher.scorer._space = LanguageSpace(mean, np.eye(len(mean), dtype=np.float32)[:2])
    raw = matcher.embedder.query("robots at school")
    got = matcher.scorer.text_rows(raw)[0]
    z = raw - mean
    z[:2] = 0.0
    assert np.allclose(got, z / np.linalg.norm(z), atol=1e-5)


def test_text_lang_z_reads_the_cosine_in_the_candidates_units(matcher, monkeypatch):  # noqa: F811
    """`text_lang_z` is the text's language-neutral cosine with a candidate less the candidate's
    mean cosine to the reference, over their spread: the same cosine counts for more from a
    candidate whose cosines to everyone sit close together."""
    monkeypatch.setattr(ranking, "MIN_REFERENCE", 1)
    c = search.candidates(matcher, "robots at school", CandidateFilter())
    hubs = matcher.scorer.hubs(c.pool)
    assert len(c.pool) > 2 and (hubs["lang_sd"] > 0.01).all()
    assert np.allclose(c.feats["text_lang_z"], (c.feats["text_lang"] - hubs["lang_mean"]) / hubs["lang_sd"])


def test_a_small_index_gives_every_text_one_row_and_ranks_with_the_small_part(matcher):  # noqa: F811
    """Below MIN_REFERENCE there are no language means: `text_lang` and `text_lang_z` are the
    same for every candidate, and the search model's small-index weights, fitted without them,
    rank."""
    assert len(matcher.scorer.reference()) < ranking.MIN_REFERENCE
    rows = matcher.scorer.text_rows(np.stack([matcher.embedder.query("robots"), matcher.embedder.query("music")]))
    assert np.allclose(rows[0], rows[1])
    model = learned.load(learned.SEARCH_MODEL_FILE)
    assert model.small is not None and "text_lang_z" in model.features
    c = search.candidates(matcher, "robots", CandidateFilter())
    assert np.allclose(c.feats["text_lang_z"], c.feats["text_lang_z"][0])
    feats = {k: v[None, :] for k, v in c.feats.items()}
    assert np.allclose(c.prob, model.small.probability(feats)[0])
    assert not np.allclose(c.prob, model.probability(feats)[0])
    first = matcher.get(c.pool.ids[int(np.argmax(c.prob))])
    assert any("robots" in idea.text for idea in first.ideas)   # a teacher with the text's topic comes first


def test_the_small_part_is_fitted_on_the_features_a_small_index_computes(matcher):  # noqa: F811
    from matcher.training import search_as_in_small_index
    c = search.candidates(matcher, "music and robots", CandidateFilter())
    assert len(c.pool) > 1 and len(matcher.scorer.reference()) < ranking.MIN_REFERENCE
    q = search_as_in_small_index(Query("?", {}, c), matcher.scorer.model)
    for name in SEARCH_FEATURES:
        assert np.allclose(q.cands.feats[name], c.feats[name]), name
