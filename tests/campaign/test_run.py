"""run_campaign end to end on a small index: constraints, reasons, scores, groups, report, CLI."""
from __future__ import annotations

from collections import Counter


from matcher import ranking
from matcher.campaign.candidates import Cohort
from matcher.campaign.report import render
from matcher.campaign.run import run_campaign
from tests.fakes import profile


def _check(m, res, lo, hi, pc=None):
    recs = m.backend.get_many([x.a for x in res.matches] + [x.b for x in res.matches])
    deg, per = Counter(), Counter()
    for x in res.matches:
        a, b = recs[x.a].profile, recs[x.b].profile
        assert a.school.country != b.school.country
        assert set(a.languages) & set(b.languages)
        assert any(p.overlap(q) for p in a.age_groups for q in b.age_groups)
        assert a.open_to_partners and b.open_to_partners
        deg[x.a] += 1
        deg[x.b] += 1
        per[(x.a, b.school.country)] += 1
        per[(x.b, a.school.country)] += 1
    assert all(lo <= d <= hi for d in deg.values())
    if pc:
        assert max(per.values()) <= pc


def test_constraints_and_reasons(make_matcher, cohort_dicts):
    m = make_matcher(cohort_dicts)
    ids = [d["id"] for d in cohort_dicts]
    res = run_campaign(m, ids, partners=(1, 3), max_per_country=1)
    _check(m, res, 1, 3, pc=1)
    reasons = {u.id: u.reason for u in res.unmatched}
    assert reasons == {"closed": "closed_to_partners", "icelandic": "no_shared_language",
                       "oldies": "no_age_overlap"}
    assert res.summary.matched == 20 and res.summary.optimal
    assert [s.name for s in res.stages] == ["load", "candidates", "solve", "baseline", "explain"]
    near = {u.id: u.near_miss for u in res.unmatched}
    assert near["icelandic"].failed == ["no_shared_language"]


def test_same_country_and_capacity_reasons(make_matcher):
    dicts = [profile("hub", "PT", "music"), profile("x", "PL", "music"), profile("y", "PL", "music"),
             profile("home1", "DE", "robots", languages=("de",)), profile("home2", "DE", "robots", languages=("de",))]
    m = make_matcher(dicts)
    res = run_campaign(m, [d["id"] for d in dicts], partners=(1, 1))
    reasons = {u.id: u.reason for u in res.unmatched}
    assert reasons["home1"] == reasons["home2"] == "same_country_only"
    stranded = [u for u in res.unmatched if u.id in ("x", "y")]
    assert len(stranded) == 1 and stranded[0].reason == "capacity" and stranded[0].near_miss.id == "hub"


def test_candidate_scores_equal_pair_score(make_matcher, cohort_dicts):
    m = make_matcher(cohort_dicts)
    recs = list(m.backend.get_many([d["id"] for d in cohort_dicts]).values())
    cohort = Cohort(recs, m.scorer)
    ok, score = cohort.block(0, len(recs))
    for i, a in enumerate(recs):
        for j, b in enumerate(recs):
            assert ok[i, j] == ranking.compatible(a.profile, b.profile)
            assert abs(score[i, j] - (m.pair_score(a, b) if i != j else 0.0)) < 1e-5


def test_groups_have_distinct_countries_and_compatible_pairs(make_matcher, cohort_dicts):
    m = make_matcher(cohort_dicts)
    res = run_campaign(m, [d["id"] for d in cohort_dicts], groups=4)
    recs = m.backend.get_many([d["id"] for d in cohort_dicts])
    placed = [x for g in res.groups for x in g.members]
    assert len(placed) == len(set(placed)) >= 16
    for g in res.groups:
        assert len(g.members) == 4 and len(set(g.countries)) == 4
        ps = [recs[x].profile for x in g.members]
        assert all(ranking.compatible(p, q) for i, p in enumerate(ps) for q in ps[i + 1:])


def test_report_is_self_contained(make_matcher, cohort_dicts):
    m = make_matcher(cohort_dicts)
    html = render(run_campaign(m, [d["id"] for d in cohort_dicts]))
    assert "<svg" in html and "no_shared_language" in html and "icelandic" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert "@" not in html


def test_cli_writes_csv_and_report(tmp_path, monkeypatch, cohort_dicts):
    import json

    from indexer.cli import main
    from matcher.settings import get_settings
    monkeypatch.setenv("TWINMATCH_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("TWINMATCH_EMBEDDER", "hash")
    get_settings.cache_clear()
    src = tmp_path / "cohort.jsonl"
    src.write_text("\n".join(json.dumps(d) for d in cohort_dicts), encoding="utf-8")
    try:
        rc = main(["campaign", "run", str(src), "--partners", "1-2", "--out", str(tmp_path / "m.csv"),
                   "--report", str(tmp_path / "r.html"), "-q"])
    finally:
        get_settings.cache_clear()
    assert rc == 0
    rows = (tmp_path / "m.csv").read_text().splitlines()
    assert rows[0].startswith("a_name,a_school,a_country,b_name,b_school,b_country,") and len(rows) > 10
    assert "<svg" in (tmp_path / "r.html").read_text()
