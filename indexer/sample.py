"""Synthetic eTwinning-like teacher profiles built from the multilingual phrase bank (fixed seed)."""
from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import random
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from indexer.sample_facts import (CITY_IN_NAME, BELGIAN_CITY_LANG, LEVEL, PEOPLE, SCHOOL_LANG, SCHOOL_NAMES,
                                  SUBJECTS_OFF, phrase_fits)

PHRASES_DIR = Path(__file__).with_name("phrases")

# Theme -> taxonomy subjects a teacher running it would plausibly list.
THEMES: dict[str, list[str]] = {
    "recycling": ["Environmental Education", "Natural Sciences", "Art"],
    "climate_change": ["Environmental Education", "Geography", "Natural Sciences"],
    "water": ["Natural Sciences", "Geography", "Environmental Education"],
    "biodiversity": ["Biology", "Environmental Education", "Natural Sciences"],
    "renewable_energy": ["Physics", "Technology", "Environmental Education"],
    "healthy_food": ["Health Studies", "Home Economics", "Biology"],
    "sports_wellbeing": ["Physical Education", "Health Studies"],
    "coding_robotics": ["Informatics / ICT", "Technology", "Mathematics / Geometry"],
    "online_safety": ["Informatics / ICT", "Media Education", "Citizenship"],
    "math_everyday": ["Mathematics / Geometry", "Economics"],
    "astronomy_space": ["Astronomy", "Physics", "Natural Sciences"],
    "european_heritage": ["History", "History of Culture", "European Studies"],
    "local_history": ["History", "Geography", "Social Studies / Sociology"],
    "folk_music_dance": ["Music", "Physical Education", "History of Culture"],
    "visual_art": ["Art", "History of Culture"],
    "reading_storytelling": ["Language and Literature", "Foreign Languages"],
    "theatre_drama": ["Drama", "Language and Literature", "Foreign Languages"],
    "pen_pals": ["Foreign Languages", "Language and Literature"],
    "democracy_citizenship": ["Citizenship", "Politics", "European Studies"],
    "inclusion_human_rights": ["Citizenship", "Ethics", "Law"],
    "entrepreneurship": ["Economics", "Vocational Subjects"],
    "cooking_traditions": ["Home Economics", "History of Culture", "Vocational Subjects"],
    "mental_health": ["Psychology", "Health Studies"],
    "migration_identity": ["Social Studies / Sociology", "Geography", "History"],
    "science_experiments": ["Chemistry", "Physics", "Natural Sciences"],
    "media_literacy": ["Media Education", "Language and Literature", "Informatics / ICT"],
    "special_needs": ["Special Needs Education", "Psychology"],
    "vocational_tourism": ["Vocational Subjects", "Foreign Languages", "Geography"],
    "early_years_play": ["Pre-School Subjects", "Primary School Subjects"],
    "poetry": ["Language and Literature", "Foreign Languages", "Classical Languages"],
}

