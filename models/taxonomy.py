"""Reference taxonomy (subjects, countries, school types) and label validation."""
from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path

_PATH = Path(__file__).with_name("taxonomy.json")


@lru_cache(maxsize=1)
def taxonomy() -> dict:
    """The reference taxonomy, a copy of shared/taxonomy.json shipped with the package."""
    return json.loads(_PATH.read_text(encoding="utf-8"))


def subjects() -> list[str]:
    return taxonomy()["subjects"]


def countries() -> dict[str, str]:
    return taxonomy()["countries"]


def school_types() -> list[str]:
    return taxonomy()["school_types"]


@lru_cache(maxsize=1)
def _subject_index() -> dict[str, str]:
    """Lower-cased label (and localized aliases) -> canonical label."""
    index = {s.lower(): s for s in subjects()}
    aliases = Path(__file__).with_name("taxonomy_i18n.json")
    if aliases.exists():
        data = json.loads(aliases.read_text(encoding="utf-8"))
        for lang_labels in data.get("subjects", {}).values():
            for canonical, local in lang_labels.items():
                index.setdefault(local.lower(), canonical)
    return index


def canonical_subject(label: str) -> str:
    """Return the reference label for `label`, or raise ValueError naming the closest ones."""
    found = _subject_index().get(label.strip().lower())
    if found:
        return found
    wanted = label.strip().lower()
    index = _subject_index()
    # Same first letters first ("Maths" -> "Mathematics / Geometry"), then similar words, then
    # similar whole labels.
    close = [key for key in index if len(wanted) >= 4 and key.startswith(wanted[:4])]
    words = {w: key for key in index for w in key.replace("/", " ").split() if len(w) > 3}
    close += [words[w] for w in difflib.get_close_matches(wanted, list(words), n=3, cutoff=0.6)]
    close += difflib.get_close_matches(wanted, list(index), n=3, cutoff=0.4)
    hint = ", ".join(list(dict.fromkeys(index[c] for c in close))[:4]) or "see GET /v1/taxonomy"
    raise ValueError(f"unknown subject {label!r}; closest valid: {hint}")


@lru_cache(maxsize=1)
def _labels() -> dict:
    path = Path(__file__).with_name("taxonomy_i18n.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def localized_subject(subject: str, lang: str) -> str:
    """The subject's label in `lang` where the taxonomy has one, else the subject as given."""
    return _labels().get("subjects", {}).get(lang, {}).get(subject, subject)


def localized_country(code: str, lang: str) -> str | None:
    """The country's name in `lang` where the taxonomy has one (Palestine named as it is here), else None."""
    return _labels().get("countries", {}).get(lang, {}).get(code)
