"""The matches as CSV: one row per pair, with both teachers' names, schools and countries, e-mails only on request."""
from __future__ import annotations

import csv
import io

from matcher.campaign import texts
from matcher.campaign.result import CampaignResult
from matcher.reasons import reason
from models import Profile


def profiles_of(found: dict | None) -> dict[str, Profile]:
    """id -> Profile from what a backend's get_many returns (records) or from profiles."""
    return {pid: getattr(x, "profile", x) for pid, x in (found or {}).items()}


def teacher(pid: str, profiles: dict[str, Profile]) -> tuple[str, str, str]:
    """(name, school, e-mail) of a participant; the id stands in for a name no longer stored."""
    p = profiles.get(pid)
    if p is None:
        return pid, "", ""
    return p.name or pid, p.school.name or "", p.email or ""


def listed_mean(res: CampaignResult) -> float | None:
    """The mean score of the pairs the result lists (after any redaction), None without pairs."""
    return sum(m.score for m in res.matches) / len(res.matches) if res.matches else None


def columns(groups: bool, emails: bool) -> list[str]:
    side = lambda s: [f"{s}_name", f"{s}_school", f"{s}_country"] + ([f"{s}_email"] if emails else [])  # noqa: E731
    return (["group"] if groups else []) + side("a") + side("b") + [
        "shared_languages", "pupil_ages", "a_idea", "b_idea", "reasons", "score", "a", "b"]


def to_csv(result: CampaignResult | dict, profiles: dict | None = None, lang: str | None = None,
           emails: bool = False) -> str:
    """One row per partnership (in group mode, per pair of a group, with the group's id).

    Names, schools and e-mails come from `profiles` (id -> Profile or Record): results never
    store them. E-mails appear only with `emails` (a key with the read scope; `--emails`).
    Languages and reasons are written in `lang`; countries as ISO codes."""
    res = result if isinstance(result, CampaignResult) else CampaignResult.model_validate(result)
    profiles, lang = profiles_of(profiles), texts.language(lang)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns(bool(res.groups_of), emails))
    for m in res.matches:
        d = {r.code: r.details for r in m.reasons}
        row = [m.group or ""] if res.groups_of else []
        for pid, country in ((m.a, m.a_country), (m.b, m.b_country)):
            name, school, email = teacher(pid, profiles)
            row += [name, school, country] + ([email] if emails else [])
        row += [texts.languages(d.get("shared_languages", {}).get("languages", []), lang),
                texts.ages(d.get("age_overlap", {}).get("ages", []), lang),
                m.a_idea or "", m.b_idea or "",
                " | ".join(reason(r.code, lang, **r.details).message for r in m.reasons),
                m.score, m.a, m.b]
        w.writerow(row)
    return buf.getvalue()
