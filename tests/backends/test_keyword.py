"""The keyword index builds its own flat term query: it must score exactly as tantivy's query
parser, less the words a long query leaves out because nearly every profile uses them."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import tantivy

from matcher import text
from matcher.backends.embedded import keyword
from matcher.backends.embedded.keyword import (_FIELDS, _WORD, LONG_QUERY_WORDS, MAX_QUERY_WORDS, KeywordIndex,
                                               _field_for)
from matcher.backends.types import CandidateFilter
from models import Profile

SAMPLE = Path(__file__).resolve().parents[2] / "indexer" / "data" / "sample.jsonl"


def _parsed(ix: KeywordIndex, query: str, k: int, lang: str | None) -> list[tuple[str, float]]:
    """The reference: the same words through tantivy's own query parser (per-word nested clauses)."""
    words = list(dict.fromkeys(_WORD.findall(query.lower())))
    if len(words) > MAX_QUERY_WORDS:
        words = sorted(words, key=len, reverse=True)[:MAX_QUERY_WORDS]
    fields = sorted({_field_for(lang), "text_all"} - {"text_other"}) if len(words) >= LONG_QUERY_WORDS else _FIELDS
    q, _ = ix.index.parse_query_lenient(" ".join(words), fields)
    s = ix.index.searcher()
    return [(s.doc(a)["id"][0], score) for score, a in s.search(q, limit=k).hits]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> tuple[KeywordIndex, list[Profile]]:
    ix = KeywordIndex(tmp_path_factory.mktemp("kw"))
    profiles = [text.annotate_languages(Profile.model_validate(json.loads(line)))
                for line in itertools.islice(SAMPLE.open(encoding="utf-8"), 400)]
    for p in profiles:
        ix.add(p)
    ix.commit()
    yield ix, profiles
    ix.close()


def test_flat_query_ranks_and_scores_as_the_parser(index, monkeypatch):
    monkeypatch.setattr(keyword, "MIN_COMMON_DF", 10**9)   # keep every word, as the parser does
    ix, profiles = index
    queries = [(text.keyword_text(p), text.main_language(p)) for p in profiles[:60]]
    queries += [("recycling plastic waste", None), ("robótica e programação", "pt"), ("music", None)]
    compared = 0
    for query, lang in queries:
        ours = ix.search(query, CandidateFilter(open_only=False), 30, lang)
        ref = _parsed(ix, query, 30, lang)
        assert [pid for pid, _ in ours] == [pid for pid, _ in ref], query[:60]
        assert [s for _, s in ours] == pytest.approx([s for _, s in ref], rel=1e-5)
        compared += bool(ref)
    assert compared >= 50  # the queries really matched documents


def test_a_long_query_leaves_out_words_nearly_every_profile_uses(index, monkeypatch):
    ix, profiles = index
    searcher = ix.index.searcher()
    common = ["the", "and", "will", "with"]   # each in over 100 of the 400 documents, in both fields
    assert all(min(searcher.doc_freq("text_all", w), searcher.doc_freq("text_en", w)) > keyword.MIN_COMMON_DF
               for w in common)
    me = next(p for p in profiles if text.main_language(p) == "en")
    words = [w for w in dict.fromkeys(_WORD.findall(text.keyword_text(me).lower()))
             if len(w) > 4 and searcher.doc_freq("text_all", w) < 40][:16]
    assert len(words) >= LONG_QUERY_WORDS
    query = " ".join(words)
    plain = ix.search(query, CandidateFilter(open_only=False), 30, "en")
    assert plain and ix.search(f"{query} {' '.join(common)}", CandidateFilter(open_only=False), 30, "en") == plain
    # A short query keeps them, and so does a long one when nothing counts as common.
    assert ix.search("the", CandidateFilter(open_only=False), 5, "en")
    monkeypatch.setattr(keyword, "MIN_COMMON_DF", 10**9)
    assert ix.search(f"{query} {' '.join(common)}", CandidateFilter(open_only=False), 30, "en") != plain


