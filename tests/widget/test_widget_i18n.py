"""The widget in every UI language: its strings, country, language and school-type names, unmixed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright is not installed: `pip install playwright`")
from playwright.sync_api import expect  # noqa: E402

from tests.widget.helpers import LANGS, open_widget, search, shadow_eval  # noqa: E402

I18N = Path(__file__).resolve().parents[2] / "api" / "static" / "i18n"
CATALOGS = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in I18N.glob("*.json")}
EN = CATALOGS["en"]
INTL_LOCALE = {"pt": "pt-PT", "no": "nb"}

# What the widget shows as UI text (not the API's data: names, schools, idea texts; not the
# reasons and subject labels, which come localized from the API where it has the language).
UI_TEXTS = """
  const texts = [], attrs = ['placeholder', 'aria-label'];
  const skip = (n) => n.closest('ul.reasons, h3, p.school, p.snippet, select[name=subject], dd.subjects');
  for (const el of r.querySelectorAll('*')) {
    if (skip(el)) continue;
    for (const a of attrs) if (el.getAttribute(a)) texts.push(el.getAttribute(a));
    for (const n of el.childNodes) if (n.nodeType === 3 && n.textContent.trim()) texts.push(n.textContent.trim());
  }
  return texts;
"""


def english_only(lang: str) -> set[str]:
    """UI strings that are English and not also this language's own."""
    cat = CATALOGS[lang]
    own = {v for v in cat.values() if isinstance(v, str)} | set(cat["schoolTypes"].values())
    en = {v for v in EN.values() if isinstance(v, str) and "{" not in v} | set(EN["schoolTypes"].values())
    return en - own


def names_in(page, lang: str, type_: str, codes: list[str]) -> dict[str, str]:
    """The names a browser-independent reader expects: the catalog's, else this browser's CLDR."""
    own = CATALOGS[lang].get("names", {}).get(type_, {})
    intl = page.evaluate("""([loc, type, codes]) => {
        const d = new Intl.DisplayNames([loc], {type, fallback: 'none'});
        return Object.fromEntries(codes.map(c => [c, d.of(c)]));
    }""", [INTL_LOCALE.get(lang, lang), type_, codes])
    return {c: own.get(c) or intl[c] for c in codes}


def test_lang_attribute_switches_strings_and_labels(page, api, listed_site):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang="pt"))
    expect(w.locator("button[type=submit]")).to_have_text("Pesquisar")
    expect(w.locator("label").first).to_have_text("Ideia de projeto ou tema")
    # European Portuguese names, not Brazilian ("Polônia", "polonês")
    expect(w.locator("select[name=country] option[value=PL]")).to_have_text("Polónia")
    expect(w.locator("select[name=language] option[value=pl]")).to_have_text("polaco")
    expect(w.locator("select[name=subject] option[value=Art]")).to_have_text("Arte")
    search(w, "reciclagem")
    expect(w.locator("p.status")).to_contain_text("Resultados: ")
    expect(w.locator("ul.reasons li").first).to_contain_text("Corresponde à sua pesquisa")

    page.evaluate("document.querySelector('twinmatch-search').setAttribute('lang', 'de')")
    expect(w.locator("button[type=submit]")).to_have_text("Suchen")
    expect(w.locator("select[name=country] option[value=DE]")).to_have_text("Deutschland")
    expect(w.locator("select[name=country] option[value=PS]")).to_have_text("Palästina")   # as the taxonomy
    # the shown results are fetched again so their reasons come in the new language
    expect(w.locator("ul.reasons li").first).to_contain_text("Passt zu Ihrer Suche")
    expect(w.locator("p.status")).to_contain_text("Ergebnisse: ")

    for lang in LANGS:
        page.evaluate(f"document.querySelector('twinmatch-search').setAttribute('lang', '{lang}')")
        expect(w.locator("h2")).to_have_text(CATALOGS[lang]["title"])
        expect(w.locator("button[type=submit]")).to_have_text(CATALOGS[lang]["search"])
        assert w.locator(".wrap").get_attribute("lang") == lang
        assert w.locator(".wrap").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    # a language without a catalog falls back to English; regional tags use their base language
    page.evaluate("document.querySelector('twinmatch-search').setAttribute('lang', 'zu')")
    expect(w.locator("button[type=submit]")).to_have_text("Search")
    page.evaluate("document.querySelector('twinmatch-search').setAttribute('lang', 'pt-PT')")
    expect(w.locator("button[type=submit]")).to_have_text("Pesquisar")
    assert not page.console_errors, page.console_errors


@pytest.mark.parametrize("lang", LANGS)
def test_no_view_mixes_languages(page, api, listed_site, lang):
    w = open_widget(page, listed_site.page(api.base, key=api.key, lang=lang, page_size="4"))
    cat = CATALOGS[lang]
    expect(w.locator("h2")).to_have_text(cat["title"])
    expect(w.locator("p.status")).to_have_text(cat["intro"])
    leaks = english_only(lang)
    assert not leaks & set(shadow_eval(page, UI_TEXTS)), leaks & set(shadow_eval(page, UI_TEXTS))

    # Filters: every country and working language named in this language where it has a name
    # (English country names are the taxonomy's own: "Türkiye", "Palestine").
    for select, type_ in (("country", "region"), ("language", "language")) if lang != "en" else ():
        options = dict(w.locator(f"select[name={select}] option").evaluate_all(
            "os => os.filter(o => o.value).map(o => [o.value, o.textContent])"))
        expected = names_in(page, lang, type_, list(options))
        english = names_in(page, "en", type_, list(options))
        wrong = {c: (options[c], expected[c]) for c in options if expected[c] and options[c] != expected[c]}
        assert not wrong, wrong
        # many names are shared (Albania, Malta), but no language calls Germany or German so
        assert options["DE" if type_ == "region" else "de"] != english["DE" if type_ == "region" else "de"]

    # After a search: the result cards' labels, school types and languages, and the pager.
    search(w)
    expect(w.locator("nav button[aria-current=page]")).to_be_visible()
    texts = set(shadow_eval(page, UI_TEXTS))
    assert not leaks & texts, leaks & texts
    types = set(cat["schoolTypes"].values())
    schools = w.locator("p.school").all_inner_texts()
    assert all(s.split(" · ")[-1] in types for s in schools), schools
    if lang != "en":
        assert not [s for s in schools if s.split(" · ")[-1] in english_only(lang)], schools
