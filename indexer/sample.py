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

from indexer.sample_facts import SUBJECTS_OFF, phrase_fits
from indexer.sample_people import BELGIAN_CITY_LANG, CITY_IN_NAME, LEVEL, PEOPLE, SCHOOL_LANG, SCHOOL_NAMES
from indexer.sample_tables import (AGE_RANGES, COUNTRY_LANGS, COUNTRY_WEIGHTS, DATE_FIRST, DATE_LAST, LEVEL_SUBJECT,
                                   SCHOOL_TYPES, THEME_BASE, THEME_BOOST, THEMES)

PHRASES_DIR = Path(__file__).with_name("phrases")


def _ascii(text: str) -> str:
    """Email-safe form of a name: no diacritics, spaces or apostrophes."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("ð", "d").replace("þ", "th")
    text = text.replace("Đ", "D").replace("đ", "d").replace("ı", "i").replace("ß", "ss").replace("æ", "ae")
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in norm.lower() if c.isalnum() or c == "-")


class Weighted:
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
def sampling_tables() -> dict:
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
        writers[code] = Weighted(write)
    boosts = {}
    for stype in SCHOOL_TYPES:
        w = {t: THEME_BASE.get(t, 1.0) * THEME_BOOST.get(stype, {}).get(t, 1.0) for t in THEMES}
        boosts[stype] = Weighted(w)
    dates = [(DATE_FIRST + dt.timedelta(days=i)).isoformat()
             for i in range((DATE_LAST - DATE_FIRST).days + 1)]
    return {"bank": bank, "people": people, "writers": writers, "themes": boosts, "dates": dates,
            "countries": Weighted(COUNTRY_WEIGHTS), "stypes": Weighted(SCHOOL_TYPES), "fallback": fallback}


def theme_pool(lang: str, theme: str) -> dict:
    """The phrase-bank entry for a theme in `lang`, falling back to English when missing."""
    tables = sampling_tables()
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
    data = sampling_tables()["bank"][lang]
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
        parts.append(_fill(rng.choice(_fitting(lang, sampling_tables()["bank"][lang]["closers"], ctx)), ctx))
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
    tables = sampling_tables()
    stype = stype or tables["stypes"].pick(rng)
    _, _, cities, _ = tables["people"][country]
    city = rng.choice(cities)
    return {"id": f"sch-{serial:06d}", "name": school_name(country, city, stype, rng.randint(1, 30)),
            "country": country, "city": city, "type": stype}


def writing_language(rng: random.Random, school: dict) -> str:
    """The language a teacher at `school` writes ideas in; in Belgium, the school's own."""
    if school["country"] == "BE":
        return BELGIAN_CITY_LANG[school["city"]]
    return sampling_tables()["writers"][school["country"]].pick(rng)


def profile(rng: random.Random, pid: str, school: dict, themes: list[str], *, lang: str | None = None,
            languages: list[str] | None = None, ages: list[dict] | None = None,
            subjects: list[str] | None = None, n_ideas: int | None = None) -> dict:
    """A full profile dict for one teacher at `school` working on `themes` (1-2 theme keys)."""
    tables = sampling_tables()
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
    dist = sampling_tables()["themes"][stype]
    first = dist.pick(rng)
    if rng.random() < 0.35:
        second = dist.pick(rng)
        if second != first:
            return [first, second]
    return [first]


def generate(n: int, seed: int = 7) -> Iterator[dict]:
    """Yield `n` profile dicts valid for models.Profile; same seed, same profiles."""
    rng = random.Random(seed)
    tables = sampling_tables()
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
