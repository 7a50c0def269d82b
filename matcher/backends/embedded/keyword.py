"""BM25 keyword index on tantivy, one stemmed field per language, with filters pushed into the query."""
from __future__ import annotations

import contextlib
import functools
import json
import re
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np
import tantivy

from matcher.backends.types import CandidateFilter
from matcher.text import detect_language
from models import Profile

# Languages with a Snowball stemmer in tantivy; every other language is lower-cased only.
STEMMERS = {
    "ar": "arabic", "da": "danish", "de": "german", "el": "greek", "en": "english", "es": "spanish",
    "fi": "finnish", "fr": "french", "hu": "hungarian", "it": "italian", "nl": "dutch",
    "no": "norwegian", "nb": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sv": "swedish", "tr": "turkish",
}
_FIELDS = sorted({f"text_{code}" for code in STEMMERS if code != "nb"}) + ["text_other"]
_WORD = re.compile(r"[^\W_]+")  # what the simple tokenizer keeps: letters and digits


COMMIT_SPACING_S = 0.1   # under concurrent writes, a group commit starts this long after the last
                         # (bench/load.py at 160 req/s: ~1.5 ms less server CPU a request)
MAX_QUERY_WORDS = 32  # 16 is 10% faster but loses BM25 recall on the dev set (docs/quality.md)
LONG_QUERY_WORDS = 12  # from this many words a query is long (a whole profile): see KeywordIndex.search
MAX_DF_SHARE = 0.1    # a long query drops words in more than this share of documents (and in over
MIN_COMMON_DF = 100   # this many), as Lucene's MoreLikeThis does with maxDocFreqPct: at 1M profiles
                      # they take a fifth to a third of a partner query's BM25 time, and quality
                      # holds without them (docs/quality.md, bench/ANALYSIS.md)
ANALYSED_TEXTS = 10_000  # texts whose analysed terms are kept: each arrival scores the newcomer
                         # for every saved search its filters pass, whose texts do not change


def _field_for(lang: str | None) -> str:
    if lang == "nb":
        lang = "no"
    return f"text_{lang}" if lang in STEMMERS else "text_other"


def _texts(p: Profile) -> list[tuple[str, str]]:
    """(field, text) of every text a profile's document holds: each in its language's field and
    again, unstemmed, in `text_all`."""
    out = []
    for idea in p.ideas:
        body = f"{idea.title or ''} {idea.text}"
        out += [(_field_for(idea.lang), body), ("text_all", body)]
    if p.interests:
        # Interests are a few words, too short to detect reliably: use the ideas' language.
        joined = "; ".join(p.interests)
        lang = next((i.lang for i in p.ideas if i.lang), None) or detect_language(joined)
        out += [(_field_for(lang), joined), ("text_all", joined)]
    return out


