"""The organisers' report: one self-contained HTML page (inline CSS and SVG, no external assets),
and the matches as CSV."""
from __future__ import annotations

import csv
import html
import io
from collections import Counter

from matcher.campaign.run import CampaignResult

CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:3px 7px;text-align:left}th{background:#f4f4f4}
.k{display:inline-block;margin:0 1.5em .5em 0}.k b{font-size:1.6em;display:block}
.hm td{width:22px;height:22px;padding:0;text-align:center;font-size:10px}"""


def _esc(x) -> str:
    return html.escape(str(x))


def histogram(scores: list[float], bins: int = 20, w: int = 600, h: int = 160) -> str:
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
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 30}" height="{h}">{bars}{ticks}</svg>'


def heatmap(pairs: list[tuple[str, str]]) -> str:
    counts = Counter()
    for a, b in pairs:
        counts[(a, b)] += 1
        counts[(b, a)] += 1
    countries = sorted({c for p in pairs for c in p})
    if not countries:
        return "<p>no matches</p>"
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


def render(result: CampaignResult, title: str = "twinmatch campaign") -> str:
    s = result.summary
    kpis = [("participants", s.participants), ("matched", f"{s.matched} ({100 * s.matched_share:.1f}%)"),
            ("partnerships", s.matches), ("groups", len(result.groups)), ("unmatched", len(result.unmatched)),
            ("mean score", f"{(s.total_score / s.matches if s.matches else 0):.3f}")]
    if s.greedy_matched is not None:
        kpis.append(("greedy baseline matched", s.greedy_matched))
    kpi = "".join(f'<span class="k"><b>{_esc(v)}</b>{_esc(k)}</span>' for k, v in kpis)
    stages = "".join(f"<tr><td>{_esc(st.name)}</td><td>{st.seconds:.2f} s</td></tr>" for st in result.stages)
    reasons = Counter(u.reason for u in result.unmatched)
    reason_rows = "".join(f"<tr><td>{_esc(r)}</td><td>{n}</td></tr>" for r, n in reasons.most_common())
    un = "".join(
        f"<tr><td>{_esc(u.id)}</td><td>{_esc(u.country)}</td><td>{_esc(u.reason)}</td><td>{_esc(u.message)}</td>"
        f"<td>{_esc(u.near_miss.id + ' (' + u.near_miss.country + '): ' + ', '.join(u.near_miss.failed)) if u.near_miss else '-'}</td></tr>"
        for u in result.unmatched[:2000])
    groups = "".join(f"<tr><td>{_esc(', '.join(g.members))}</td><td>{_esc(', '.join(g.countries))}</td>"
                     f"<td>{g.weakest_pair:.3f}</td><td>{g.mean_pair:.3f}</td></tr>" for g in result.groups[:2000])
    solver = (f"method {_esc(s.method)} · {s.candidate_edges} candidate pairs · coverage bound "
              f"{_esc(s.coverage_bound)} · score gap {_esc(s.gap)} · optimal {_esc(s.optimal)}")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>
<style>{CSS}</style></head><body><h1>{_esc(title)}</h1>
<p>partners {result.partners[0]}-{result.partners[1]}{' · groups of ' + str(result.groups_of) if result.groups_of else ''}
{' · at most ' + str(result.max_per_country) + ' per country' if result.max_per_country else ''}</p>
<div>{kpi}</div><p>{solver}</p>
<h2>Score distribution</h2>{histogram([m.score for m in result.matches])}
<h2>Matches by country</h2>{heatmap([(m.a_country, m.b_country) for m in result.matches])}
{'<h2>Groups</h2><table><tr><th>members</th><th>countries</th><th>weakest pair</th><th>mean pair</th></tr>' + groups + '</table>' if result.groups else ''}
<h2>Unmatched participants</h2><table><tr><th>reason</th><th>count</th></tr>{reason_rows}</table>
<table><tr><th>id</th><th>country</th><th>reason</th><th>explanation</th><th>nearest near-miss</th></tr>{un}</table>
<h2>Stages</h2><table>{stages}</table></body></html>"""


def to_csv(res: dict) -> str:
    """One row per partnership (or per group member pair in group mode)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["a", "b", "a_country", "b_country", "score", "reasons"])
    for m in res["matches"]:
        w.writerow([m["a"], m["b"], m["a_country"], m["b_country"], m["score"],
                    " | ".join(r["message"] for r in m.get("reasons", []))])
    return buf.getvalue()
