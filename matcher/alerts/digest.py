"""Digests: each recipient's best new partners of a period, localized, as JSON or HTML for a mailer.

A recipient gets at most its cap of alerts per digest, best scores first: `max_per_digest`
(default 5), halved for every `IGNORE_STEP` alerts it received before the period and has not
acknowledged since (POST .../alerts/seen), and never below 1. Alerts over the cap are counted
in `withheld`, not shown. Building a digest changes nothing, so a mailer may build it again.
"""
from __future__ import annotations

import html
import json
import time
from pathlib import Path

from matcher.alerts.match import IGNORE_STEP
from matcher.alerts.store import Alert, AlertStore
from matcher.reasons import catalog_language, reason, rtl

# Each catalog language's headings and "and {n} more" (matcher/reasons.py serves the reasons).
_TEXT = json.loads(Path(__file__).with_name("digest_text.json").read_text(encoding="utf-8"))


def text(lang: str | None) -> tuple[str, str, str]:
    """The headings for a teacher's and a saved search's digest, and "and {n} more", in `lang`'s
    catalog language (`reasons.catalog_language`: "pt-BR" -> pt, one without a catalog -> en)."""
    t = _TEXT[catalog_language(lang)]
    return t["profile"], t["search"], t["more"]


def cap(max_per_digest: int, ignored: int) -> int:
    """Fewer alerts for a recipient who ignores them: halved per IGNORE_STEP unacknowledged, at least 1."""
    return max(1, max_per_digest >> (ignored // IGNORE_STEP))


def localize(reasons: list[dict], lang: str | None) -> list[dict]:
    return [reason(r["code"], lang, **r["details"]).model_dump() for r in reasons]


def build(matcher, store: AlertStore, since: float, lang: str | None = None, now: float | None = None) -> list[dict]:
    """One digest per recipient with alerts created since `since` (Unix seconds)."""
    now = time.time() if now is None else now
    lang = catalog_language(lang)       # the language the digests are written in, and say they are
    out = []
    recipients = [("profile", s.profile_id, s.owner, s.max_per_digest, s.acked)
                  for s in store.subscriptions().values()]
    recipients += [("search", s.id, s.owner, s.max_per_digest, s.acked) for s in store.searches()]
    for kind, rid, owner, limit, acked in recipients:
        alerts = [a for a in store.alerts(kind, rid, since=since) if a.created <= now]
        if not alerts:
            continue
        n = cap(limit, store.count_between(kind, rid, acked, since))
        best = sorted(alerts, key=lambda a: -a.score)
        shown = [_entry(matcher, a, lang) for a in best[:n]]
        shown = [e for e in shown if e is not None]
        out.append({"recipient": {"kind": kind, "id": rid, "owner": owner}, "lang": lang,
                    "alerts": shown, "withheld": len(best) - len(best[:n])})
    return out


def _entry(matcher, a: Alert, lang: str | None) -> dict | None:
    rec = matcher.backend.get_many([a.newcomer]).get(a.newcomer)
    if rec is None:       # erased since the alert was raised
        return None
    return {"id": a.id, "partner": rec.profile.public().model_dump(mode="json", by_alias=True),
            "score": a.score, "reasons": localize(a.reasons, lang), "created": a.created}


def to_html(digests: list[dict]) -> str:
    """One <section> per recipient; the mailer wraps it in its own template."""
    parts = []
    for d in digests:
        own, search, more = text(d["lang"])
        r = d["recipient"]
        direction = ' dir="rtl"' if rtl(d["lang"]) else ""
        parts.append(f'<section class="twinmatch-digest" data-kind="{r["kind"]}" '
                     f'data-recipient="{html.escape(r["id"])}" lang="{html.escape(d["lang"])}"{direction}>')
        parts.append(f"<h2>{html.escape(own if r['kind'] == 'profile' else search)}</h2><ul>")
        for a in d["alerts"]:
            p = a["partner"]
            school = p["school"]
            parts.append(f"<li><strong>{html.escape(p.get('name') or p['id'])}</strong> — "
                         f"{html.escape(school['name'])}, {html.escape(school['country'])}<ul>")
            parts.extend(f"<li>{html.escape(x['message'])}</li>" for x in a["reasons"])
            parts.append("</ul></li>")
        parts.append("</ul>")
        if d["withheld"]:
            parts.append(f"<p>{html.escape(more.format(n=d['withheld']))}</p>")
        parts.append("</section>")
    return "\n".join(parts) + "\n"