# Country -> native language(s) (ISO 639-1), idea-writing languages with weights (only ones that
# have or will have a phrase file), and working languages typical there besides English.
COUNTRY_LANGS: dict[str, dict] = {
    "AT": {"native": ["de"], "write": {"de": 1}, "work": ["en", "fr", "it"]},
    "BE": {"native": ["nl", "fr"], "write": {"nl": 0.55, "fr": 0.45}, "work": ["en", "fr", "nl", "de"]},
    "BG": {"native": ["bg"], "write": {"en": 1}, "work": ["en", "de", "fr", "ru"]},
    "HR": {"native": ["hr"], "write": {"hr": 1}, "work": ["en", "de", "it"]},
    "CY": {"native": ["el"], "write": {"el": 0.8, "en": 0.2}, "work": ["en", "fr"]},
    "CZ": {"native": ["cs"], "write": {"cs": 1}, "work": ["en", "de"]},
    "DK": {"native": ["da"], "write": {"en": 1}, "work": ["en", "de"]},
    "EE": {"native": ["et"], "write": {"en": 1}, "work": ["en", "ru", "fi"]},
    "FI": {"native": ["fi"], "write": {"en": 0.85, "sv": 0.15}, "work": ["en", "sv", "de"]},
    "FR": {"native": ["fr"], "write": {"fr": 1}, "work": ["en", "es", "de", "it"]},
    "DE": {"native": ["de"], "write": {"de": 1}, "work": ["en", "fr", "es"]},
    "GR": {"native": ["el"], "write": {"el": 1}, "work": ["en", "fr", "de"]},
    "HU": {"native": ["hu"], "write": {"en": 1}, "work": ["en", "de"]},
    "IE": {"native": ["en", "ga"], "write": {"en": 1}, "work": ["en", "fr", "de"]},
    "IT": {"native": ["it"], "write": {"it": 1}, "work": ["en", "fr", "es"]},
    "LV": {"native": ["lv"], "write": {"en": 1}, "work": ["en", "ru", "de"]},
    "LT": {"native": ["lt"], "write": {"en": 1}, "work": ["en", "ru", "pl"]},
    "LU": {"native": ["lb", "de", "fr"], "write": {"de": 0.5, "fr": 0.5}, "work": ["en", "fr", "de"]},
    "MT": {"native": ["mt", "en"], "write": {"en": 1}, "work": ["en", "it"]},
    "NL": {"native": ["nl"], "write": {"nl": 1}, "work": ["en", "de", "fr"]},
    "PL": {"native": ["pl"], "write": {"pl": 1}, "work": ["en", "de"]},
    "PT": {"native": ["pt"], "write": {"pt": 1}, "work": ["en", "fr", "es"]},
    "RO": {"native": ["ro"], "write": {"ro": 1}, "work": ["en", "fr", "it"]},
    "SK": {"native": ["sk"], "write": {"cs": 1}, "work": ["en", "de", "cs"]},
    "SI": {"native": ["sl"], "write": {"hr": 1}, "work": ["en", "de", "it", "hr"]},
    "ES": {"native": ["es"], "write": {"es": 1}, "work": ["en", "fr", "pt"]},
    "SE": {"native": ["sv"], "write": {"sv": 1}, "work": ["en", "de", "es"]},
    "IS": {"native": ["is"], "write": {"en": 1}, "work": ["en", "da"]},
    "LI": {"native": ["de"], "write": {"de": 1}, "work": ["en", "fr"]},
    "NO": {"native": ["no"], "write": {"en": 0.8, "sv": 0.2}, "work": ["en", "sv", "de"]},
    "MK": {"native": ["mk"], "write": {"en": 1}, "work": ["en", "hr", "de"]},
    "RS": {"native": ["sr"], "write": {"hr": 1}, "work": ["en", "hr", "de", "ru"]},
    "TR": {"native": ["tr"], "write": {"tr": 1}, "work": ["en", "de"]},
    "AL": {"native": ["sq"], "write": {"en": 1}, "work": ["en", "it"]},
    "BA": {"native": ["bs", "hr"], "write": {"hr": 1}, "work": ["en", "de", "hr"]},
    "ME": {"native": ["sr"], "write": {"hr": 1}, "work": ["en", "hr"]},
    "AM": {"native": ["hy"], "write": {"en": 1}, "work": ["en", "ru", "fr"]},
    "AZ": {"native": ["az"], "write": {"en": 1}, "work": ["en", "tr", "ru"]},
    "GE": {"native": ["ka"], "write": {"en": 1}, "work": ["en", "ru", "de"]},
    "MD": {"native": ["ro"], "write": {"ro": 1}, "work": ["en", "ro", "fr", "ru"]},
    "UA": {"native": ["uk"], "write": {"uk": 1}, "work": ["en", "pl", "de"]},
    "TN": {"native": ["ar"], "write": {"fr": 0.6, "ar": 0.4}, "work": ["fr", "en"]},
    "JO": {"native": ["ar"], "write": {"ar": 0.7, "en": 0.3}, "work": ["en", "ar"]},
    "LB": {"native": ["ar"], "write": {"fr": 0.5, "ar": 0.5}, "work": ["fr", "en"]},
    "XK": {"native": ["sq"], "write": {"en": 1}, "work": ["en", "de"]},
    "PS": {"native": ["ar"], "write": {"ar": 0.7, "en": 0.3}, "work": ["en", "ar"]},
}

