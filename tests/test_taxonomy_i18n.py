"""Localized taxonomy labels: complete for every widget language, and unambiguous as input aliases."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from models import taxonomy

LANGS = ("en", "pt", "ro", "ca", "es", "fr", "de", "it", "pl", "el")
I18N = json.loads((Path(taxonomy.__file__).with_name("taxonomy_i18n.json")).read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_label_is_there(lang):
    assert list(I18N["subjects"][lang]) == taxonomy.subjects()
    assert list(I18N["countries"][lang]) == list(taxonomy.countries())
    assert list(I18N["school_types"][lang]) == taxonomy.school_types()
    for group in ("subjects", "countries", "school_types"):
        labels = list(I18N[group][lang].values())
        assert all(x.strip() == x and x for x in labels)
        assert len(set(labels)) == len(labels), f"{group}/{lang} has a label twice"
        # precomposed diacritics, so the same word always compares equal
        assert all(unicodedata.normalize("NFC", x) == x for x in labels)


def test_english_is_the_reference():
    assert I18N["countries"]["en"] == taxonomy.countries()
    assert list(I18N["subjects"]["en"].values()) == taxonomy.subjects()


def test_localized_subjects_resolve_to_their_own_subject():
    for lang in LANGS:
        for canonical, label in I18N["subjects"][lang].items():
            assert taxonomy.canonical_subject(label) == canonical, (lang, label)
            assert taxonomy.canonical_subject(label.upper()) == canonical


@pytest.mark.parametrize("lang,code,name", [
    ("pt", "DE", "Alemanha"), ("ro", "RO", "România"), ("ca", "ES", "Espanya"), ("pl", "GR", "Grecja"),
    ("el", "GR", "Ελλάδα"), ("de", "TR", "Türkei"), ("fr", "PS", "Palestine"), ("it", "HR", "Croazia")])
def test_some_country_names(lang, code, name):
    assert I18N["countries"][lang][code] == name


def test_taxonomy_endpoint_localizes(client):
    body = client.get("/v1/taxonomy", params={"lang": "pt"}).json()
    assert {"id": "Art", "label": "Arte"} in body["subjects"]
    assert {"code": "PT", "name": "Portugal"} in body["countries"]
    assert {"code": "DE", "name": "Alemanha"} in body["countries"]
    assert client.get("/v1/taxonomy", params={"lang": "el"}).json()["subjects"][0]["label"] == "Εικαστικά"
