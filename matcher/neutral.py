"""Language-neutral rows: the directions an index's languages pull e5's rows along, taken out.

A text's language moves its row along directions of its own, so a plain cosine rewards two texts
for sharing a language as it does for sharing a topic (docs/quality.md, Language directions).
`language_space` measures those directions on a reference of the index's teachers;
`language_neutral` takes them out of any row, and `neutral_spread` gives how widely a teacher's
language-neutral cosines to that reference spread, which the partner model's `profile_lang_z`
divides by.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.features import PROFILE, Teachers, own_columns
from models.languages import INDEX as LANG_INDEX

# A language's mean row is pulled towards the mean of every reference row, as if LANG_PRIOR more
# rows at that overall mean were written in it: a language few reference teachers write in has a
# noisy mean (docs/quality.md, Language directions).
LANG_PRIOR = 3
# The share of the directions along which the reference's languages' mean rows differ that
# `language_neutral` takes out. The spread of those means falls off slowly (no direction is only
# language), so taking them all out takes topics with them; of 0.4, 0.5 and 0.6 of them, half
# gives the highest nDCG@10 on both dev sets under cross-validation (docs/quality.md).
LANG_DIRECTIONS = 0.5


def language_means(ref: Teachers) -> np.ndarray:
    """(languages + 1, dim) the mean profile row of the reference teachers writing in each
    language (`lang_code`), shrunk towards the mean of all of them by LANG_PRIOR; the last row,
    which an unknown language (-1) indexes, is that overall mean."""
    r = np.flatnonzero(ref.kind == PROFILE)
    rows, lang = ref.vecs[r].astype(np.float64), ref.tlang[ref.owner[r]]
    overall = rows.mean(axis=0) if len(rows) else np.zeros(ref.vecs.shape[1])
    sums = np.zeros((len(LANG_INDEX) + 1, ref.vecs.shape[1]))
    counts = np.zeros(len(LANG_INDEX) + 1)
    np.add.at(sums, lang, rows)
    np.add.at(counts, lang, 1.0)
    means = (sums + LANG_PRIOR * overall) / (counts[:, None] + LANG_PRIOR)
    means[-1] = overall
    return means.astype(np.float32)


@dataclass(frozen=True)
class LanguageSpace:
    """What `language_neutral` takes out of a row: the reference's mean profile row, and the
    directions along which its languages' mean rows differ most (orthonormal rows)."""
    mean: np.ndarray      # (dim,)
    basis: np.ndarray     # (directions, dim)


def language_space(ref: Teachers) -> LanguageSpace:
    """The reference's mean profile row, and LANG_DIRECTIONS of the principal directions of its
    languages' mean rows (`language_means`, of the languages someone in it writes in) about that
    mean. A language moves every one of its texts along directions of its own in e5's space: on
    projects-dev it accounts for 0.6-0.8 of the spread along four of the first five principal
    directions of the profile rows."""
    means = language_means(ref).astype(np.float64)
    written = np.unique(ref.tlang[ref.owner[ref.kind == PROFILE]])
    gaps = means[written[written >= 0]] - means[-1]
    keep = int(len(gaps) * LANG_DIRECTIONS)
    basis = np.linalg.svd(gaps, full_matrices=False)[2][:keep] if keep else np.zeros((0, means.shape[1]))
    return LanguageSpace(means[-1].astype(np.float32), basis.astype(np.float32))


def without_directions(rows: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """`rows` with their components along the orthonormal rows of `basis` taken out."""
    return rows - (rows @ basis.T) @ basis


def language_neutral(rows: np.ndarray, space: LanguageSpace) -> np.ndarray:
    """(n, dim) rows less the reference's mean row, with the language directions of `space`
    projected out, normalised. Two such rows agree on what two texts say, with the pull of the
    languages they are written in taken out. It needs no text's language: a title too short to
    detect it in, or a profile written in two languages, loses the same directions."""
    z = without_directions(np.asarray(rows, np.float32).reshape(-1, space.mean.shape[0]) - space.mean, space.basis)
    return (z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-9)).astype(np.float32)


def neutral_profiles(t: Teachers, space: LanguageSpace) -> np.ndarray:
    """(len(t), dim) each teacher's profile row made `language_neutral`; zeros for a teacher
    without rows."""
    out = np.zeros((len(t), space.mean.shape[0]), np.float32)
    r = np.flatnonzero(t.kind == PROFILE)
    out[t.owner[r]] = language_neutral(t.vecs[r], space)
    return out


@dataclass(frozen=True)
class SpreadReference:
    """What `neutral_spread` needs of a reference's language-neutral profile rows: their count,
    sum and Gram matrix, and each teacher's own row, to leave it out of its own spread."""
    count: int
    total: np.ndarray     # (dim,) float64
    gram: np.ndarray      # (dim, dim), summed in float64, kept in float32 (a third of the time)
    rows: np.ndarray      # (count, dim)
    ids: list[str]


def spread_reference(rows: np.ndarray, ids: list[str]) -> SpreadReference:
    """The `SpreadReference` of language-neutral profile rows `rows` (teachers `ids`; a teacher
    without rows has a row of zeros and is left out)."""
    rows = np.asarray(rows, np.float32)
    have = np.flatnonzero(np.abs(rows).sum(axis=1) > 0)
    rows, ids = rows[have], [ids[i] for i in have]
    wide = rows.astype(np.float64)
    return SpreadReference(len(rows), wide.sum(axis=0), (wide.T @ wide).astype(np.float32), rows, ids)


def neutral_spread(rows: np.ndarray, ids: list[str], ref: SpreadReference) -> tuple[np.ndarray, np.ndarray]:
    """Per language-neutral profile row of `rows` (teachers `ids`), the mean and the standard
    deviation of its cosine to the reference's rows, its own left out. A cosine of 0.3 says
    little from a teacher whose cosines to everyone spread widely, and much from one whose all
    sit near 0: `profile_lang_z` reads a pair's cosine in each side's own units, as mutual
    proximity does for hubness (Schnitzer et al., 2012). The sum and the sum of squares of a
    row's cosines to all reference rows are its products with the reference's sum and Gram
    matrix, so the cost does not grow with the reference: the whole language reference
    (`ranking.LANG_REFERENCE` teachers) measures it, not the hubness reference's 256."""
    x32 = np.asarray(rows, np.float32)
    x = x32.astype(np.float64)
    own = own_columns(ids, ref.ids)
    inside = np.flatnonzero(own >= 0)
    mine = np.zeros(len(x))
    mine[inside] = np.einsum("ij,ij->i", x[inside], ref.rows[own[inside]].astype(np.float64))
    n = np.maximum(ref.count - (own >= 0), 1)
    mean = (x @ ref.total - mine) / n
    squares = np.einsum("ij,ij->i", x32 @ ref.gram, x32, dtype=np.float64) - mine ** 2
    return mean, np.sqrt(np.maximum(squares / n - mean ** 2, 0.0)) + 1e-6
