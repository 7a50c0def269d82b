"""The sample generator's tables: themes, countries and their languages, school types, ages, dates."""
from __future__ import annotations

import datetime as dt

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
THEME_BOOST = {
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
THEME_BASE = {"special_needs": 0.3}

DATE_FIRST = dt.date(2025, 1, 1)
DATE_LAST = dt.date(2026, 11, 20)
