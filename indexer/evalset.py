"""Evaluation dataset: eTwinning-like partner groups, near-miss distractors and graded qrels."""
from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

from indexer.sample import Weighted, new_school, pick_themes, profile, sampling_tables, teacher_languages
from indexer.sample_tables import AGE_RANGES, COUNTRY_LANGS, LEVEL_SUBJECT, SCHOOL_TYPES, THEMES

# Working language a project group agrees on (English dominates, as on the platform).
WORK_LANGS = {"en": 0.64, "fr": 0.11, "de": 0.09, "es": 0.08, "it": 0.08}
STYPES = [s for s in SCHOOL_TYPES if s != "special-needs"]


class _Builder:
    """Accumulates profiles with the facts qrels need (theme, languages, ages, country, group)."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.profiles: list[dict] = []
        self.meta: list[dict] = []
        self.school_serial = 0
        self.tables = sampling_tables()
        self.work = Weighted(WORK_LANGS)
        # Themes go round-robin and each theme's groups take different school levels, so one
        # theme+age band is not crowded with unrelated groups (the honest grade-1 pool stays small).
        self.theme_order = list(THEMES)
        self.rng.shuffle(self.theme_order)
        self.levels_used: dict[str, set[str]] = {}

    def school(self, country: str, stype: str) -> dict:
        self.school_serial += 1
        return new_school(self.rng, self.school_serial, country, stype)

    def add(self, prof: dict, themes: list[str], kind: str, group: int | None = None) -> dict:
        self.profiles.append(prof)
        self.meta.append({"themes": set(themes), "primary": themes[0], "kind": kind, "group": group})
        return prof

    def country(self, exclude: set[str] = frozenset()) -> str:
        while True:
            c = self.tables["countries"].pick(self.rng)
            if c not in exclude:
                return c

    def stype_for(self, theme: str) -> str:
        """A school level where this theme is actually run (no start-ups in kindergarten)."""
        while True:
            s = self.tables["stypes"].pick(self.rng)
            dist = self.tables["themes"][s]
            if theme in dist.keys:
                return s

    def ages_near(self, core: tuple[int, int]) -> list[dict]:
        """A member's own range: the group's core range nudged a year, so ranges differ but overlap."""
        lo, hi = core
        lo2 = max(0, lo + self.rng.choice((-1, 0, 0, 1)))
        hi2 = max(lo2 + 1, hi + self.rng.choice((-1, 0, 0, 1)))
        return [{"from": lo2, "to": hi2}]

    def subjects(self, theme: str, stype: str) -> list[str]:
        """Labels vary per member: theme subjects, the level's label or Cross Curricular."""
        pool = list(THEMES[theme]) + ["Cross Curricular"] + ([LEVEL_SUBJECT[stype]] if stype in LEVEL_SUBJECT else [])
        return self.rng.sample(pool, self.rng.choice((1, 1, 2, 2, 3)) if len(pool) >= 3 else 1)

    def member(self, gid: int, country: str, theme: str, stype: str, core, work: str) -> dict:
        rng = self.rng
        lang = self.tables["writers"][country].pick(rng)
        langs = teacher_languages(rng, country, lang, rare=False)
        if work not in langs:
            langs.append(work)
        if "en" in langs and lang != "en" and rng.random() < 0.08:
            lang = "en"  # some write in English to be found by more partners
        themes = [theme]
        if rng.random() < 0.25:  # a second, unrelated idea, as real profiles often have
            other = pick_themes(rng, stype)[0]
            if other != theme:
                themes.append(other)
        p = profile(rng, "tmp", self.school(country, stype), themes, lang=lang, languages=langs,
                    ages=self.ages_near(core), subjects=self.subjects(theme, stype),
                    n_ideas=len(themes))
        p["open_to_partners"] = True  # they were looking, that is how the group formed
        return self.add(p, themes, "member", gid)

    def group(self, gid: int) -> None:
        rng = self.rng
        theme = self.theme_order[gid % len(self.theme_order)]
        used = self.levels_used.setdefault(theme, set())
        stype = "special-needs" if theme == "special_needs" and rng.random() < 0.5 else self.stype_for(theme)
        for _ in range(12):
            if stype not in used:
                break
            stype = self.stype_for(theme)
        used.add(stype)
        core = rng.choice(AGE_RANGES[stype])
        work = self.work.pick(rng)
        size = rng.choice((2, 2, 3, 3, 3, 4, 4, 5))
        countries: list[str] = []
        while len(countries) < size:
            countries.append(self.country(set(countries)))
        members = [self.member(gid, c, theme, stype, core, work) for c in countries]
        union = {lang for m in members for lang in m["languages"]}
        self.lang_miss(theme, stype, core, union, set(countries))
        self.age_miss(theme, members, work)
        self.same_country(theme, stype, core, work, members)
        for _ in range(2):
            self.subject_tempt(theme, stype, core, work, members)

    def lang_miss(self, theme, stype, core, union, countries) -> None:
        """Same theme and ages, but no language in common with anyone in the group."""
        rng = self.rng
        for _ in range(200):
            c = self.country(countries)
            native = COUNTRY_LANGS[c]["native"][0]
            lang = self.tables["writers"][c].pick(rng)
            if native in union or lang in union:
                continue
            langs = teacher_languages(rng, c, lang, rare=True)
            langs += [x for x in COUNTRY_LANGS[c]["work"] if x not in union and x not in langs][:rng.randint(0, 1)]
            p = profile(rng, "tmp", self.school(c, stype), [theme], lang=lang, languages=langs,
                        ages=self.ages_near(core), subjects=self.subjects(theme, stype))
            self.add(p, [theme], "lang_miss")
            return

    def age_miss(self, theme, members, work) -> None:
        """Same theme and a shared working language, but pupils of ages no member teaches."""
        rng = self.rng
        taken = [(a["from"], a["to"]) for m in members for a in m["age_groups"]]
        for _ in range(100):
            stype = rng.choice(STYPES)
            lo, hi = rng.choice(AGE_RANGES[stype])
            if all(hi < a or lo > b for a, b in taken):
                c = self.country()
                lang = self.tables["writers"][c].pick(rng)
                langs = teacher_languages(rng, c, lang, rare=False)
                if work not in langs:
                    langs.append(work)
                p = profile(rng, "tmp", self.school(c, stype), [theme], lang=lang, languages=langs,
                            ages=[{"from": lo, "to": hi}], subjects=self.subjects(theme, stype))
                self.add(p, [theme], "age_miss")
                return

    def same_country(self, theme, stype, core, work, members) -> None:
        """A compatible teacher in a member's own country, often a colleague at the same school."""
        rng = self.rng
        m = rng.choice(members)
        c = m["school"]["country"]
        school = m["school"] if rng.random() < 0.5 else self.school(c, stype)
        lang = self.tables["writers"][c].pick(rng)
        langs = teacher_languages(rng, c, lang, rare=False)
        if work not in langs:
            langs.append(work)
        p = profile(rng, "tmp", school, [theme], lang=lang, languages=langs,
                    ages=self.ages_near(core), subjects=self.subjects(theme, stype))
        self.add(p, [theme], "same_country")

    def subject_tempt(self, theme, stype, core, work, members) -> None:
        """Other theme, but a member's subject label, language and ages: a subject filter passes it."""
        rng = self.rng
        m = rng.choice(members)
        other = pick_themes(rng, stype)[0]
        if other == theme:
            other = rng.choice([t for t in THEMES if t != theme])
        c = self.country({m["school"]["country"]})
        lang = self.tables["writers"][c].pick(rng)
        langs = teacher_languages(rng, c, lang, rare=False)
        if work not in langs:
            langs.append(work)
        subs = list(dict.fromkeys([rng.choice(m["subjects"])] + self.subjects(other, stype)))
        p = profile(rng, "tmp", self.school(c, stype), [other], lang=lang, languages=langs,
                    ages=self.ages_near(core), subjects=subs)
        self.add(p, [other], "subject_tempt")

    def background(self) -> None:
        """An ordinary profile, as in the sample generator."""
        rng = self.rng
        c = self.country()
        stype = self.tables["stypes"].pick(rng)
        themes = pick_themes(rng, stype)
        self.add(profile(rng, "tmp", self.school(c, stype), themes), themes, "background")