# Rough relative eTwinning activity (registered teachers/projects) per country.
COUNTRY_WEIGHTS: dict[str, float] = {
    "TR": 14, "IT": 11, "PL": 9, "ES": 9, "RO": 8, "FR": 7, "GR": 7, "PT": 6, "UA": 4,
    "HR": 3, "DE": 3, "CZ": 3, "SK": 3, "BG": 3, "RS": 2.5, "MK": 2, "BE": 2, "AZ": 2,
    "GE": 2, "LT": 2, "LV": 1.5, "SI": 1.5, "HU": 1.5, "NL": 1.5, "AT": 1.5, "MD": 1.5,
    "AL": 1.5, "TN": 1.5, "SE": 1.2, "FI": 1.2, "DK": 1, "NO": 1, "EE": 1, "IE": 1,
    "CY": 1, "AM": 1, "JO": 1, "BA": 1, "LB": 0.8, "ME": 0.6, "MT": 0.6, "IS": 0.5,
    "XK": 0.5, "PS": 0.5, "LU": 0.4, "LI": 0.2,
}

# People (first names alternate female, male; "m/f" last names have both forms), cities, school names
# and what each phrase says about its writer live in sample_facts, so a profile agrees with its text.

SCHOOL_TYPES = {"pre-primary": 0.12, "primary": 0.30, "lower-secondary": 0.24, "upper-secondary": 0.18,
                "vocational": 0.10, "special-needs": 0.06}
AGE_RANGES = {
    "pre-primary": [(3, 6), (4, 6), (3, 5), (5, 6), (3, 4)],
    "primary": [(6, 11), (7, 10), (8, 11), (6, 8), (9, 11), (6, 10), (7, 11)],
    "lower-secondary": [(11, 15), (12, 15), (11, 14), (13, 15), (12, 14), (11, 13)],
    "upper-secondary": [(15, 19), (15, 18), (16, 19), (14, 18), (16, 18), (17, 19)],
    "vocational": [(15, 19), (16, 19), (15, 18), (17, 19), (14, 18)],
    "special-needs": [(4, 12), (6, 18), (10, 16), (12, 19), (3, 10), (7, 14)],
}
# Subject a teacher at that school level often adds to the theme subjects.
LEVEL_SUBJECT = {"pre-primary": "Pre-School Subjects", "primary": "Primary School Subjects",
                 "vocational": "Vocational Subjects", "special-needs": "Special Needs Education"}

# Themes are not equally likely at every level: toddlers don't run start-ups.
_THEME_BOOST = {
    "pre-primary": {"early_years_play": 12, "healthy_food": 2, "reading_storytelling": 2, "visual_art": 2,
                    "entrepreneurship": 0, "democracy_citizenship": 0.1, "migration_identity": 0.2,
                    "media_literacy": 0.1, "vocational_tourism": 0, "online_safety": 0.2, "mental_health": 0.5},
    "primary": {"early_years_play": 1.5, "pen_pals": 2, "reading_storytelling": 1.5, "vocational_tourism": 0,
                "entrepreneurship": 0.3},
    "lower-secondary": {"early_years_play": 0, "vocational_tourism": 0.1},
    "upper-secondary": {"early_years_play": 0, "democracy_citizenship": 1.5, "media_literacy": 1.5,
                        "vocational_tourism": 0.3},
    "vocational": {"early_years_play": 0, "vocational_tourism": 10, "entrepreneurship": 4,
                   "cooking_traditions": 2, "coding_robotics": 1.5},
    "special-needs": {"special_needs": 15, "early_years_play": 1},
}
_THEME_BASE = {"special_needs": 0.3}

DATE_FIRST = dt.date(2025, 1, 1)
DATE_LAST = dt.date(2026, 11, 20)


