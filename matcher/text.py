"""Language detection and the text units we embed and index for a profile."""
from __future__ import annotations

from functools import lru_cache

from langdetect import DetectorFactory, LangDetectException, detect_langs

from models import Profile

DetectorFactory.seed = 0  # langdetect is random by default; we want the same answer every run

# langdetect reports some codes we normalise to ISO 639-1.
_ALIASES = {"zh-cn": "zh", "zh-tw": "zh"}

# langdetect has no profile for some languages of eTwinning's countries and names another one:
# Georgian and Armenian come out as Estonian, Azerbaijani as Turkish, Serbian Cyrillic as
# Macedonian or Bulgarian, Icelandic as Norwegian, Maltese as Croatian, Albanian or Swedish.
# A text mostly in the Georgian or Armenian script is in that language.
_SCRIPTS = {"ka": ((0x10A0, 0x10FF), (0x1C90, 0x1CBF), (0x2D00, 0x2D2F)),
            "hy": ((0x0530, 0x058F), (0xFB13, 0xFB17))}
# Letters that only that language writes, and the answers of langdetect they correct, besides no
# confident answer (None: any but English, where the letter is likelier a name's).
_LETTERS = {"az": ("əƏ", {"tr"}), "sr": ("ђћЂЋ", {"bg", "mk", "ru", "uk"}),
            "is": ("þðÞÐ", {"no", "sv", "da", "nl", "de", "af", "fi", "et"}), "mt": ("ħĦ", None)}


def _script(text: str) -> str | None:
    """Georgian ("ka") or Armenian ("hy"), when most of the letters of `text` are in its script."""
    letters = [ord(ch) for ch in text if ch.isalpha()]
    for lang, ranges in _SCRIPTS.items():
        if 2 * sum(any(a <= c <= b for a, b in ranges) for c in letters) > len(letters) > 0:
            return lang
    return None


@lru_cache(maxsize=65536)
def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text`: by its script, its letters or langdetect; None when none of
    them tells."""
    if len(text.strip()) < 3:
        return None
    script = _script(text)
    if script is not None:
        return script
    try:
        best = detect_langs(text)[0]
        lang = _ALIASES.get(best.lang, best.lang) if best.prob >= 0.5 else None
    except LangDetectException:
        lang = None
    for code, (letters, mistaken) in _LETTERS.items():
        wrong = lang is None or (lang in mistaken if mistaken is not None else lang != "en")
        if wrong and any(ch in text for ch in letters):
            return code
    return lang


def annotate_languages(profile: Profile) -> Profile:
    """Set `lang` on every idea that has none."""
    for idea in profile.ideas:
        if not idea.lang:
            idea.lang = detect_language(f"{idea.title or ''}. {idea.text}")
    return profile


def units(profile: Profile) -> list[tuple[str, str]]:
    """(unit name, text) pairs to embed: each idea on its own, plus interests.

    Embedding ideas one by one (not one concatenation of every field) keeps shared
    boilerplate from pulling same-language profiles together and lets us point at the
    idea pair that matched.
    """
    out = [(f"idea:{i}", f"{idea.title}. {idea.text}" if idea.title else idea.text)
           for i, idea in enumerate(profile.ideas)]
    if profile.interests:
        out.append(("interests", "; ".join(profile.interests)))
    return out


def unit_label(profile: Profile, unit: str, width: int = 80) -> str:
    """A unit as reasons and explanations name it: the idea's title (its text when untitled), or
    the interests, cut to `width` characters."""
    if unit.startswith("idea:"):
        idea = profile.ideas[int(unit.split(":")[1])]
        label = idea.title or idea.text
    else:
        label = "; ".join(profile.interests)
    return label if len(label) <= width else label[:width - 1].rstrip() + "…"


def main_language(profile: Profile) -> str | None:
    """The language most of a profile's ideas were detected in (None if none was)."""
    langs = [i.lang for i in profile.ideas if i.lang]
    return max(langs, key=langs.count) if langs else None


def keyword_text(profile: Profile) -> str:
    """Everything BM25 should see: idea titles and texts and interests."""
    parts = [f"{i.title or ''} {i.text}" for i in profile.ideas]
    parts.extend(profile.interests)
    return "\n".join(parts)
