"""Evaluation metrics and the qrels format."""
import math

import pytest

from matcher.evaluation import mrr, ndcg, read_qrels, recall


def test_metrics_on_a_known_ranking():
    rel = {"a": 2, "b": 2, "c": 1}
    assert ndcg(["a", "b", "c"], rel) == pytest.approx(1.0)
    worse = ndcg(["c", "x", "a"], rel)
    ideal = 3 + 3 / math.log2(3) + 1 / 2
    assert worse == pytest.approx((1 + 3 / 2) / ideal)
    assert recall(["a", "c", "x"], rel) == 0.5          # grade-2 partners only
    assert mrr(["c", "x", "b"], rel) == pytest.approx(1 / 3)
    assert mrr(["x"], rel) == 0.0


def test_read_qrels_reports_bad_lines(tmp_path):
    f = tmp_path / "q.tsv"
    f.write_text("# comment\nq1\tp1\t2\nq1\tp2\t1\n", encoding="utf-8")
    assert read_qrels(f) == {"q1": {"p1": 2, "p2": 1}}
    f.write_text("q1\tp1\t2\nq1 p2 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="q.tsv:2"):
        read_qrels(f)


def test_eval_runs_every_mode_on_the_matcher(tmp_path):
    from matcher.backends.embedded.backend import EmbeddedBackend
    from matcher.evaluation import MODES, evaluate
    from matcher.service import Matcher
    from models import Profile
    from tests.fakes import ThemeEmbedder, profile

    emb = ThemeEmbedder()
    m = Matcher(EmbeddedBackend(tmp_path, emb.dim), emb)
    try:
        m.upsert([Profile.model_validate(p) for p in (
            profile("q", "PT", theme="water"), profile("good", "RO", theme="water"),
            profile("other", "PL", theme="poetry"), profile("other2", "GR", theme="robots"))])
        qrels = {"q": {"good": 2}}
        for mode in MODES:
            res = evaluate(m, qrels, mode)
            assert 0 <= res["ndcg@10"] <= 1
        assert evaluate(m, qrels, "vector")["mrr"] == 1.0
        assert evaluate(m, qrels, "full")["pool_recall"] == 1.0
    finally:
        m.close()