def _ascii(text: str) -> str:
    """Email-safe form of a name: no diacritics, spaces or apostrophes."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("ð", "d").replace("þ", "th")
    text = text.replace("Đ", "D").replace("đ", "d").replace("ı", "i").replace("ß", "ss").replace("æ", "ae")
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in norm.lower() if c.isalnum() or c == "-")


class _Cum:
    """Weighted choice via precomputed cumulative weights (rng.choices per call is slower)."""

    def __init__(self, weights: dict):
        self.keys = [k for k, w in weights.items() if w > 0]
        self.cum = list(itertools.accumulate(weights[k] for k in self.keys))

    def pick(self, rng: random.Random):
        return self.keys[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


@lru_cache(maxsize=1)
def phrase_bank() -> dict[str, dict]:
    """All phrase files present now, keyed by language; read once per process."""
    bank = {}
    for path in sorted(PHRASES_DIR.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # another writer may be mid-file; generate with the rest
        if isinstance(data, dict) and data.get("themes") and data.get("lang"):
            bank[data["lang"]] = data
    if not bank:
        raise RuntimeError(f"no phrase files in {PHRASES_DIR}")
    return bank


@lru_cache(maxsize=1)
def _tables() -> dict:
    """Everything per country/language precomputed, so generation is a few choices per field."""
    bank = phrase_bank()
    fallback = "en" if "en" in bank else sorted(bank)[0]
    people, writers = {}, {}
    for code, (first, last, city) in PEOPLE.items():
        # "_" joins the words of one name ("de_Jong", "Novi_Sad"); "/" parts a male and a female form.
        firsts = first.split()
        lasts = [tuple(n.replace("_", " ") for n in (w.split("/") * 2)[:2]) for w in last.split()]
        cities = [c.replace("_", " ") for c in city.split()]
        names = firsts + [n for pair in lasts for n in pair]
        people[code] = (firsts, lasts, cities, {n: _ascii(n) for n in names})
        write = {}
        for lang, w in COUNTRY_LANGS[code]["write"].items():
            write[lang if lang in bank else fallback] = write.get(lang if lang in bank else fallback, 0) + w
        writers[code] = _Cum(write)
    boosts = {}
    for stype in SCHOOL_TYPES:
        w = {t: _THEME_BASE.get(t, 1.0) * _THEME_BOOST.get(stype, {}).get(t, 1.0) for t in THEMES}
        boosts[stype] = _Cum(w)
    dates = [(DATE_FIRST + dt.timedelta(days=i)).isoformat()
             for i in range((DATE_LAST - DATE_FIRST).days + 1)]
    return {"bank": bank, "people": people, "writers": writers, "themes": boosts, "dates": dates,
            "countries": _Cum(COUNTRY_WEIGHTS), "stypes": _Cum(SCHOOL_TYPES), "fallback": fallback}


def theme_pool(lang: str, theme: str) -> dict:
    """The phrase-bank entry for a theme in `lang`, falling back to English when missing."""
    tables = _tables()
    themes = tables["bank"].get(lang, {}).get("themes", {})
    return themes.get(theme) or tables["bank"][tables["fallback"]]["themes"][theme]


def _fitting(lang: str, phrases: list[str], ctx: dict | None) -> list[str]:
    """The phrases whose claims (place, school level, gender, ages...) hold for the profile in ctx."""
    if ctx is None:
        return [p for p in phrases if "{age_" not in p]
    return [p for p in phrases if phrase_fits(lang, p, ctx)]


def _fill(text: str, ctx: dict | None) -> str:
    """Puts the profile's own pupil ages into a phrase that quotes them."""
    if ctx is not None and "{age_" in text:
        text = text.replace("{age_from}", str(ctx["ages"][0])).replace("{age_to}", str(ctx["ages"][1]))
    return text


def _opener(rng: random.Random, lang: str, subject: str, theme: str, ctx: dict | None = None) -> str:
    data = _tables()["bank"][lang]
    openers = _fitting(lang, data["openers"], ctx)
    if ctx is not None and subject == "Language and Literature" and lang not in ctx["native"]:
        # The label names the writing language's literature ("English language and literature"),
        # which is not what a teacher at a school of another language teaches.
        openers = [o for o in openers if "{subject}" not in o] or openers
    text = _fill(rng.choice(openers), ctx)
    if "{subject}" in text:
        text = text.replace("{subject}", data.get("subjects", {}).get(subject, subject))
    if text[-1] not in ".!?…。؟":
        # Some banks write openers as lead-ins ("a project about"); finish with a topic phrase.
        interests = _fitting(lang, theme_pool(lang, theme)["interests"], ctx) or theme_pool(lang, theme)["interests"]
        text = f"{text} {rng.choice(interests)}."
    return text


