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
    close = difflib.get_close_matches(label.strip().lower(), list(_subject_index()), n=3, cutoff=0.4)
    hint = ", ".join(sorted({_subject_index()[c] for c in close})) or "see GET /v1/taxonomy"
    raise ValueError(f"unknown subject {label!r}; closest valid: {hint}")
