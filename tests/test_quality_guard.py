"""The quality guard: the shipped ranking on the real-project development set, from stored vectors.

The set and the 2,000-teacher sample ship their vectors (indexer/data/*.emb.npz), so nothing is
encoded. The floors are the figures docs/quality.md gives, less 0.02: a change that costs more,
alone or among the sample, fails here before it ships.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.cli_eval import load_set
from matcher.evaluation import score

DATA = Path(__file__).resolve().parent.parent / "indexer" / "data"
DEV = DATA / "projects-dev"
COMMITTED = {"ndcg@10": 0.875, "xrecall@10": 0.962, "pool_recall": 1.000}
COMMITTED_AMONG_SAMPLE = {"ndcg@10": 0.851, "xrecall@10": 0.936, "pool_recall": 0.998}
SLACK = 0.02


@pytest.fixture(scope="module")
def dev_queries(tmp_path_factory):
    name, queries, _, _, size = load_set(DEV, None, tmp_path_factory.mktemp("quality"), None, [])
    assert size == 305 and len(queries) == 199
    return queries


@pytest.mark.parametrize("metric", sorted(COMMITTED))
def test_full_ranking_holds_its_committed_quality(dev_queries, metric):
    got = score(dev_queries, "full")[metric]
    assert got >= COMMITTED[metric] - SLACK, f"{metric} {got:.3f} < committed {COMMITTED[metric]:.3f} - {SLACK}"


@pytest.fixture(scope="module")
def among_sample(tmp_path_factory):
    name, queries, _, _, size = load_set(DEV, DATA / "sample.jsonl", tmp_path_factory.mktemp("among"), None, [])
    assert size == 2305 and len(queries) == 199
    return queries


@pytest.mark.parametrize("metric", sorted(COMMITTED_AMONG_SAMPLE))
def test_full_ranking_among_the_sample_holds_its_committed_quality(among_sample, metric):
    got = score(among_sample, "full")[metric]
    want = COMMITTED_AMONG_SAMPLE[metric]
    assert got >= want - SLACK, f"{metric} {got:.3f} < committed {want:.3f} - {SLACK}"


def test_full_ranking_beats_the_plain_fusion(dev_queries):
    full, weighted, vector = (score(dev_queries, m)["ndcg@10"] for m in ("full", "weighted", "vector"))
    assert full >= 1.15 * max(weighted, vector)


# A registered teacher searching their own title, and the same title from a teacher who is not
# in the index (the widget's visitors), whose results the search model alone orders.
SEARCH_COMMITTED = {("title", "recall@10"): 0.938, ("title", "mrr"): 0.858,
                    ("title-unindexed", "recall@10"): 0.313, ("title-unindexed", "mrr"): 0.223}


@pytest.fixture(scope="module")
def searches(tmp_path_factory):
    _, _, found, _, _ = load_set(DEV, None, tmp_path_factory.mktemp("search"), None, ["title", "title-unindexed"])
    return found


@pytest.mark.parametrize("field,metric", sorted(SEARCH_COMMITTED))
def test_search_holds_its_committed_quality(searches, field, metric):
    got, want = score(searches[field], "search")[metric], SEARCH_COMMITTED[field, metric]
    assert got >= want - SLACK, f"{field} {metric} {got:.3f} < committed {want:.3f} - {SLACK}"