def _analyzer(field: str) -> tantivy.TextAnalyzer:
    """Simple tokens, long ones dropped, lower-cased, and stemmed where the field's language has a stemmer."""
    b = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(
        tantivy.Filter.remove_long(40)).filter(tantivy.Filter.lowercase())
    lang = STEMMERS.get(field.removeprefix("text_"))
    return (b.filter(tantivy.Filter.stemmer(lang)) if lang else b).build()


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in _FIELDS:
        sb.add_text_field(name, tokenizer_name=name, index_option="freq")
    sb.add_text_field("text_all", tokenizer_name="text_other", index_option="freq")  # every text, unstemmed
    for name in ("country", "school", "stype", "langs", "subjects"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("ages", indexed=True)
    sb.add_integer_field("open", indexed=True)
    return sb.build()


class KeywordIndex:
    """A tantivy index in `path`; writes are committed by `commit()`.

    With `writer=False` it only reads (another process holds the writer) and `refresh()`
    picks up that process's commits.
    """

    def __init__(self, path: Path, writer: bool = True):
        path.mkdir(parents=True, exist_ok=True)
        self.schema = _schema()
        try:
            self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        except ValueError as exc:
            if "schema does not match" not in str(exc) or not writer:
                raise
            # A derived index from an older layout: drop it; the store replays every profile.
            shutil.rmtree(path)
            path.mkdir(parents=True)
            self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self.analyzers = {name: _analyzer(name) for name in _FIELDS}
        self.analyzers["text_all"] = self.analyzers["text_other"]
        self._analysed = functools.lru_cache(maxsize=ANALYSED_TEXTS)(self._analyse)
        for name in _FIELDS:
            self.index.register_tokenizer(name, self.analyzers[name])
        self._writer = None
        if writer:
            try:
                self._writer = self.index.writer(heap_size=64_000_000, num_threads=1)
            except ValueError as exc:  # tantivy allows one writer per directory
                from matcher.errors import DirectoryInUse
                raise DirectoryInUse(f"the data directory {path.parent} is in use by another "
                                     "twinmatch process (is `twinmatch serve` running?)") from exc
        self._lock = threading.Lock()         # the tantivy writer: one call at a time
        self._commit_lock = threading.Lock()  # one group commit at a time
        self._queue: list[tuple[list[Profile], list[str], int]] = []
        self._submitted = self._committed = 0
        self._incoming = 0                    # writes on their way to submit() (see arriving)
        self._arrived = threading.Lock()
        self._last_commit = 0.0               # time.monotonic() when the last group commit ended
        self._last_batch = 0                  # writes that commit carried
        self.committed_seq = 0                # the store's seq of the last change committed
        self.index.reload()

    # -- group commit --------------------------------------------------------------------------
    # A tantivy commit costs 25-45 ms here and nothing can be added while it runs. Writers
    # queue their changes (in store order) and wait: the first to reach the commit lock writes
    # and commits every queued change at once, and the others find theirs already committed.
    # A write is searchable when its call returns, and commits do not cap the write rate.
    # A commit of one profile still costs 9-14 ms of CPU with its merge thread, and under a
    # stream of API writes each commit would carry about one. So while writes are concurrent (one
    # is on its way to submit() or queued after this one, or the last commit carried several),
    # a commit starts no sooner than COMMIT_SPACING_S after the last one, and the writes
    # arriving meanwhile join it. A lone writer (`twinmatch index`, batch after batch) never waits.

    @contextlib.contextmanager
    def arriving(self):
        """Around a write's path to submit(), so a commit knows other writes are coming."""
        with self._arrived:
            self._incoming += 1
        try:
            yield
        finally:
            with self._arrived:
                self._incoming -= 1

    def submit(self, adds: list[Profile], removes: list[str], seq: int) -> int:
        """Queue changes (callers submit in their store's order); returns a ticket for `wait`."""
        with self._lock:
            self._queue.append((adds, removes, seq))
            self._submitted += 1
            return self._submitted

    def wait(self, ticket: int) -> None:
        """Return once the changes behind `ticket` are committed and searchable."""
        with self._commit_lock:
            if self._committed >= ticket:
                return
            if self._incoming or self._submitted > ticket or self._last_batch > 1:
                gap = COMMIT_SPACING_S - (time.monotonic() - self._last_commit)
                if gap > 0:
                    time.sleep(gap)
            with self._lock:
                batch, self._queue, upto = self._queue, [], self._submitted
                for adds, removes, _ in batch:
                    for pid in removes:
                        self._writer.delete_documents_by_term("id", pid)
                    for p in adds:
                        self._replace(p)
                self._writer.commit()
            self.index.reload()
            self._last_commit, self._last_batch = time.monotonic(), upto - self._committed
            self._committed = upto
            if batch:
                self.committed_seq = batch[-1][2]

    def refresh(self) -> None:
        """See the latest commit (a reader following another process's writer)."""
        self.index.reload()

    def flush(self) -> None:
        """Commit whatever is queued."""
        self.wait(self._submitted)

    def add(self, p: Profile) -> None:
        """Replace the document of `p` now (committed by the next `commit()`; recovery only)."""
        with self._lock:
            self._replace(p)

    def _replace(self, p: Profile) -> None:
        """Delete `p`'s old document and add its new one; the caller holds `_lock`."""
        self._writer.delete_documents_by_term("id", p.id)
        self._writer.add_document(self._document(p))

    @staticmethod
    def _document(p: Profile) -> tantivy.Document:
        doc = tantivy.Document(id=p.id, country=p.school.country, school=p.school.id,
                               stype=p.school.type, open=int(p.open_to_partners))
        for code in p.languages:
            doc.add_text("langs", code)
        for s in p.subjects:
            doc.add_text("subjects", s)
        for age in sorted({a for r in p.age_groups for a in range(r.from_, r.to + 1)}):
            doc.add_integer("ages", age)
        for field, body in _texts(p):
            doc.add_text(field, body)
        return doc

    def clear(self) -> None:
        """Delete every document (committed by the next `commit()`; recovery only)."""
        with self._lock:
            self._writer.delete_all_documents()

    def remove(self, profile_id: str) -> None:
        with self._lock:
            self._writer.delete_documents_by_term("id", profile_id)

    def commit(self) -> None:
        with self._lock:
            self._writer.commit()
        self.index.reload()

    def _filter(self, flt: CandidateFilter) -> list[tuple]:
        s, Q, O = self.schema, tantivy.Query, tantivy.Occur
        clauses = []
        if flt.open_only:
            clauses.append((O.Must, Q.term_query(s, "open", 1)))
        for field, values in (("country", flt.countries), ("langs", flt.languages),
                              ("subjects", flt.subjects), ("stype", flt.school_types)):
            if values is not None:
                clauses.append((O.Must, Q.term_set_query(s, field, list(values)) if values
                                else Q.empty_query()))
        if flt.ages is not None:
            ranges = [(O.Should, Q.range_query(s, "ages", tantivy.FieldType.Integer, a.from_, a.to))
                      for a in flt.ages]
            clauses.append((O.Must, Q.boolean_query(ranges) if ranges else Q.empty_query()))
        for field, values in (("country", flt.exclude_countries), ("school", flt.exclude_schools),
                              ("id", flt.exclude_ids)):
            if values:
                clauses.append((O.MustNot, Q.term_set_query(s, field, list(values))))
        # Filters must not add to BM25: wrap them in a zero constant score.
        return [(occur, q if occur == O.MustNot else Q.const_score_query(q, 0.0))
                for occur, q in clauses]

    def _terms(self, text: str, lang: str | None = None,
               only: set[str] | None = None) -> tuple[list[tuple[str, str]], bool]:
        """The (field, term) pairs a query for `text` asks for (in the fields of `only`, when
        given), and whether it is a long one."""
        by_field, long_query = self._analysed(text, lang)
        fields = by_field if only is None else [f for f in by_field if f in only]
        return [(field, term) for field in fields for term in by_field[field]], long_query

    def _analyse(self, text: str, lang: str | None) -> tuple[dict[str, tuple[str, ...]], bool]:
        """Each field's terms for `text`, and whether it is a long query (`_terms` keeps the
        last `ANALYSED_TEXTS`; interned terms keep an entry near 3 kB)."""
        words = list(dict.fromkeys(_WORD.findall(text.lower())))
        if len(words) > MAX_QUERY_WORDS:  # a whole profile: its longest words carry its topic
            words = sorted(words, key=len, reverse=True)[:MAX_QUERY_WORDS]
        # Analyse the query only with its own language's stemmer (and the unstemmed field):
        # running every analyzer over a whole profile's text multiplies terms for no recall.
        # A short query searches every language's field, so 'recycled' meets 'recycling' under
        # the English stemmer whatever language the query is in. A long one (a whole profile)
        # would multiply terms by fields: it searches its own language's field and the
        # unstemmed field of every text, which still matches if detection picked wrongly.
        long_query = len(words) >= LONG_QUERY_WORDS
        if long_query:
            fields = sorted({_field_for(lang or detect_language(text)), "text_all"} - {"text_other"})
        else:
            fields = _FIELDS
        return {field: tuple(sys.intern(t) for word in words for t in self.analyzers[field].analyze(word))
                for field in fields}, long_query

    @staticmethod
    def _kept(searcher, terms: list[tuple[str, str]], long_query: bool) -> list[tuple[str, str]]:
        """The terms a query for `terms` keeps: a long one leaves out words nearly every profile
        uses ('students', 'project'), which carry little of the topic but have the longest
        posting lists, unless it has no other."""
        if not long_query:
            return terms
        cap = max(MAX_DF_SHARE * searcher.num_docs, MIN_COMMON_DF)
        return [t for t in terms if searcher.doc_freq(*t) <= cap] or terms

    def _union(self, terms: list[tuple[str, str]]) -> tantivy.Query:
        """One flat OR of term queries: the same terms and scores the query parser's nested
        per-word clauses give; tantivy prunes a flat union of terms (block-max WAND), which makes
        a whole-profile query ~1.7x faster (tests/backends/test_keyword.py pins equality)."""
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, field, term)) for field, term in terms])

    def _query(self, searcher, terms: list[tuple[str, str]], long_query: bool):
        """The query `search` runs for the terms `_terms` gives a text, and the terms it keeps;
        None without a term."""
        terms = self._kept(searcher, terms, long_query)
        return (self._union(terms) if terms else None), terms

    def scores(self, texts: list[str], p: Profile, langs: list[str | None] | None = None) -> list[float]:
        """Profile `p`'s BM25 for each text (in its language of `langs`), as `search` scores it;
        0 where they share no term.
        A flat OR of terms scores a document with the sum of its terms' BM25, each independent of
        the others, so each term `p` shares with any text is scored once, in one `explain` of
        their union for `p`'s document, and each text sums its own: one tantivy call for all
        the texts (42 saved-search texts on the 1M benchmark index: ~0.9 ms, where a search a
        text takes ~4). Where the stored document lacks one of `p`'s terms (it changed since),
        each text is searched for alone."""
        have: set[tuple[str, str]] = set()
        for field, body in _texts(p):
            have.update((field, t) for t in self.analyzers[field].analyze(body))
        fields = {f for f, _ in have}
        searcher = self.index.searcher()
        wanted: list[list[tuple[str, str]]] = []
        for text, lang in zip(texts, langs or [None] * len(texts)):
            terms, long_query = self._terms(text, lang, only=fields)
            shares = any(t in have for t in terms)
            wanted.append([t for t in self._kept(searcher, terms, long_query) if t in have] if shares else [])
        per = self._term_scores(searcher, p.id, sorted({t for w in wanted for t in w}))
        if per is None:
            return self._scores_one_by_one(searcher, texts, p.id, langs, fields)
        return [float(sum((per[t] for t in w), np.float32(0.0))) for w in wanted]    # in float32, as tantivy adds

    def _term_scores(self, searcher, pid: str, terms: list[tuple[str, str]]) -> dict | None:
        """Each term's BM25 for document `pid`, from one explanation of their union (which
        lists the matching clauses in order); None where a term is not in the document."""
        if not terms:
            return {}
        hit = searcher.search(tantivy.Query.term_query(self.schema, "id", pid), limit=1, count=False).hits
        if not hit:
            return {t: 0.0 for t in terms}
        try:
            got = json.loads(self._union(terms).explain(searcher, hit[0][1]).to_json())
        except ValueError:      # the document has none of them
            return None
        parts = got["details"] if got.get("description", "").startswith("BooleanClause") else [got]
        if len(parts) != len(terms):
            return None
        return {t: np.float32(d["value"]) for t, d in zip(terms, parts)}

    def _scores_one_by_one(self, searcher, texts: list[str], pid: str, langs: list[str | None] | None,
                           fields: set[str]) -> list[float]:
        """`scores` as one search per text, limited to `pid`'s document."""
        only = tantivy.Query.const_score_query(tantivy.Query.term_query(self.schema, "id", pid), 0.0)
        out = []
        for text, lang in zip(texts, langs or [None] * len(texts)):
            query, _ = self._query(searcher, *self._terms(text, lang, only=fields))
            hits = [] if query is None else searcher.search(tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), (tantivy.Occur.Must, only)]), limit=1, count=False).hits
            out.append(float(hits[0][0]) if hits else 0.0)
        return out

    def search(self, text: str, flt: CandidateFilter, k: int, lang: str | None = None) -> list[tuple[str, float]]:
        """Top-k (profile id, BM25) for `text` among profiles that pass `flt`."""
        searcher = self.index.searcher()
        query, _ = self._query(searcher, *self._terms(text, lang))
        if query is None:
            return []
        filters = self._filter(flt)
        full = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), *filters]) if filters else query
        hits = searcher.search(full, limit=k, count=False).hits
        return [(searcher.doc(addr)["id"][0], float(score)) for score, addr in hits]

    def count(self) -> int:
        return self.index.searcher().num_docs

    def close(self) -> None:
        """Commit what is queued and release the directory's writer lock."""
        if self._writer is not None:
            self.flush()
        with self._lock:
            if self._writer is not None:
                self._writer.wait_merging_threads()
                self._writer = None
