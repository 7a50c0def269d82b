"""Language-neutral rows: the language directions, the rows without them, and their spread."""
from __future__ import annotations

import numpy as np

from matcher.features import Teachers, query_teacher
from matcher.neutral import (LANG_DIRECTIONS, LANG_PRIOR, language_means, language_space, neutral_profiles,
                             neutral_spread, spread_reference)


def written_in(rows: np.ndarray, langs: list[int]) -> Teachers:
    """Teachers whose profile rows are `rows`, their texts in the languages `langs` (lang codes)."""
    t = query_teacher(rows)
    t.tlang = np.array(langs, np.int64)
    return t


def test_language_neutral_rows_take_the_pull_of_the_language_out():
    """Reference texts in two languages sit apart along axis 0 (their language) and spread over
    topics along the others. Plainly, a text is nearest to one on another topic in its own
    language; made language-neutral, to one on its topic in the other language, whatever
    language each is labelled with."""
    rng = np.random.default_rng(3)
    ref = rng.normal(0, 0.3, (400, 64))
    langs = [0, 1] * 200
    ref[:, 0] = np.where(np.array(langs) == 0, 1.0, -1.0)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    unit = lambda v: np.asarray(v, np.float32) / np.linalg.norm(v)  # noqa: E731
    text = lambda language, topic: unit([language, topic] + [0] * 62)  # noqa: E731
    me, same_topic, same_language = text(1, 0.6), text(-1, 0.6), text(1, -0.6)
    assert me @ same_language > me @ same_topic
    space = language_space(written_in(ref, langs))
    assert space.basis.shape == (1, 64) and abs(space.basis[0, 0]) > 0.99
    for labels in ([0, 1, 0], [-1, -1, -1]):
        rows = neutral_profiles(written_in(np.stack([me, same_topic, same_language]), labels), space)
        assert rows[0] @ rows[1] > rows[0] @ rows[2]
        assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)


def test_the_space_takes_out_half_the_directions_languages_differ_along():
    """Six languages, each pushed along an axis of its own by a different amount: the three
    pushed furthest are taken out, the other three and every topic axis are kept. Teachers of
    unknown language shape the mean row, not the directions."""
    rng = np.random.default_rng(11)
    rows, langs = [], []
    for lang, push in enumerate([1.0, 0.9, 0.8, 0.3, 0.2, 0.1]):
        r = rng.normal(0, 0.05, (40, 16))
        r[:, lang] += push
        rows.append(r), langs.extend([lang] * 40)
    rows.append(rng.normal(0, 0.05, (5, 16)) + 3 * np.eye(16)[9]), langs.extend([-1] * 5)
    space = language_space(written_in(np.vstack(rows), langs))
    assert space.basis.shape == (int(6 * LANG_DIRECTIONS), 16)
    assert np.allclose(space.basis @ space.basis.T, np.eye(len(space.basis)), atol=1e-5)
    kept = np.linalg.norm(space.basis, axis=0)       # how much of each axis is taken out
    assert (kept[:3] > 0.8).all() and (kept[3:] < 0.5).all()
    assert np.allclose(space.mean, np.vstack(rows).mean(axis=0), atol=1e-5)


def test_a_language_few_teachers_write_in_leans_on_the_overall_mean():
    """A language's mean is shrunk towards the mean of every reference row by LANG_PRIOR rows;
    an unknown language (-1) and one nobody in the reference writes in get that overall mean."""
    rng = np.random.default_rng(5)
    rows = rng.normal(0, 1, (30, 8))
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    langs = [0] * 27 + [1] * 2 + [-1]
    means = language_means(written_in(rows, langs))
    overall = rows.mean(axis=0)
    assert np.allclose(means[-1], overall, atol=1e-6) and np.allclose(means[2], overall, atol=1e-6)
    assert np.allclose(means[1], (rows[27:29].sum(axis=0) + LANG_PRIOR * overall) / (2 + LANG_PRIOR), atol=1e-6)
    assert np.allclose(means[0], (rows[:27].sum(axis=0) + LANG_PRIOR * overall) / (27 + LANG_PRIOR), atol=1e-6)


def test_the_spread_of_a_teachers_neutral_cosines_leaves_its_own_row_out():
    """`neutral_spread` gives each teacher the mean and standard deviation of its language-neutral
    cosines to the reference, its own entry there left out."""
    rng = np.random.default_rng(8)
    ref = written_in(rng.normal(0, 1, (30, 12)), [0, 1, 2] * 10)
    ref.ids = [f"r{i}" for i in range(30)]
    space = language_space(ref)
    t = ref.take([4, 7])
    t.ids = ["r4", "outsider"]
    sims = neutral_profiles(t, space) @ neutral_profiles(ref, space).T
    wide = spread_reference(neutral_profiles(ref, space), ref.ids)
    mean, sd = neutral_spread(neutral_profiles(t, space), t.ids, wide)
    own = np.delete(sims[0], 4)
    assert abs(mean[0] - own.mean()) < 1e-6 and abs(sd[0] - own.std()) < 1e-5
    assert abs(mean[1] - sims[1].mean()) < 1e-6
    assert abs(sd[1] - sims[1].std()) < 1e-5
    assert abs(sims[0, 4] - 1.0) < 1e-5 and sims[0].mean() > mean[0]
