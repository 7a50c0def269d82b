"""Pure OpenSearch request builders for the profiles index: mapping, filters, queries, documents.

No I/O here, so every body is pinned by golden-JSON tests (tests/backends/golden/).

Representation: ONE document per profile, its unit vectors in a `nested` field `units`
(each `{name, vector}`). Alternatives we rejected:
  * one child document per unit, collapsed per profile: `k` would count units, not profiles,
    so a profile with 20 ideas could crowd out everyone else unless we over-fetch; filters
    and deletes would have to touch every child; `get` would need a second query.
  * msearch with one request per query row: N round trips' worth of work for what a single
    `dis_max` does in one request.
The k-NN plugin's nested search (Lucene and Faiss HNSW) scores a parent by its nearest nested
vector and counts `k` in parents: exactly "max over units". Several query rows are wrapped
in `dis_max` (tie_breaker 0), so a profile's score is the max over query rows as well.
Filters reference top-level fields only, which nested k-NN applies as a pre-filter (see
knn_filter for the clause that keeps them on the profile documents).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable

import numpy as np

from matcher.backends.types import CandidateFilter, Record
from matcher.text import detect_language
from models import Profile

# ISO 639-1 code -> OpenSearch's built-in language analyzer. Languages without one (Polish,
# Slovenian, Croatian, Ukrainian...) are indexed under `text_other` with `standard`.
ANALYZERS: dict[str, str] = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "bn": "bengali", "bg": "bulgarian",
    "ca": "catalan", "cs": "czech", "da": "danish", "nl": "dutch", "en": "english",
    "et": "estonian", "fi": "finnish", "fr": "french", "gl": "galician", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lv": "latvian", "lt": "lithuanian", "no": "norwegian", "fa": "persian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "es": "spanish", "sv": "swedish",
    "tr": "turkish", "th": "thai", "zh": "cjk", "ja": "cjk", "ko": "cjk",
}
_ALIASES = {"nb": "no", "nn": "no"}  # Norwegian Bokmål and Nynorsk share the analyzer

# Lucene counts fields x terms of a query against `indices.query.bool.max_clause_count`
# (default 1024); keep a margin for the filter clauses.
CLAUSE_BUDGET = 900
MAX_TERMS = 256            # the embedded backend's cap on query words too
MAX_WINDOW = 10_000        # index.max_result_window: the deepest `size` a plain search allows
_WORD = re.compile(r"\w+", re.UNICODE)


def text_field(lang: str | None, analyzers: dict[str, str] = ANALYZERS) -> str:
    """The field an idea in `lang` is indexed under."""
    lang = _ALIASES.get(lang or "", lang)
    return f"text_{lang}" if lang in analyzers else "text_other"


def text_fields(analyzers: dict[str, str] = ANALYZERS) -> list[str]:
    return sorted({text_field(code, analyzers) for code in analyzers}) + ["text_other"]


def mapping(dim: int, analyzers: dict[str, str] = ANALYZERS) -> dict:
    """Settings and mappings of a profiles index holding `dim`-dimensional unit vectors.

    `analyzers` can be narrowed (e.g. for a test server that implements only some analyzers);
    ideas in languages left out fall back to `text_other`.
    """
    texts = {name: {"type": "text", "analyzer": analyzers[name[5:]]}
             for name in text_fields(analyzers) if name != "text_other"}
    keyword = {"type": "keyword"}
    return {
        "settings": {"index": {
            "knn": True,
            # One shard holds ~1M profiles x a few units comfortably; more shards would apply
            # `k` per shard and only add merge work at this size.
            "number_of_shards": 1,
        }},
        "mappings": {
            "dynamic": "strict",
            "_meta": {"twinmatch_schema": 1, "dim": dim},
            "properties": {
                "id": keyword, "country": keyword, "school_id": keyword, "school_type": keyword,
                "subjects": keyword, "languages": keyword,
                "ages": {"type": "integer_range"},      # overlap = range query, relation intersects
                "open_to_partners": {"type": "boolean"},
                "last_active": {"type": "date", "format": "strict_date"},
                "indexed_at": {"type": "date", "format": "epoch_millis"},  # reindex catch-up
                **texts,
                "text_other": {"type": "text", "analyzer": "standard"},
                # Every text again, unstemmed: long queries search this field instead of all
                # language fields (see bm25_query).
                "text_all": {"type": "text", "analyzer": "standard"},
                # The canonical profile, returned verbatim by `get`; never searched.
                "profile": {"type": "object", "enabled": False},
                "units": {"type": "nested", "properties": {
                    "name": {"type": "keyword", "index": False},
                    "vector": {
                        "type": "knn_vector", "dimension": dim,
                        # Lucene HNSW: it picks exact search or filtered HNSW per query from
                        # the filter's selectivity (efficient filtering with no tuning) and
                        # supports nested vectors. Its vectors and graphs are index files read
                        # through the page cache, not the JVM heap (docs/opensearch.md, Sizing).
                        # It is the recommended engine below ~10M vectors; we expect ~1M
                        # profiles x ~3 units. Faiss would pay off beyond that.
                        "method": {"name": "hnsw", "engine": "lucene", "space_type": "cosinesimil",
                                   "parameters": {"m": 16, "ef_construction": 128}},
                    },
                }},
            },
        },
    }


# The profile fields a filter reads (filter_clause), mapped as in the profiles index.
FILTER_FIELDS = {"id": {"type": "keyword"}, "country": {"type": "keyword"}, "school_id": {"type": "keyword"},
                 "school_type": {"type": "keyword"}, "subjects": {"type": "keyword"},
                 "languages": {"type": "keyword"}, "ages": {"type": "integer_range"},
                 "open_to_partners": {"type": "boolean"}}


def standing_mapping() -> dict:
    """The percolator index of standing filters: each document holds one filter as a query."""
    return {"settings": {"index": {"number_of_shards": 1}},
            "mappings": {"dynamic": "strict", "properties": {
                **FILTER_FIELDS, "key": {"type": "keyword"}, "open_only": {"type": "boolean"},
                "query": {"type": "percolator"}}}}


def standing_doc(key: str, flt: CandidateFilter) -> dict:
    """A standing filter as stored: its `open_only` beside the query rather than in it, so the
    percolator's pre-selection indexes the selective terms (country, subject, ...), not a term
    every profile has."""
    return {"key": key, "open_only": flt.open_only, "query": filter_clause(replace(flt, open_only=False))}


def percolate_query(record: Record) -> dict:
    """The standing filters `record` passes: its filter fields percolated, and the filters that
    ask for open profiles left out when it is not open."""
    full = doc(record)
    query: dict = {"percolate": {"field": "query", "document": {name: full[name] for name in FILTER_FIELDS}}}
    if record.profile.open_to_partners:
        return query
    return {"bool": {"must": [query], "filter": [{"term": {"open_only": False}}]}}


def filter_clause(flt: CandidateFilter) -> dict:
    """The bool filter equivalent to `CandidateFilter.accepts` (the reference semantics)."""
    must: list[dict] = []
    must_not: list[dict] = []
    if flt.open_only:
        must.append({"term": {"open_to_partners": True}})
    for field, values in (("country", flt.countries), ("languages", flt.languages),
                          ("subjects", flt.subjects), ("school_type", flt.school_types)):
        if values is not None:
            # An empty allow-list accepts nobody, as in `accepts`.
            must.append({"terms": {field: sorted(set(values))}} if values else {"match_none": {}})
    if flt.ages is not None:
        must.append({"bool": {"should": [
            {"range": {"ages": {"gte": a.from_, "lte": a.to, "relation": "intersects"}}}
            for a in flt.ages], "minimum_should_match": 1}} if flt.ages else {"match_none": {}})
    for field, values in (("country", flt.exclude_countries), ("school_id", flt.exclude_schools),
                          ("id", flt.exclude_ids)):
        if values:
            must_not.append({"terms": {field: sorted(set(values))}})
    out: dict = {"filter": must}
    if must_not:
        out["must_not"] = must_not
    return {"bool": out}


# The k-NN plugin before 3.5 decides whether a nested knn filter selects profiles (and joins it
# down to their unit documents) or the unit documents themselves, by asking whether the query
# "might match nested documents". Term and terms queries on top-level fields say no; a bool of
# must_not clauses only (an implicit match_all) and range queries on range fields say yes, so
# such filters ran against the units: exclusions were ignored and an ages filter matched nobody.
# A required terms clause that every profile passes anchors any shape to the profiles.
# (A `terms` query on the boolean field does not qualify; two `term` queries do.)
PROFILE_ANCHOR = {"bool": {"should": [{"term": {"open_to_partners": True}},
                                      {"term": {"open_to_partners": False}}],
                           "minimum_should_match": 1}}


def knn_filter(flt: CandidateFilter) -> dict:
    """`filter_clause(flt)` for a nested knn query: always anchored to the profile documents."""
    out = filter_clause(flt)
    if not flt.open_only:  # the open_to_partners term anchors it already
        out["bool"]["filter"].append(PROFILE_ANCHOR)
    return out


def cos_from_score(score: float) -> float:
    """Invert the k-NN plugin's cosinesimil score, (2 - (1 - cos)) / 2 = (1 + cos) / 2."""
    return 2.0 * float(score) - 1.0


