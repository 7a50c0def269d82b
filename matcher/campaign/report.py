"""The organisers' report: one self-contained, localized HTML page (inline CSS and SVG, no external assets)."""
from __future__ import annotations

import html
from collections import Counter

from matcher.campaign import texts
from matcher.campaign.result import CampaignResult
from matcher.campaign.table import listed_mean, profiles_of, teacher
from matcher.reasons import join, reason, rtl
from models import Profile

CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:3px 7px;text-align:start;vertical-align:top}th{background:#f4f4f4}
small{color:#666}.k{display:inline-block;margin:0 1.5em .5em 0}.k b{font-size:1.6em;display:block}
.hm td{width:22px;height:22px;padding:0;text-align:center;font-size:10px}details{margin-top:2em}"""
SHOWN_APART = ("shared_languages", "age_overlap")   # reasons the report gives columns of their own


def _esc(x) -> str:
    return html.escape(str(x))


def histogram(scores: list[float], mean: float | None = None, bins: int = 20, w: int = 600, h: int = 160) -> str:
    """Bars of the scores over 0-1 (each bar's <title> gives its range and count), and the mean as a line."""
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, max(0, int(s * bins)))] += 1
    top = max(counts) or 1
    bw = w / bins
    bars = "".join(
        f'<rect x="{i * bw:.1f}" y="{h - 20 - c / top * (h - 30):.1f}" width="{bw - 2:.1f}" '
        f'height="{c / top * (h - 30):.1f}" fill="#3b7dd8"><title>{i / bins:.2f}-{(i + 1) / bins:.2f}: {c}</title></rect>'
        for i, c in enumerate(counts))
    ticks = "".join(f'<text x="{i * w / 4:.0f}" y="{h - 5}" font-size="10">{i / 4:.2f}</text>' for i in range(5))
    line = (f'<line class="mean" data-value="{mean:.6f}" x1="{mean * w:.1f}" x2="{mean * w:.1f}" y1="5" '
            f'y2="{h - 20}" stroke="#d33" stroke-width="2"/>') if mean is not None else ""
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 30}" height="{h}">{bars}{line}{ticks}</svg>'


def heatmap(pairs: list[tuple[str, str]]) -> str:
    counts = Counter()
    for a, b in pairs:
        counts[(a, b)] += 1
        counts[(b, a)] += 1
    countries = sorted({c for p in pairs for c in p})
    if not countries:
        return ""
    top = max(counts.values())
    head = "".join(f"<th>{_esc(c)}</th>" for c in countries)
    rows = []
    for a in countries:
        cells = []
        for b in countries:
            n = counts.get((a, b), 0)
            alpha = 0 if not n else 0.15 + 0.85 * n / top
            cells.append(f'<td style="background:rgba(220,60,40,{alpha:.2f})" title="{a}-{b}: {n}">{n or ""}</td>')
        rows.append(f"<tr><th>{_esc(a)}</th>{''.join(cells)}</tr>")
    return f'<table class="hm"><tr><th></th>{head}</tr>{"".join(rows)}</table>'


def _person(pid: str, country: str, profiles: dict[str, Profile], lang: str) -> str:
    name, school, _ = teacher(pid, profiles)
    where = ", ".join(x for x in (school, texts.country(country, lang)) if x)
    return f"{_esc(name)}<br><small>{_esc(where)}</small>"


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{_esc(x)}</th>" for x in head)
    return f"<table><tr>{th}</tr>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) + "</table>"


def _matches(res: CampaignResult, profiles, lang: str) -> str:
    t = lambda key: texts.text(key, lang)  # noqa: E731
    head = ([t("col.group")] if res.groups_of else []) + [t("col.teacher"), t("col.partner"), t("col.languages"),
                                                          t("col.ages"), t("col.ideas"), t("col.why"), t("col.score")]
    rows = []
    for m in res.matches:
        d = {r.code: r.details for r in m.reasons}
        why = [reason(r.code, lang, **r.details).message for r in m.reasons if r.code not in SHOWN_APART]
        ideas = " ↔ ".join(f"“{_esc(x)}”" for x in (m.a_idea, m.b_idea) if x)
        rows.append(([_esc(m.group or "")] if res.groups_of else []) + [
            _person(m.a, m.a_country, profiles, lang), _person(m.b, m.b_country, profiles, lang),
            _esc(texts.languages(d.get("shared_languages", {}).get("languages", []), lang)),
            _esc(texts.ages(d.get("age_overlap", {}).get("ages", []), lang)), ideas,
            "<br>".join(_esc(x) for x in why), _esc(texts.number(m.score, lang))])
    return _table(head, rows) if rows else f"<p>{_esc(t('none'))}</p>"


def _groups(res: CampaignResult, profiles, lang: str) -> str:
    t = lambda key: texts.text(key, lang)  # noqa: E731
    rows = [[_esc(g.id), "<br>".join(_person(m, c, profiles, lang) for m, c in zip(g.members, g.countries)),
             _esc(texts.number(g.weakest_pair, lang)), _esc(texts.number(g.mean_pair, lang))] for g in res.groups]
    return _table([t("col.group"), t("col.members"), t("col.weakest"), t("kpi.mean")], rows)