def idea(rng: random.Random, lang: str, theme: str, subject: str, n_sentences: int | None = None,
         closer_p: float = 0.6, ctx: dict | None = None) -> dict:
    """One project idea: a title, an opener, 2-4 sentences on one theme, maybe a closer. With `ctx`
    (the profile's country, city, type, gender, ages, experience, languages) every phrase agrees with it."""
    pool = theme_pool(lang, theme)
    k = n_sentences or rng.randint(2, 4)
    sentences = _fitting(lang, pool["sentences"], ctx)
    parts = [_opener(rng, lang, subject, theme, ctx)] + rng.sample(sentences, min(k, len(sentences)))
    if rng.random() < closer_p:
        parts.append(_fill(rng.choice(_fitting(lang, _tables()["bank"][lang]["closers"], ctx)), ctx))
    titles = _fitting(lang, pool["titles"], ctx) or theme_pool("en", theme)["titles"]
    return {"title": rng.choice(titles), "text": " ".join(parts)}


def teacher_languages(rng: random.Random, country: str, write_lang: str, rare: bool) -> list[str]:
    """Languages a teacher lists: native (+ the one they write in), usually English, sometimes more."""
    native = COUNTRY_LANGS[country]["native"][0]
    if write_lang in COUNTRY_LANGS[country]["native"]:
        native = write_lang
    langs = [native]
    if write_lang != native:
        langs.append(write_lang)
    if rare:
        return langs
    if "en" not in langs and rng.random() < 0.93:
        langs.append("en")
    for extra in COUNTRY_LANGS[country]["work"]:
        if extra not in langs and rng.random() < 0.18:
            langs.append(extra)
    return langs


def pick_subjects(rng: random.Random, themes: list[str], stype: str) -> list[str]:
    """1-3 taxonomy labels: from the themes, sometimes the school level's label or Cross Curricular."""
    off = SUBJECTS_OFF.get(stype, set())
    cands = [s for t in themes for s in THEMES[t] if s not in off]
    cands = cands or [LEVEL_SUBJECT.get(stype, "Cross Curricular")]
    subs = [rng.choice(cands)]
    for _ in range(rng.randint(0, 2)):
        r = rng.random()
        s = LEVEL_SUBJECT.get(stype) if r < 0.3 else "Cross Curricular" if r < 0.4 else rng.choice(cands)
        if s and s not in subs:
            subs.append(s)
    return subs


def age_groups(rng: random.Random, stype: str) -> list[dict]:
    lo, hi = rng.choice(AGE_RANGES[stype])
    groups = [{"from": lo, "to": hi}]
    if stype in ("primary", "lower-secondary") and rng.random() < 0.1:
        lo2, hi2 = rng.choice(AGE_RANGES[stype])
        if (lo2, hi2) != (lo, hi):
            groups.append({"from": lo2, "to": hi2})
    return groups


def school_name_lang(country: str, city: str) -> str:
    """The language (and variant) a school's name is written in: the country's, or the city's in Belgium."""
    if country == "BE":
        return f"{BELGIAN_CITY_LANG[city]}-BE"
    return SCHOOL_LANG[country]


def school_name(country: str, city: str, stype: str, n: int) -> str:
    """A school's name in the country's language, of a kind that matches its type."""
    name_lang = school_name_lang(country, city)
    base = name_lang.split("-")[0]
    local = CITY_IN_NAME.get(base, {}).get(city, city)
    name = SCHOOL_NAMES[name_lang][LEVEL[stype]].format(city=local, n=n)
    if base == "fr":  # French elides "de" before a vowel: "Lycée technique d'Ettelbruck"
        name = re.sub(r"\bde (?=[AEIOUÉaeiou])", "d'", name)
    return name


def new_school(rng: random.Random, serial: int, country: str, stype: str | None = None) -> dict:
    tables = _tables()
    stype = stype or tables["stypes"].pick(rng)
    _, _, cities, _ = tables["people"][country]
    city = rng.choice(cities)
    return {"id": f"sch-{serial:06d}", "name": school_name(country, city, stype, rng.randint(1, 30)),
            "country": country, "city": city, "type": stype}


