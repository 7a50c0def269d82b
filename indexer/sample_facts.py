"""What the sample's phrases say about their writer, so a profile agrees with its text."""
from __future__ import annotations

import json
from pathlib import Path

# Subjects a teacher at that school type does not list (toddlers don't study law).
SUBJECTS_OFF = {
    "pre-primary": {"Law", "Economics", "Politics", "Philosophy / Logic", "Psychology", "Classical Languages",
                    "Vocational Subjects", "Chemistry", "Physics", "Geology", "Astronomy", "Biology",
                    "European Studies", "Media Education", "Social Studies / Sociology", "Ethics",
                    "Primary School Subjects", "Design and Technology", "Informatics / ICT", "History"},
    "primary": {"Law", "Economics", "Politics", "Philosophy / Logic", "Psychology", "Classical Languages",
                "Vocational Subjects", "Chemistry", "Physics", "Geology", "Social Studies / Sociology",
                "Pre-School Subjects"},
    "lower-secondary": {"Law", "Pre-School Subjects", "Primary School Subjects", "Vocational Subjects"},
    "upper-secondary": {"Pre-School Subjects", "Primary School Subjects"},
    "vocational": {"Pre-School Subjects", "Primary School Subjects", "Classical Languages"},
    "special-needs": {"Law", "Politics", "Philosophy / Logic", "Classical Languages"},
}

# Pupil ages per school type (domain.md: pre-primary 3-6, primary about 6-12, secondary 11-19).
TYPE_AGES = {"pre-primary": (3, 6), "primary": (5, 12), "lower-secondary": (10, 16),
             "upper-secondary": (14, 19), "vocational": (14, 19), "special-needs": (3, 19), "other": (3, 19)}

# What a phrase says about its writer, keyed by a piece of its text (sample_facts.json, one
# marker a line, per language): the school types, countries or cities it fits, the writer's
# gender, the pupil ages or grade it names ("ages": they must lie within the profile's age groups),
# how old the oldest or youngest pupils must be for its words ("oldest": 13 for teenagers and exam
# stress, 10 for older pupils' work such as debates, 7 for pupils who write or code on their own;
# "youngest": 13 for "the children", 10 for "little scientists", 7 for little ones and
# kindergartens), the years of experience it states or implies ("exp"), and languages it says are
# used ("langs").
PHRASE_FACTS: dict[str, list[tuple[str, dict]]] = {
    lang: [(marker, facts) for marker, facts in rows]
    for lang, rows in json.loads(Path(__file__).with_suffix(".json").read_text(encoding="utf-8")).items()
}


def phrase_fits(lang: str, text: str, ctx: dict) -> bool:
    """Whether `text` (a phrase in `lang`) says nothing that contradicts the profile facts in `ctx`:
    country, city, type, gender, ages (lo, hi: the youngest and oldest pupils), experience (years),
    languages, and native (the school country's languages, for the {subject} slot)."""
    for marker, facts in PHRASE_FACTS.get(lang, ()):
        if marker not in text:
            continue
        if "types" in facts and ctx["type"] not in facts["types"]:
            return False
        if "countries" in facts and ctx["country"] not in facts["countries"]:
            return False
        if "cities" in facts and ctx["city"] not in facts["cities"]:
            return False
        if "gender" in facts and facts["gender"] != ctx["gender"]:
            return False
        if "ages" in facts and not (ctx["ages"][0] <= facts["ages"][0] and facts["ages"][1] <= ctx["ages"][1]):
            return False
        if "oldest" in facts and ctx["ages"][1] < facts["oldest"]:
            return False
        if "youngest" in facts and ctx["ages"][0] > facts["youngest"]:
            return False
        if "exp" in facts and (ctx.get("experience") or 0) < facts["exp"]:
            return False
        if "langs" in facts and not set(facts["langs"]) <= set(ctx["languages"]):
            return False
    return True