def _unmatched(res: CampaignResult, profiles, lang: str) -> str:
    t = lambda key: texts.text(key, lang)  # noqa: E731
    rows = []
    for u in res.unmatched[:2000]:
        near = "-"
        if u.near_miss:
            n = u.near_miss
            missing = join([t(f"missing.{f}") for f in n.failed], lang)
            if n.failed in (["capacity"], ["min_score"]):  # compatible: its score says how close
                missing += f" ({texts.number(n.score, lang)})"
            near = f"{_person(n.id, n.country, profiles, lang)}<br><small>{_esc(missing)}</small>"
        rows.append([_person(u.id, u.country, profiles, lang), _esc(t(f"unmatched.{u.reason}")), near])
    return _table([t("col.teacher"), t("col.reason"), t("col.nearest")], rows)


def _technical(res: CampaignResult) -> str:
    """What the solver did, for whoever maintains the service; collapsed, in English."""
    s = res.summary
    facts = [("method", s.method), ("proven optimal", s.optimal), ("coverage upper bound", s.coverage_bound),
             ("score gap to the bound", s.gap), ("candidate pairs", s.candidate_edges), ("top-K per teacher", res.top_k),
             ("total score", s.total_score)]
    if s.greedy_matched is not None:
        facts += [("greedy baseline matched", s.greedy_matched), ("greedy baseline total score", s.greedy_total)]
    facts += [(f"unmatched: {code}", n) for code, n in Counter(u.reason for u in res.unmatched).most_common()]
    facts += [(f"stage {st.name}", f"{st.seconds:.2f} s") for st in res.stages]
    return "<table>" + "".join(f"<tr><td>{_esc(k)}</td><td>{_esc(v)}</td></tr>" for k, v in facts) + "</table>"


def render(result: CampaignResult | dict, profiles: dict[str, Profile] | None = None, lang: str | None = None,
           title: str = "") -> str:
    """The report in `lang`; `profiles` (id -> Profile) give names and schools, else ids stand in."""
    res = result if isinstance(result, CampaignResult) else CampaignResult.model_validate(result)
    profiles = profiles_of(profiles)
    lang = texts.language(lang)
    t = lambda key, **kw: texts.text(key, lang, **kw)  # noqa: E731
    s = res.summary
    mean = listed_mean(res)
    kpis = [("teachers", t("kpi.teachers"), s.participants, s.participants),
            ("matched", t("kpi.grouped" if res.groups_of else "kpi.matched"),
             f"{s.matched} ({texts.number(100 * s.matched_share, lang, 1)} %)", s.matched),
            ("groups", t("kpi.groups"), len(res.groups), len(res.groups)) if res.groups_of else
            ("partnerships", t("kpi.partnerships"), len(res.matches), len(res.matches))]
    kpis.append(("unmatched", t("kpi.unmatched"), len(res.unmatched), len(res.unmatched)))
    if mean is not None:
        kpis.append(("mean", t("kpi.mean"), texts.number(mean, lang), f"{mean:.6f}"))
    kpi = "".join(f'<span class="k" data-kpi="{k}" data-value="{_esc(raw)}"><b>{_esc(v)}</b>{_esc(label)}</span>'
                  for k, label, v, raw in kpis)
    setup = [t("setup.groups", size=res.groups_of) if res.groups_of
             else t("setup.partners", min=res.partners[0], max=res.partners[1])]
    if res.max_per_country:
        setup.append(t("setup.per_country", n=res.max_per_country))
    if res.min_score is not None:
        setup.append(t("setup.min_score", score=texts.number(res.min_score, lang)))
    heading = t("title") + (f" · {title}" if title else "")
    scores = [m.score for m in res.matches]
    countries = heatmap([(m.a_country, m.b_country) for m in res.matches])
    groups = f"<h2>{_esc(t('h.groups'))}</h2>{_groups(res, profiles, lang)}" if res.groups else ""
    unmatched = f"<h2>{_esc(t('h.unmatched'))}</h2>{_unmatched(res, profiles, lang)}" if res.unmatched else ""
    return f"""<!doctype html><html lang="{lang}" dir="{'rtl' if rtl(lang) else 'ltr'}"><head><meta charset="utf-8">
<title>{_esc(heading)}</title><style>{CSS}</style></head><body><h1>{_esc(heading)}</h1>
<p>{' · '.join(_esc(x) for x in setup)}</p><div>{kpi}</div>
{groups}<h2>{_esc(t('h.matches'))}</h2>{_matches(res, profiles, lang)}
{unmatched}
<h2>{_esc(t('h.scores'))}</h2><p>{_esc(t('note.scores'))}</p>{histogram(scores, mean) if scores else ''}
{f"<h2>{_esc(t('h.countries'))}</h2>{countries}" if countries else ''}
<details><summary>{_esc(t('h.technical'))}</summary>{_technical(res)}</details></body></html>"""
