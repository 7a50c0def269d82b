"""The arrival simulation: saved searches decided by the bound raise what running every one would."""
from __future__ import annotations

import json

from indexer.alert_simulation import simulate
from matcher.alerts import saved_searches
from tests.fakes import profile

THEMES = ("recycling", "music", "robots", "history", "poetry", "water")
COUNTRIES = ("PT", "RO", "DE", "FR", "ES", "IT", "PL", "GR", "HR", "AT", "BE", "CZ", "SE", "FI")


def _dataset(tmp_path):
    """Six projects of three members in three countries, one per theme, and loners."""
    rows, meta = [], ["profile_id\ttext_lang\tkind\tgroup"]
    for g, theme in enumerate(THEMES):
        for i in range(3):
            pid = f"g{g}m{i}"
            rows.append(profile(pid, COUNTRIES[(g * 3 + i) % len(COUNTRIES)], f"{theme} club number {g}{i}"))
            meta.append(f"{pid}\ten\tmember\tgrp-{g}")
    for i in range(12):
        pid = f"x{i}"
        rows.append(profile(pid, COUNTRIES[i], THEMES[i % len(THEMES)] + f" at school {i}"))
        meta.append(f"{pid}\ten\tdistractor\t-")
    (tmp_path / "profiles.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    (tmp_path / "meta.tsv").write_text("\n".join(meta) + "\n", encoding="utf-8")
    return tmp_path


def test_the_bound_skips_searches_and_misses_none(make_matcher, store, tmp_path, monkeypatch):
    monkeypatch.setattr(saved_searches, "MAX_SEARCH_RUNS", 10**6)     # the bound alone decides
    m = make_matcher([])
    fig = simulate(m, store, _dataset(tmp_path), k=3, exhaustive=True, searches=12)
    assert fig.arrivals == 6 and fig.saved == 12
    assert fig.search_reach > 0 and fig.search_missed == 0 and fig.search_wrong == 0, fig.table()
    assert fig.searches_run < fig.saved * fig.arrivals, fig.table()


def test_a_dataset_without_meta_takes_its_groups_from_the_qrels(make_matcher, store, tmp_path):
    """Top-grade judgments join a group as cross-validation folds it; members keep file order."""
    from indexer.alert_simulation import read_groups
    d = _dataset(tmp_path)
    with_meta = read_groups(d, [])
    qrels = ["# query\tpartner\tgrade"]
    for ids in with_meta.values():
        qrels += [f"{a}\t{b}\t2" for a in ids for b in ids if a != b]
    qrels += ["g0m0\tx0\t1"]                          # below g0m0's top grade: joins nobody
    (d / "meta.tsv").unlink()
    (d / "qrels.tsv").write_text("\n".join(qrels) + "\n", encoding="utf-8")
    order = [json.loads(line)["id"] for line in (d / "profiles.jsonl").read_text().splitlines()]
    assert sorted(read_groups(d, order).values()) == sorted(with_meta.values())
    fig = simulate(make_matcher([]), store, d, k=3)
    assert fig.arrivals == 6 and fig.existing_members == 12
