"""Explanations: stable reason codes with messages in the user's language (English fallback)."""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from matcher.features import SIMILAR_IDEA, best_unit_pair
from matcher.text import unit_label
from models import Profile, Reason
from models.taxonomy import localized_subject

_CATALOGS = Path(__file__).with_name("i18n")

# Names of languages CLDR lacks in some locale, in English; they stand in for the local name.
_FALLBACK_LANGUAGE_NAMES = {"lb": "Luxembourgish", "rm": "Romansh"}
# Locales whose CLDR language names start with a capital that running text writes in lower case.
_LOWERCASE_LANGUAGE_NAMES = {"el"}
# Language tags that share another tag's catalog.
_ALIASES = {"nb": "no", "nn": "no"}
# List separators other than ", ".
_SEPARATORS = {"ar": "، "}


@lru_cache(maxsize=1)
def catalogs() -> dict[str, dict[str, str | dict[str, str]]]:
    """Language -> reason code -> template, or plural category (or "=N") -> template; read once."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(_CATALOGS.glob("*.json"))}


LANGUAGES = tuple(sorted(catalogs(), key=lambda lang: (lang != "en", lang)))
CODES = tuple(catalogs()["en"])


@lru_cache(maxsize=None)
def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang)
    except (ValueError, UnknownLocaleError):
        return None


def locale(lang: str) -> Locale | None:
    """Babel's locale for `lang`, or None where CLDR lacks it (plural rules, numbers, names)."""
    return _locale(lang)


def rtl(lang: str) -> bool:
    """Whether `lang` is written right to left (CLDR's character order)."""
    loc = locale(lang)
    return bool(loc) and loc.character_order == "right-to-left"


def language_name(code: str, lang: str) -> str:
    """The name of language `code` in language `lang` ("en" in "pt" -> "inglês"), else in English."""
    for loc in (_locale(lang), _locale("en")):
        name = loc.languages.get(code) if loc else None
        if name:
            return name.lower() if loc.language in _LOWERCASE_LANGUAGE_NAMES else name
    return _FALLBACK_LANGUAGE_NAMES.get(code, code)


def age_range(text: str) -> str:
    """An age range as shown: "11-11" -> "11", "11-15" unchanged."""
    low, sep, high = str(text).partition("-")
    return low.strip() if sep and low.strip() == high.strip() else str(text)


def _pick(template: str | dict[str, str], lang: str, number) -> str:
    if isinstance(template, str):
        return template
    if f"={number}" in template:
        return template[f"={number}"]
    loc = _locale(lang)
    category = loc.plural_form(number) if loc is not None and number is not None else "other"
    return template.get(category, template["other"])


def _shown(key: str, value, lang: str) -> str:
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if key == "languages":
        items = [language_name(str(x), lang) for x in items]
    elif key == "subjects":
        items = [localized_subject(str(x), lang) for x in items]
    elif key == "ages":
        items = [age_range(x) for x in items]
    return join(items, lang) if isinstance(value, (list, tuple)) else str(items[0])


def catalog_language(lang: str | None) -> str:
    """The catalog language that serves `lang` ("pt-BR" -> "pt", "nb" -> "no"), else "en"."""
    lang = (lang or "en").lower()[:2]
    lang = _ALIASES.get(lang, lang)
    return lang if lang in catalogs() else "en"


def join(items, lang: str) -> str:
    """Items as a list in running text of `lang` (the separator differs in Arabic)."""
    return _SEPARATORS.get(lang, ", ").join(map(str, items))


def reason(code: str, lang: str | None = None, **details) -> Reason:
    """A Reason whose message is in `lang` when we have it, else English."""
    lang = catalog_language(lang)
    template = catalogs()[lang].get(code, catalogs()["en"][code])
    number = details.get("days", details.get("count"))
    shown = {k: _shown(k, v, lang) for k, v in details.items()}
    return Reason(code=code, message=_pick(template, lang, number).format(**shown), details=details)


# A response rate from which a partner "answers N% of partner requests".
RESPONSIVE = 0.7
RECENT_DAYS = 30


def is_new(p: Profile, received: int, answered: int = 0) -> bool:
    """Whether "new here and not yet contacted" is true of a teacher: nobody has contacted them
    here, and nothing in the profile says they have been around (a response rate, or years of
    experience)."""
    return (received == 0 and answered == 0 and p.response_rate is None
            and not (p.experience or 0))


def activity_reasons(p: Profile, received: int, answered: int, lang: str | None,
                     today: dt.date | None = None) -> list[Reason]:
    """Recent activity, and either a good response rate or being new: never both, and never
    "new" for a teacher whose profile or contacts say otherwise."""
    out = []
    if p.last_active and ((today or dt.date.today()) - p.last_active).days <= RECENT_DAYS:
        out.append(reason("recently_active", lang, days=RECENT_DAYS))
    if p.response_rate is not None and p.response_rate >= RESPONSIVE:
        out.append(reason("responsive", lang, rate=round(100 * p.response_rate)))
    elif is_new(p, received, answered):
        out.append(reason("new_profile", lang))
    return out


def similar_idea(a, b, lang: str | None) -> list[Reason]:
    """The idea reason for stored teachers `a` and `b` (records with vectors and units): their
    most similar idea or interests, when the pair clears SIMILAR_IDEA; else none."""
    cos, i, j = best_unit_pair(a.vectors, a.units, b.vectors, b.units)
    if i < 0 or cos < SIMILAR_IDEA:
        return []
    return [reason("similar_idea", lang, own_idea=unit_label(a.profile, a.units[i]),
                   partner_idea=unit_label(b.profile, b.units[j]), own_unit=a.units[i],
                   partner_unit=b.units[j], similarity=round(cos, 4))]
