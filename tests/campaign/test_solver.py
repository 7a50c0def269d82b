"""The b-matching solver: constraints hold, coverage beats greedy, both solve paths agree."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from matcher.campaign.solver import Edge, Participant, greedy, solve


def _path():
    """A-B-C-D with B-C best: greedy takes B-C and strands A and D."""
    ps = [Participant(x, c, 1, 1) for x, c in zip("ABCD", ["PT", "PL", "GR", "IT"])]
    es = [Edge("A", "B", 0.5), Edge("B", "C", 0.9), Edge("C", "D", 0.5)]
    return ps, es


def test_greedy_strands_and_bmatching_does_not():
    ps, es = _path()
    g, s = greedy(ps, es), solve(ps, es)
    assert g.covered == 2 and {(e.a, e.b) for e in g.edges} == {("B", "C")}
    assert s.covered == 4 and {(e.a, e.b) for e in s.edges} == {("A", "B"), ("C", "D")}
    assert s.optimal


def test_star_hub_keeps_room_for_leaves():
    """A hub with 3 slots: greedy fills it with high scorers who have other options."""
    ps = [Participant("H", "PT", 1, 3)] + [Participant(f"L{i}", "PL", 1, 3) for i in range(3)] + \
         [Participant(f"X{i}", c, 1, 3) for i, c in enumerate(["GR", "IT", "RO"])]
    es = [Edge("H", f"L{i}", 0.3) for i in range(3)] + [Edge("H", f"X{i}", 0.9) for i in range(3)] + \
         [Edge("X0", "X1", 0.6), Edge("X1", "X2", 0.6), Edge("X0", "X2", 0.6)]
    assert greedy(ps, es).covered == 4
    s = solve(ps, es)
    assert s.covered == 7


def _random(n=120, seed=3, pc=None):
    rnd = random.Random(seed)
    countries = ["PT", "PL", "GR", "IT", "RO", "ES"]
    ps = [Participant(f"p{i}", countries[i % 6], 1, rnd.choice([1, 2, 3]), pc) for i in range(n)]
    es = []
    for i in range(n):
        for j in rnd.sample(range(n), 8):
            if i != j and ps[i].country != ps[j].country:
                es.append(Edge(ps[i].id, ps[j].id, round(rnd.random(), 3)))
    return ps, es


def _check(ps, es, sol):
    by = {p.id: p for p in ps}
    allowed = {frozenset((e.a, e.b)) for e in es}
    deg, per = Counter(), Counter()
    seen = set()
    for e in sol.edges:
        key = frozenset((e.a, e.b))
        assert key in allowed and key not in seen
        seen.add(key)
        deg[e.a] += 1
        deg[e.b] += 1
        per[(e.a, by[e.b].country)] += 1
        per[(e.b, by[e.a].country)] += 1
    for pid, d in deg.items():
        assert d <= by[pid].max
    for (pid, _), k in per.items():
        if by[pid].max_per_country is not None:
            assert k <= by[pid].max_per_country


@pytest.mark.parametrize("pc", [None, 1])
def test_constraints_hold_on_both_paths(pc):
    ps, es = _random(pc=pc)
    exact = solve(ps, es)
    flow = solve(ps, es, exact_edges=0)        # force the flow-LP path
    g = greedy(ps, es)
    for sol in (exact, flow, g):
        _check(ps, es, sol)
    assert exact.optimal
    assert exact.covered >= g.covered and flow.covered >= g.covered
    assert flow.covered == exact.covered            # coverage bound met on this instance
    assert flow.total <= exact.total + 1e-6
    assert flow.total >= 0.99 * exact.total
    assert flow.coverage_bound >= exact.covered


def test_min_two_means_zero_or_two():
    ps = [Participant(x, c, 2, 3) for x, c in zip("ABC", ["PT", "PL", "GR"])] + [Participant("D", "IT", 2, 3)]
    es = [Edge("A", "B", .5), Edge("B", "C", .5), Edge("A", "C", .5), Edge("A", "D", .9)]
    s = solve(ps, es)
    assert s.covered == 3 and {frozenset((e.a, e.b)) for e in s.edges} == {frozenset("AB"), frozenset("BC"), frozenset("AC")}