def knn_query(vectors: np.ndarray, flt: CandidateFilter, k: int) -> dict:
    """Top-`k` profiles by max cosine over query rows and units; the filter sits INSIDE each
    knn clause (efficient filtering), never in post_filter, so `k` results survive it."""
    k = max(1, min(int(k), MAX_WINDOW))
    rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    f = knn_filter(flt)
    clauses = [{"nested": {"path": "units", "score_mode": "max", "query": {"knn": {"units.vector": {
        "vector": [float(x) for x in row], "k": k, "filter": f}}}}} for row in rows]
    return {"size": k, "_source": False, "track_total_hits": False,
            "query": {"dis_max": {"tie_breaker": 0.0, "queries": clauses}}}


def query_terms(text: str) -> list[str]:
    """Distinct lower-cased words, first MAX_TERMS: the server analyses each per field."""
    return list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))[:MAX_TERMS]


def bm25_query(text: str, flt: CandidateFilter, k: int, langs: Iterable[str] = (),
               analyzers: dict[str, str] = ANALYZERS) -> dict | None:
    """BM25 over idea and interest texts, the filter as a non-scoring clause; None if no words.

    A short query searches every language field, so 'recycled' meets 'recycling' under the
    English stemmer whatever language the query is in. A long one (a whole profile) would
    exceed the clause budget that way, so it searches `text_all` plus the fields of `langs`
    (the languages detected in the query).
    """
    terms = query_terms(text)
    if not terms:
        return None
    fields = text_fields(analyzers)
    if len(terms) * len(fields) > CLAUSE_BUDGET:
        fields = sorted({text_field(code, analyzers) for code in langs} - {"text_other"}) + ["text_all"]
        terms = terms[: CLAUSE_BUDGET // len(fields)]
    k = max(1, min(int(k), MAX_WINDOW))
    return {"size": k, "_source": False, "track_total_hits": False,
            "query": {"bool": {
                "must": [{"multi_match": {"query": " ".join(terms), "fields": fields,
                                          "type": "most_fields"}}],
                "filter": [filter_clause(flt)]}}}


def filter_query(flt: CandidateFilter, k: int) -> dict:
    """Ids passing the filter, most recently active first (profiles never active last)."""
    return {"size": max(0, min(int(k), MAX_WINDOW)), "_source": False, "track_total_hits": False,
            "query": {"constant_score": {"filter": filter_clause(flt)}},
            "sort": [{"last_active": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]}


def doc(record: Record, indexed_at: int = 0, analyzers: dict[str, str] = ANALYZERS) -> dict:
    """The document stored for `record`; contact counters live in a separate index."""
    p = record.profile
    texts: dict[str, list[str]] = {}
    for idea in p.ideas:
        texts.setdefault(text_field(idea.lang, analyzers), []).append(
            f"{idea.title or ''} {idea.text}".strip())
    if p.interests:
        joined = "; ".join(p.interests)
        # Interests carry no language of their own; detect it as the embedded backend does.
        texts.setdefault(text_field(detect_language(joined), analyzers), []).append(joined)
    out = {
        "id": p.id, "country": p.school.country, "school_id": p.school.id,
        "school_type": p.school.type, "subjects": list(p.subjects), "languages": list(p.languages),
        "ages": [{"gte": a.from_, "lte": a.to} for a in p.age_groups],
        "open_to_partners": p.open_to_partners, "indexed_at": int(indexed_at),
        **{field: "\n".join(parts) for field, parts in sorted(texts.items())},
        "text_all": "\n".join(t for parts in texts.values() for t in parts),
        "profile": p.model_dump(mode="json", by_alias=True),
        "units": [{"name": name, "vector": [float(x) for x in vec]}
                  for name, vec in zip(record.units, np.asarray(record.vectors, dtype=np.float32))],
    }
    if p.last_active:
        out["last_active"] = p.last_active.isoformat()
    return out


def record(source: dict, dim: int, received: int = 0, answered: int = 0) -> Record:
    """Rebuild a Record from a stored document's `_source`."""
    units = source.get("units") or []
    vecs = (np.array([u["vector"] for u in units], dtype=np.float32) if units
            else np.zeros((0, dim), dtype=np.float32))
    return Record(Profile.model_validate(source["profile"]), vecs, [u["name"] for u in units],
                  received, answered)