def _overlap(a: list[dict], b: list[dict], years: int = 2) -> bool:
    """Compatible ages: at least `years` shared years (one shared birthday year is a boundary, not a class)."""
    return any(min(x["to"], y["to"]) - max(x["from"], y["from"]) + 1 >= years for x in a for y in b)


def build(seed: int = 11, groups: int = 180, background: int = 640) -> tuple[list[dict], list[tuple[str, str, int]], dict]:
    """Profiles (shuffled, ids assigned) and qrels rows; grade 2 = group-mate, 1 = plausible partner."""
    b = _Builder(seed)
    for gid in range(groups):
        b.group(gid)
    for _ in range(background):
        b.background()
    order = list(range(len(b.profiles)))
    b.rng.shuffle(order)  # groups must not sit next to each other in the file
    for new_id, idx in enumerate(order):
        b.profiles[idx]["id"] = f"ev-{new_id:05d}"
    rows: list[tuple[str, str, int]] = []
    by_theme: dict[str, list[int]] = {}
    for i, m in enumerate(b.meta):
        # Only a profile's main idea counts: a side idea on the theme is a weak signal of a partner.
        by_theme.setdefault(m["primary"], []).append(i)
    for qi, qm in enumerate(b.meta):
        if qm["kind"] != "member":
            continue
        q = b.profiles[qi]
        # The group theme is the one all mates share; a member's second idea is noise.
        mates = [i for i, m in enumerate(b.meta) if m["group"] == qm["group"] and i != qi]
        theme = {qm["primary"]}  # members' first idea is the group's theme
        for i in mates:
            rows.append((q["id"], b.profiles[i]["id"], 2))
        seen = set(mates) | {qi}
        for t in theme:
            for i in by_theme[t]:
                c = b.profiles[i]
                if i in seen or not c["open_to_partners"]:
                    continue
                if (c["school"]["country"] != q["school"]["country"]
                        and set(c["languages"]) & set(q["languages"])
                        and _overlap(c["age_groups"], q["age_groups"])):
                    rows.append((q["id"], c["id"], 1))
                    seen.add(i)
    rows.sort()
    stats = {"profiles": len(b.profiles), "groups": groups,
             "members": sum(m["kind"] == "member" for m in b.meta),
             "kinds": dict(Counter(m["kind"] for m in b.meta)),
             "distractors": sum(m["kind"] != "member" for m in b.meta),
             "grade2": sum(r[2] == 2 for r in rows), "grade1": sum(r[2] == 1 for r in rows)}
    profiles = [b.profiles[i] for i in sorted(range(len(order)), key=lambda i: b.profiles[i]["id"])]
    return profiles, rows, stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path("indexer/data/evaldev"))
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--groups", type=int, default=180)
    ap.add_argument("--background", type=int, default=640)
    args = ap.parse_args(argv)
    profiles, rows, stats = build(args.seed, args.groups, args.background)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "profiles.jsonl").open("w", encoding="utf-8") as f:
        for p in profiles:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    with (args.out / "qrels.tsv").open("w", encoding="utf-8") as f:
        f.write("# query_profile_id\tpartner_profile_id\tgrade (2 = same project group, "
                "1 = plausible partner: same theme, shared language, overlapping ages, other country)\n")
        for q, c, g in rows:
            f.write(f"{q}\t{c}\t{g}\n")
    queries = len({r[0] for r in rows})
    print(f"wrote {args.out}: {stats['profiles']} profiles ({stats['members']} in {stats['groups']} groups, "
          f"{stats['distractors']} distractors {stats['kinds']}); {queries} queries, "
          f"{stats['grade2']} grade-2 and {stats['grade1']} grade-1 pairs "
          f"({stats['grade1'] / max(1, queries):.1f} grade-1 per query)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
