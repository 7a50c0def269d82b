"""What the browser tests share: finding the widget, searching, reading its shadow DOM, axe."""
from __future__ import annotations

from playwright.sync_api import expect

COUNTRIES = 46
LANGS = ("bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "is", "it", "lt", "lv",
         "mk", "mt", "nl", "no", "pl", "pt", "ro", "sk", "sl", "sq", "sr", "sv", "tr", "uk", "ka", "hy", "az",
         "ar", "bs")


def widget(page):
    return page.locator("twinmatch-search")


def open_widget(page, url):
    page.goto(url)
    w = widget(page)
    # Filters are filled from /v1/taxonomy: "any" plus every country.
    expect(w.locator("select[name=country] option")).to_have_count(COUNTRIES + 1)
    return w


def search(w, text=""):
    w.locator("input[type=search]").fill(text)
    w.locator("input[type=search]").press("Enter")
    expect(w.locator("p.status")).to_have_attribute("data-state", "done")


def shadow_eval(page, body: str):
    """Evaluate `body` (a function of the shadow root `r`) in the page."""
    return page.evaluate(f"() => {{ const r = document.querySelector('twinmatch-search').shadowRoot; {body} }}")


def focused_in_widget(page) -> str:
    """A short description of what has focus inside the widget's shadow root."""
    return shadow_eval(page, "const a = r.activeElement; "
                             "return a ? a.tagName.toLowerCase() + (a.className ? '.' + a.className : '') : '';")


def axe_violations(page, axe_source):
    """Serious and critical axe-core violations (WCAG 2.2 AA and best practice) in the widget."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_source))
    result = page.evaluate("""async () => {
        const r = await axe.run(document.querySelector('twinmatch-search'), {resultTypes: ['violations'],
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]
