"""The campaign report's words, one JSON catalog per reason language (matcher/campaign/i18n/), English fallback."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from babel.numbers import format_decimal

from matcher import reasons
from models import taxonomy

_CATALOGS = Path(__file__).with_name("i18n")


@lru_cache(maxsize=1)
def catalogs() -> dict[str, dict[str, str]]:
    """Language -> key -> text; read once."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(_CATALOGS.glob("*.json"))}


KEYS = tuple(catalogs()["en"])


def language(lang: str | None) -> str:
    """The language a report is written in: the reasons' catalog language for `lang`."""
    return reasons.catalog_language(lang)


def text(key: str, lang: str, **values) -> str:
    """The text `key` in `lang` (English where a catalog lacks it), with `values` filled in."""
    template = catalogs().get(lang, {}).get(key) or catalogs()["en"][key]
    return template.format(**values)


def country(code: str, lang: str) -> str:
    """A country's name in `lang`: the taxonomy's labels, else CLDR's (Palestine named as in the taxonomy)."""
    own = taxonomy.localized_country(code, lang)
    if own:
        return own
    if code == "PS":
        return text("country.PS", lang)
    loc = reasons.locale(lang)
    return (loc.territories.get(code) if loc else None) or taxonomy.countries().get(code, code)


def languages(codes, lang: str) -> str:
    """Language names in `lang`, as a list in running text."""
    return reasons.join([reasons.language_name(c, lang) for c in codes], lang)


def ages(ranges, lang: str) -> str:
    return reasons.join([reasons.age_range(r) for r in ranges], lang)


def number(x: float, lang: str, digits: int = 3) -> str:
    """A score as `lang` writes decimals (0.412 in English, 0,412 in Portuguese)."""
    return format_decimal(x, format="0." + "0" * digits, locale=reasons.locale(lang) or "en")