def test_filters_still_apply_and_add_nothing_to_the_score(index):
    ix, profiles = index
    me = profiles[0]
    query, lang = text.keyword_text(me), text.main_language(me)
    country = profiles[1].school.country
    flt = CandidateFilter(countries=[country], open_only=False)
    got = ix.search(query, flt, 200, lang)
    unfiltered = dict(ix.search(query, CandidateFilter(open_only=False), 400, lang))
    by_id = {p.id: p for p in profiles}
    assert got and all(by_id[pid].school.country == country for pid, _ in got)
    for pid, score in got:
        assert score == pytest.approx(unfiltered[pid], rel=1e-5)


def test_scores_sum_each_shared_terms_bm25_as_a_search_for_each_text_scores_it(index):
    """One explanation of the shared terms gives every text's BM25 for a document: whole
    profiles (long queries, common words left out), short texts in any language, a word twice."""
    ix, profiles = index
    texts = [text.keyword_text(p) for p in profiles[100:140]]
    langs = [text.main_language(p) for p in profiles[100:140]]
    texts += ["recycling plastic waste", "robótica e programação", "music music", "the", "  ?! ", ""]
    langs += [None] * 6
    compared = 0
    for me in profiles[:40]:
        got = ix.scores(texts, me, langs)
        want = [dict(ix.search(t, CandidateFilter(open_only=False), 400, lang)).get(me.id, 0.0)
                for t, lang in zip(texts, langs)]
        assert got == pytest.approx(want, rel=1e-5), me.id
        searcher = ix.index.searcher()
        fields = {f for f, _ in keyword._texts(me)}
        assert ix._scores_one_by_one(searcher, texts, me.id, langs, fields) == pytest.approx(want, rel=1e-5)
        compared += sum(w > 0 for w in want)
    assert compared >= 200  # the texts really matched documents


def test_scores_fall_back_to_a_search_per_text_when_the_document_lacks_a_term(index):
    """A profile whose stored document differs (a term it no longer has) is scored with one
    search per text: the stored document's BM25."""
    ix, profiles = index
    me = profiles[3]
    changed = me.model_copy(update={"interests": [*me.interests, "zzyzxquux"]})
    texts = [text.keyword_text(p) for p in profiles[200:220]] + ["zzyzxquux recycling"]
    want = [dict(ix.search(t, CandidateFilter(open_only=False), 400, None)).get(me.id, 0.0) for t in texts]
    assert ix.scores(texts, changed) == pytest.approx(want, rel=1e-5)
    assert ix._term_scores(ix.index.searcher(), me.id, [("text_all", "zzyzxquux")]) is None


class _CountingWriter:
    """The tantivy writer, counting commits (its methods cannot be patched)."""

    def __init__(self, writer):
        self.writer, self.commits = writer, 0

    def commit(self):
        self.commits += 1
        return self.writer.commit()

    def __getattr__(self, name):
        return getattr(self.writer, name)


def test_a_lone_writer_never_waits_and_concurrent_writes_share_a_commit(tmp_path, monkeypatch):
    ix = KeywordIndex(tmp_path / "kw")
    ix._writer = counting = _CountingWriter(ix._writer)
    slept: list[float] = []
    monkeypatch.setattr(keyword.time, "sleep", slept.append)
    profiles = [Profile.model_validate(json.loads(line)) for line in itertools.islice(SAMPLE.open(encoding="utf-8"), 5)]

    for seq, p in enumerate(profiles[:3], 1):   # one write after another: each commits at once
        ix.wait(ix.submit([p], [], seq))
    assert (slept, counting.commits) == ([], 3)

    first = ix.submit([profiles[3]], [], 4)     # a second write queued behind the first:
    ix.submit([profiles[4]], [], 5)             # the commit waits out the spacing and takes both
    ix.wait(first)
    assert len(slept) == 1 and 0 < slept[0] <= keyword.COMMIT_SPACING_S
    assert counting.commits == 4 and ix.committed_seq == 5
    assert ix.count() == 5                      # both searchable once the first write returned
    ix.close()
