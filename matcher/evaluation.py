"""Offline evaluation: nDCG@10, recall@10 and MRR of each ranking mode against graded qrels.

nDCG uses every grade; recall@10 and MRR count the partners of each query's highest grade,
so a dataset that also judges "plausible" partners (grade 1) still measures whether the
real project partners (grade 2) come first.
"""
from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Callable

from matcher.service import MODES, Matcher


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """`query_id<TAB>partner_id<TAB>grade` lines; '#' starts a comment."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[2].strip().lstrip("-").isdigit():
            raise ValueError(f"{path}:{n}: expected query_id<TAB>partner_id<TAB>grade")
        qrels[parts[0]][parts[1]] = int(parts[2])
    return dict(qrels)


def ndcg(ranked: list[str], rel: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** rel.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(rel.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def _top(rel: dict[str, int]) -> set[str]:
    """The judged partners of the highest grade (in our dataset: the same project group)."""
    best = max(rel.values(), default=0)
    return {d for d, g in rel.items() if g == best and g > 0}


def recall(ranked: list[str], rel: dict[str, int], k: int = 10) -> float:
    wanted = _top(rel)
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr(ranked: list[str], rel: dict[str, int]) -> float:
    wanted = _top(rel)
    for i, d in enumerate(ranked):
        if d in wanted:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(matcher: Matcher, qrels: dict[str, dict[str, int]], mode: str, k: int = 10,
             progress: Callable[[int], None] | None = None) -> dict[str, float]:
    """Mean metrics over every query of `qrels` for one ranking mode."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
    totals = {"ndcg@10": 0.0, "recall@10": 0.0, "mrr": 0.0}
    for qid, rel in qrels.items():
        ranked = [r.profile.id for r in matcher.partners(qid, k=k, mode=mode).results]
        totals["ndcg@10"] += ndcg(ranked, rel, k)
        totals["recall@10"] += recall(ranked, rel, k)
        totals["mrr"] += mrr(ranked, rel)
        if progress:
            progress(1)
    return {name: value / max(1, len(qrels)) for name, value in totals.items()}