def writing_language(rng: random.Random, school: dict) -> str:
    """The language a teacher at `school` writes ideas in; in Belgium, the school's own."""
    if school["country"] == "BE":
        return BELGIAN_CITY_LANG[school["city"]]
    return _tables()["writers"][school["country"]].pick(rng)


def profile(rng: random.Random, pid: str, school: dict, themes: list[str], *, lang: str | None = None,
            languages: list[str] | None = None, ages: list[dict] | None = None,
            subjects: list[str] | None = None, n_ideas: int | None = None) -> dict:
    """A full profile dict for one teacher at `school` working on `themes` (1-2 theme keys)."""
    tables = _tables()
    country, stype = school["country"], school["type"]
    firsts, lasts, _, ascii_of = tables["people"][country]
    i = rng.randrange(len(firsts))
    gender = "f" if i % 2 == 0 else "m"
    first, last = firsts[i], rng.choice(lasts)[gender == "f"]
    lang = lang or writing_language(rng, school)
    if languages is None:
        native_only = (lang in COUNTRY_LANGS[country]["native"] and lang != "en" and rng.random() < 0.14)
        languages = teacher_languages(rng, country, lang, native_only)
        # Teachers who speak English sometimes write their idea in English to reach more partners.
        if "en" in languages and lang != "en" and "en" in tables["bank"] and rng.random() < 0.12:
            lang = "en"
    subjects = subjects or pick_subjects(rng, themes, stype)
    ages = ages or age_groups(rng, stype)
    experience = min(30, int(rng.expovariate(1 / 6)))
    ctx = {"country": country, "city": school["city"], "type": stype, "gender": gender,
           "ages": (min(a["from"] for a in ages), max(a["to"] for a in ages)), "experience": experience,
           "languages": languages, "native": COUNTRY_LANGS[country]["native"]}
    ideas = [idea(rng, lang, themes[i % len(themes)], subjects[0], ctx=ctx)
             for i in range(n_ideas or rng.choice((1, 1, 1, 2, 2, 3)))]
    interests = []
    for t in themes:
        interests += _fitting(lang, theme_pool(lang, t)["interests"], ctx)
    interests = rng.sample(interests, min(len(interests), rng.randint(2, 4)))
    out = {
        "id": pid,
        "name": f"{first} {last}",
        "email": f"{ascii_of[first]}.{ascii_of[last].replace('-', '')}@school.example",
        "school": school,
        "subjects": subjects,
        "age_groups": ages,
        "languages": languages,
        "interests": interests,
        "ideas": ideas,
        "experience": experience,
        "last_active": rng.choice(tables["dates"]),
        "open_to_partners": rng.random() < 0.93,
    }
    if rng.random() < 0.4:
        out["response_rate"] = round(rng.random() ** 0.5, 2)
    return out


def pick_themes(rng: random.Random, stype: str) -> list[str]:
    dist = _tables()["themes"][stype]
    first = dist.pick(rng)
    if rng.random() < 0.35:
        second = dist.pick(rng)
        if second != first:
            return [first, second]
    return [first]


def generate(n: int, seed: int = 7) -> Iterator[dict]:
    """Yield `n` profile dicts valid for models.Profile; same seed, same profiles."""
    rng = random.Random(seed)
    tables = _tables()
    # Every country gets a school before weighted draws start, so small samples cover all 46.
    first_round = sorted(COUNTRY_LANGS)
    rng.shuffle(first_round)
    recent: list[dict] = []  # ring of recent schools; colleagues join one (~2.5 teachers/school)
    serial = 0
    for i in range(n):
        if recent and rng.random() < 0.6:
            school = rng.choice(recent)
        else:
            country = first_round[serial] if serial < len(first_round) else tables["countries"].pick(rng)
            school = new_school(rng, serial, country)
            serial += 1
            if len(recent) < 40:
                recent.append(school)
            else:
                recent[serial % 40] = school
        yield profile(rng, f"tm-{i:06d}", school, pick_themes(rng, school["type"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=None, help="JSONL file (default: stdout)")
    args = ap.parse_args(argv)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        for p in generate(args.n, args.seed):
            out.write(json.dumps(p, ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"wrote {args.n} profiles to {args.out} (languages: {', '.join(sorted(phrase_bank()))})",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
