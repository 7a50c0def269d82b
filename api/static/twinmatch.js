/*! twinmatch partner-search widget, v1. One file, no build step, no dependencies.
 *
 *   <script src="https://API_HOST/widget/v1/twinmatch.js?v=VERSION" defer></script>
 *   <twinmatch-search key="tm_..." lang="pt" country="PT"></twinmatch-search>
 *
 * Attributes: key, lang, country, api, page-size, profile-url, theme, heading, hide-heading,
 * url-state, teacher-token. See docs/widget.md. UI strings other than English come from
 * i18n/<lang>.json next to this script.
 *
 * It calls only GET /v1/taxonomy and POST /v1/search, and, with a teacher-token (a signed-in
 * teacher's, from the portal: docs/alerts.md), POST /v1/saved-searches when the teacher asks
 * to be alerted about new partners like the results. Everything that comes from the API
 * is put in the page as text nodes, never as markup. A filter holds one value from its select,
 * or several from the facet chips above the results.
 */
(() => {
  "use strict";

  const TAG = "twinmatch-search";
  if (customElements.get(TAG)) return;   // loaded twice on one page: keep the first

  const SCRIPT_PATH = /\/widget\/v1\/twinmatch\.js(?:[?#].*)?$/;

  /** Where this script came from: the API base, its folder (for catalogs) and its version. */
  const SCRIPT = (() => {
    const el = document.currentScript ||
      [...document.querySelectorAll("script[src]")].find((s) => SCRIPT_PATH.test(s.src));
    const url = new URL(el && el.src ? el.src : location.href, location.href);
    const base = el && el.src ? (url.origin + url.pathname).replace(SCRIPT_PATH, "").replace(/\/+$/, "") : "";
    return { base: base || location.origin, dir: (base || location.origin) + "/widget/v1",
             version: url.searchParams.get("v") || "" };
  })();

  // The UI languages: a catalog per language in i18n/<code>.json, English built in.
  const UI_LANGS = ["ar", "az", "bg", "bs", "ca", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "hy", "is", "it", "ka", "lt", "lv", "mk", "mt", "nl", "no", "pl", "pt", "ro", "sk", "sl", "sq", "sr",
    "sv", "tr", "uk"];

  // Working languages offered in the filter: the eTwinning countries' languages.
  const WORK_LANGS = ["ar", "az", "bg", "bs", "ca", "cs", "da", "de", "el", "en", "es", "et", "eu",
    "fi", "fr", "ga", "gl", "hr", "hu", "hy", "is", "it", "ka", "lb", "lt", "lv", "mk", "mt", "nl",
    "no", "pl", "pt", "ro", "sk", "sl", "sq", "sr", "sv", "tr", "uk"];

  const AGE_BANDS = [[3, 6], [7, 11], [12, 15], [16, 19]];   // the API's age facet bands
  const FACETS = ["country", "language", "age", "subject"];  // also the filters' names
  const CHIPS = 8;          // values shown per facet (4 below 640 px), most teachers first, and the chosen
  const MAX_DEPTH = 200;    // a widget key pages up to offset + k = 200 (TWINMATCH_SEARCH_DEPTH)

  const EN = {
    title: "Find an eTwinning partner", searchLabel: "Project idea or topic",
    placeholder: "e.g. recycling, climate, music, robotics", search: "Search", filters: "Filters",
    country: "Country", subject: "Subject", age: "Pupils' age", language: "Working language",
    anyCountry: "Any country", anySubject: "Any subject", anyAge: "Any age", anyLanguage: "Any language",
    years: "{from}–{to} years",
    intro: "Describe a project idea or choose filters, then press Search.",
    loading: "Searching…", empty: "No teachers match this search. Try other words or fewer filters.",
    clearFilters: "Clear filters", clearAll: "Clear all", narrow: "Narrow down", chosen: "{n} chosen",
    showAll: "Show all {n}",
    count: "Results: {total}", countCapped: "Results: {total}. The first {shown} can be shown.",
    page: "Page {page} of {pages}", pageN: "Page {page}", prev: "Previous", next: "Next",
    pages: "Result pages", results: "Search results", langs: "Working languages",
    ages: "Pupils' ages", subjects: "Subjects", more: "Project idea and reasons", interests: "Interests",
    why: "Why this match",
    errNoKey: "This partner search is not set up on this website yet: it has no access key.",
    errKey: "This partner search is not set up correctly on this website: its access key is not valid.",
    errOrigin: "This website is not allowed to use this partner search.",
    errDown: "The partner search cannot be reached at the moment.",
    errNet: "The partner search could not be reached. Check your connection and try again.",
    errRate: "Too many searches at the moment. Please wait a minute and try again.",
    errBad: "The search could not be run: {message}",
    errServer: "The partner search is not available right now. Please try again later.",
    retry: "Try again", noName: "eTwinning teacher",
    alertMe: "Alert me about new partners like these",
    alertMeSaved: "Saved: we will tell you when a new partner like these joins.",
    alertMeExpired: "Your sign-in has expired, so the alert was not saved. Reload the page and try again.",
    alertMeDenied: "Alerts cannot be saved on this website.",
    alertMeFailed: "The alert could not be saved. Check your connection and try again.",
    schoolTypes: { "pre-primary": "Pre-primary", primary: "Primary", "lower-secondary": "Lower secondary",
      "upper-secondary": "Upper secondary", vocational: "Vocational", "special-needs": "Special needs",
      other: "Other" },
  };

  // Locales for Intl where the bare code would not do: European Portuguese, not Brazilian.
  const INTL_LOCALE = { pt: "pt-PT", no: "nb" };

  /** Whether this browser has CLDR names in `locale` (Chromium lacks some, e.g. ga, mt, ka). */
  const intlSupport = new Map();
  function intlHas(locale) {
    if (!intlSupport.has(locale)) {
      let ok = false;
      try {
        const names = new Intl.DisplayNames([locale], { type: "region", fallback: "none" });
        ok = baseLang(names.resolvedOptions().locale) === baseLang(locale) &&
          names.of("DE") !== new Intl.DisplayNames(["en"], { type: "region" }).of("DE");
      } catch (e) { /* no Intl.DisplayNames */ }
      intlSupport.set(locale, ok);
    }
    return intlSupport.get(locale);
  }

  // One promise per language, shared by every widget on the page.
  const catalogs = new Map([["en", Promise.resolve(EN)]]);
  function catalog(lang) {
    if (!catalogs.has(lang)) {
      const url = `${SCRIPT.dir}/i18n/${lang}.json` + (SCRIPT.version ? `?v=${SCRIPT.version}` : "");
      catalogs.set(lang, fetch(url, { mode: "cors", credentials: "omit" })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
        .catch((e) => {
          console.error(`twinmatch-search: the "${lang}" strings could not be loaded from ${url} (${e.message}); ` +
                        "showing English");
          catalogs.delete(lang);
          return EN;
        }));
    }
    return catalogs.get(lang);
  }

  // The dark palette, for theme="dark" and for a dark system theme unless theme="light".
  const DARK = `color-scheme: dark;
      --accent: var(--twinmatch-accent, #a8c7fa); --on-accent: var(--twinmatch-on-accent, #062e6f);
      --text: var(--twinmatch-text, #e3e3e8); --muted: var(--twinmatch-muted, #c4c6d0);
      --bg: var(--twinmatch-background, #1b1b1f); --surface: var(--twinmatch-surface, #26272c);
      --line: var(--twinmatch-border, #8e909a); --soft: var(--twinmatch-soft, #33343a);
      --mark: var(--twinmatch-highlight, #5c4b00); --err: var(--twinmatch-error, #ffb4ab);
      --err-bg: var(--twinmatch-error-background, #3a1411);`;

  const CSS = `
    :host { all: initial; display: block; container-type: inline-size; }
    :host([hidden]) { display: none; }
    .wrap {
      --accent: var(--twinmatch-accent, #0b57d0); --on-accent: var(--twinmatch-on-accent, #fff);
      --text: var(--twinmatch-text, #1b1b1f); --muted: var(--twinmatch-muted, #4a4a55);
      --bg: var(--twinmatch-background, #fff); --surface: var(--twinmatch-surface, #fff);
      --line: var(--twinmatch-border, #767680); --soft: var(--twinmatch-soft, #eef0f4);
      --mark: var(--twinmatch-highlight, #fff0a8); --err: var(--twinmatch-error, #8c1d18);
      --err-bg: var(--twinmatch-error-background, #fdf2f1);
      --r: var(--twinmatch-radius, 6px); --d: var(--twinmatch-density, 1);
      font: 400 var(--twinmatch-font-size, 16px)/1.45 var(--twinmatch-font-family, system-ui, -apple-system,
        "Segoe UI", Roboto, sans-serif);
      color: var(--text); background: var(--bg); padding: calc(.75em * var(--d)); text-align: start;
      color-scheme: light;
    }
    :host([theme=dark]) .wrap { ${DARK} }
    @media (prefers-color-scheme: dark) { :host(:not([theme=light])) .wrap { ${DARK} } }
    * { box-sizing: border-box; }
    .sr { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0);
      white-space: nowrap; }
    h2 { font-size: 1.25em; margin: 0 0 calc(.75em * var(--d)); }
    form { display: grid; gap: calc(.75em * var(--d)); }
    .query { display: flex; gap: .5em; flex-wrap: wrap; }
    .query input { flex: 1 1 12em; min-width: 0; }
    label { display: block; font-weight: 600; margin-bottom: .25em; }
    input, select, button { font: inherit; color: inherit; margin: 0; }
    input, select { width: 100%; padding: calc(.5em * var(--d)) .6em; border: 1px solid var(--line);
      border-radius: var(--r); background: var(--surface); color: var(--text); min-height: 2.75em; }
    button { padding: calc(.5em * var(--d)) 1em; border-radius: var(--r); border: 1px solid var(--accent);
      min-height: 2.75em; min-width: 2.75em; background: var(--accent); color: var(--on-accent); font-weight: 600;
      cursor: pointer; }
    button.secondary { background: var(--surface); color: var(--accent); }
    button:disabled { background: var(--soft); color: var(--muted); border-color: var(--line); cursor: not-allowed; }
    :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
    fieldset { border: 1px solid var(--line); border-radius: var(--r); margin: 0;
      padding: calc(.5em * var(--d)) .75em calc(.75em * var(--d)); }
    legend { font-weight: 600; padding: 0 .25em; }
    .filters { display: grid; gap: calc(.75em * var(--d)); grid-template-columns: repeat(auto-fit, minmax(min(100%, 11em), 1fr)); }
    .status { margin: 1em 0 .5em; font-weight: 600; scroll-margin-top: 1em; }
    .status:focus { outline: none; } .status:focus-visible { outline: 3px solid var(--accent); }
    .problem { margin: 1em 0; padding: .75em; border: 2px solid var(--err); border-radius: var(--r);
      color: var(--err); background: var(--err-bg); }
    .problem p { margin: 0 0 .5em; } .problem p:last-child { margin: 0; }
    .alert-me { margin: 1em 0 0; } .alert-me > p { margin: 0; } .alert-me .problem { margin: .5em 0 0; }
    .alert-me .saved { font-weight: 600; } .alert-me [tabindex="-1"]:focus { outline: none; }
    .alert-me [tabindex="-1"]:focus-visible { outline: 3px solid var(--accent); }
    [hidden] { display: none !important; }
    ol.cards { list-style: none; margin: 0; padding: 0; display: grid; gap: calc(.75em * var(--d)); }
    article { border: 1px solid var(--line); border-radius: var(--r); padding: calc(.75em * var(--d)) 1em;
      overflow-wrap: anywhere; background: var(--surface); }
    h3 { font-size: 1.1em; margin: 0 0 .25em; } h4 { font-size: 1em; margin: .5em 0 .25em; }
    a { color: var(--accent); text-underline-offset: .15em; }
    .school { margin: 0 0 .5em; color: var(--muted); }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: .25em .75em; margin: 0 0 .5em; }
    dt { font-weight: 600; } dd { margin: 0; }
    summary { cursor: pointer; color: var(--accent); font-weight: 600; min-height: 1.75em; }
    .snippet { margin: 0 0 .5em; } mark { background: var(--mark); color: inherit; padding: 0 .1em; }
    .why { margin: .5em 0 0; font-weight: 600; }
    ul.reasons { margin: .25em 0 0; padding-inline-start: 1.25em; }
    .skeleton { height: 7.5em; border-radius: var(--r); background: var(--soft); }
    .status .tip { display: block; font-weight: 400; margin-top: .25em; }
    .chips { margin: 1em 0 0; } .group { display: flex; flex-wrap: wrap; align-items: center; gap: .35em; margin: 0 0 .35em; }
    .group > span { font-weight: 600; margin-inline-end: .25em; }
    button.chip { min-height: 2em; min-width: 0; padding: .15em .75em; border-radius: 1em; font-weight: 400;
      background: var(--surface); color: var(--text); border-color: var(--line); }
    button.chip[aria-pressed=true] { background: var(--accent); color: var(--on-accent); border-color: var(--accent); }
    nav ul { display: flex; flex-wrap: wrap; align-items: center; justify-content: center; gap: .25em;
      list-style: none; margin: 1em 0 0; padding: 0; }
    nav li.gap { padding: 0 .2em; color: var(--muted); }
    nav button { padding-inline: .6em; }
    nav button[aria-current] { background: var(--accent); color: var(--on-accent); }
    @container (max-width: 30em) {
      .query button { flex: 1 1 100%; }
      dl { grid-template-columns: 1fr; } dd { margin-bottom: .25em; }
    }
    @container (max-width: 40em) {
      nav .label { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    }`;

  let sheet = null;   // one constructed stylesheet for every instance (works under a strict CSP)
  function styleInto(root) {
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function") {
      try {
        if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
        root.adoptedStyleSheets = [sheet];
        return;
      } catch (e) { /* fall back to a <style> element */ }
    }
    root.append(h("style", {}, CSS));
  }

  /** Build an element: attributes as given, children as nodes or text (always text nodes). */
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === false || v == null) continue;
      el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat(Infinity)) {
      if (c == null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
  }

  /** Two-letter UI language from an attribute like "pt-PT"; "" when absent. */
  function baseLang(value) {
    return (value || "").trim().toLowerCase().split(/[-_]/)[0];
  }

  /** Up to ~240 characters of `text` around the first query word, the words as <mark>s. */
  function snippet(text, query) {
    const words = [...new Set((query || "").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3))];
    const re = words.length ? new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "giu")
      : null;
    let start = 0;
    const first = re ? text.search(re) : -1;
    if (first > 80) start = text.lastIndexOf(" ", first - 60) + 1;
    let end = Math.min(text.length, start + 240);
    if (end < text.length) end = Math.max(text.lastIndexOf(" ", end), start + 120);
    const part = text.slice(start, end);
    const nodes = [start > 0 ? "…" : ""];
    let at = 0;
    if (re) {
      for (const m of part.matchAll(re)) {
        nodes.push(part.slice(at, m.index), h("mark", {}, m[0]));
        at = m.index + m[0].length;
      }
    }
    nodes.push(part.slice(at), end < text.length ? "…" : "");
    return nodes;
  }

  // Taxonomy per (API base, language, key), shared by every widget on the page.
  const taxonomyCache = new Map();

  class ApiError extends Error {
    constructor(kind, status, message) { super(message || kind); this.kind = kind; this.status = status; }
  }

  let uid = 0;

  class TwinmatchSearch extends HTMLElement {
    static get observedAttributes() {
      return ["lang", "key", "country", "api", "page-size", "profile-url", "heading", "hide-heading",
              "teacher-token"];
    }

    constructor() {
      super();
      this._id = `tm${++uid}`;
      this._root = this.attachShadow({ mode: "open" });
      styleInto(this._root);
      this._cat = EN;
      this._state = { phase: "idle", results: [], total: 0, page: 1, error: null, why: null };
      this._chosen = { country: [], subject: [], age: [], language: [] };   // the filters' values
      this._facets = null;          // counts per value, from the last first page
      this._allChips = new Set();   // facets whose every value is shown
      this._query = null;           // the last search run: {text, filters}
      this._taxonomy = null;
      this._setup = null;           // an ApiError that keeps the widget from working at all
      this._seq = 0;                // answers to superseded requests are dropped
      this._abort = null;
      this._reported = new Set();   // console messages already given to the webmaster
      this._saved = { query: null, phase: "idle", error: null };   // "alert me" for this._query
      this._build();
    }

    connectedCallback() {
      this._applyLang();
      this._loadTaxonomy();
      if (!this._resize && typeof ResizeObserver === "function") {
        let narrow = null;
        this._resize = new ResizeObserver(() => {
          if (this._narrow() !== narrow) { narrow = this._narrow(); this._renderPager(); }
        });
        this._resize.observe(this);
      }
    }

    disconnectedCallback() {
      if (this._abort) this._abort.abort();
    }

    attributeChangedCallback(name, oldValue, newValue) {
      if (oldValue === newValue || !this.isConnected) return;
      if (name === "lang") {
        this._applyLang();
        this._loadTaxonomy();
        if (this._query) this._run(this._state.page, false);   // reasons come localized from the API
      } else if (name === "api" || name === "key") {
        this._loadTaxonomy();
      } else if (name === "page-size") {
        if (this._query) this._run(1, false);
      } else if (name === "country") {
        this._countryApplied = false;
        this._chosen.country = [];
        this._selectCountry();
      } else {
        this._renderText();
        this._render();
      }
    }

    // ---- settings from attributes ----------------------------------------------------------

    get apiBase() {
      const attr = (this.getAttribute("api") || "").trim();
      return (attr || SCRIPT.base).replace(/\/+$/, "");
    }

    get key() { return (this.getAttribute("key") || "").trim(); }

    /** A signed-in teacher's token from the portal (docs/alerts.md): only with it is there an
     * "alert me" button. It is sent to the API alone, never with the widget key. */
    get teacherToken() { return (this.getAttribute("teacher-token") || "").trim(); }

    get uiLang() {
      const own = baseLang(this.getAttribute("lang"));
      const inherited = baseLang((this.parentElement && this.parentElement.closest("[lang]") || {}).lang ||
                                 document.documentElement.lang);
      const lang = own || inherited || "en";
      return UI_LANGS.includes(lang) ? lang : "en";
    }

    get pageSize() {
      const n = parseInt(this.getAttribute("page-size") || "10", 10);
      return Number.isFinite(n) ? Math.min(50, Math.max(1, n)) : 10;
    }

    /** The profile link for `id` from the `profile-url` template, or null. */
    profileUrl(id) {
      const template = (this.getAttribute("profile-url") || "").trim();
      if (!template || id == null) return null;
      try {
        const url = new URL(template.split("{id}").join(encodeURIComponent(id)), document.baseURI);
        if ((url.protocol === "https:" || url.protocol === "http:") && template.includes("{id}")) return url.href;
      } catch (e) { /* reported below */ }
      this._report("profile-url", `profile-url="${template}" must be an http(s) URL containing {id}, ` +
                    "e.g. https://portal.example/profiles/{id}; names are shown without links");
      return null;
    }

    t(key, values) {
      const v = this._cat[key] != null ? this._cat[key] : EN[key];
      return fill(v, values || {});
    }

    /** One precise console message per problem, for the webmaster. */
    _report(what, message) {
      if (this._reported.has(what)) return;
      this._reported.add(what);
      console.error(`twinmatch-search: ${message}`);
    }

    // ---- the fixed part of the DOM, built once -------------------------------------------------

    _build() {
      const id = (s) => `${this._id}-${s}`;
      const el = (this._el = {});
      el.title = h("h2", { id: id("title") });
      el.queryLabel = h("label", { for: id("q") });
      el.query = h("input", { id: id("q"), type: "search", name: "q", autocomplete: "off", maxlength: 500,
                              enterkeyhint: "search" });
      el.submit = h("button", { type: "submit" });
      el.legend = h("legend");
      const select = (name) => {
        el[name + "Label"] = h("label", { for: id(name) });
        el[name] = h("select", { id: id(name), name });
        // Filters apply at once: a change runs the search again from page 1.
        el[name].addEventListener("change", () => {
          const v = el[name].value;
          if (v !== "*") this._chosen[name] = v ? [v] : [];
          this._search(false);
        });
        return h("div", {}, el[name + "Label"], el[name]);
      };
      el.form = h("form", { role: "search", "aria-labelledby": id("title"), novalidate: true },
        h("div", {}, el.queryLabel, h("div", { class: "query" }, el.query, el.submit)),
        h("fieldset", {}, el.legend,
          h("div", { class: "filters" }, select("country"), select("subject"), select("age"), select("language"))));
      el.form.addEventListener("submit", (ev) => { ev.preventDefault(); this._search(true); });

      el.status = h("p", { class: "status", id: id("status"), role: "status", "aria-live": "polite",
                           "aria-atomic": "true", tabindex: "-1" });
      el.alert = h("p", { role: "alert" });
      el.retry = h("button", { type: "button", class: "secondary" });
      el.retry.addEventListener("click", () => this._retry());
      // The host's own content inside the element (a link to the portal, say) shows when the
      // API cannot be reached; it also shows before this script runs, or when it cannot load.
      el.fallback = h("slot");
      el.problem = h("div", { class: "problem", hidden: true }, el.alert, h("p", {}, el.retry), el.fallback);
      el.clear = h("button", { type: "button", class: "secondary" });
      el.clear.addEventListener("click", () => this._clearFilters());
      el.emptyActions = h("p", { hidden: true }, el.clear);
      el.clearAll = h("button", { type: "button", class: "secondary" });
      el.clearAll.addEventListener("click", () => this._clearFilters());
      // Facet chips sit above the status: after a search, focus and the view move to the status,
      // so the cards come next, also on a phone, and the chips are one step back.
      el.chips = h("div", { class: "chips", role: "group", hidden: true });
      el.cards = h("ol", { class: "cards", "aria-labelledby": id("status") });
      el.pager = h("ul");
      el.nav = h("nav", { hidden: true }, el.pager);
      // "Alert me about new partners like these": a teacher with a token saves this search. The
      // box is in the page only under results found with a token; its note is a live region,
      // there with the button, so its text is announced when it comes.
      el.alertMe = h("button", { type: "button", class: "secondary" });
      el.alertMe.addEventListener("click", () => this._saveSearch());
      el.alertMeNote = h("p", { class: "saved", role: "status", "aria-live": "polite", "aria-atomic": "true",
                                tabindex: "-1" });
      el.alertMeError = h("p", { role: "alert", tabindex: "-1" });
      el.alertMeProblem = h("div", { class: "problem", hidden: true }, el.alertMeError);
      el.alertMeBox = h("div", { class: "alert-me" },
        h("p", {}, el.alertMe), el.alertMeNote, el.alertMeProblem);
      el.results = h("section", { class: "results" },
        el.chips, el.status, el.problem, el.emptyActions, el.cards, el.nav);
      this._root.append(h("div", { class: "wrap", part: "container" }, el.title, el.form, el.results));
    }

    // ---- localization ------------------------------------------------------------------------

    async _applyLang() {
      const lang = this.uiLang;
      const cat = await catalog(lang);
      if (lang !== this.uiLang) return;         // the language changed meanwhile
      this._cat = cat;
      this._el.results.parentElement.setAttribute("lang", cat === EN ? "en" : lang);
      this._el.results.parentElement.setAttribute("dir", lang === "ar" ? "rtl" : "ltr");
      this._renderText();
      this._fillAges();
      this._fillLanguages();
      this._fillTaxonomySelects();
      this._render();
    }

    _renderText() {
      const el = this._el;
      const heading = this.getAttribute("heading");
      el.title.textContent = heading && heading.trim() ? heading.trim() : this.t("title");
      // A hidden heading still names the search landmark for screen readers.
      el.title.className = this.hasAttribute("hide-heading") ? "sr" : "";
      el.queryLabel.textContent = this.t("searchLabel");
      el.query.placeholder = this.t("placeholder");
      el.submit.textContent = this.t("search");
      el.legend.textContent = this.t("filters");
      el.countryLabel.textContent = this.t("country");
      el.subjectLabel.textContent = this.t("subject");
      el.ageLabel.textContent = this.t("age");
      el.languageLabel.textContent = this.t("language");
      el.results.setAttribute("aria-label", this.t("results"));
      el.nav.setAttribute("aria-label", this.t("pages"));
      el.retry.textContent = this.t("retry");
      el.clear.textContent = this.t("clearFilters");
      el.clearAll.textContent = this.t("clearAll");
      el.alertMe.textContent = this.t("alertMe");
      el.chips.setAttribute("aria-label", this.t("narrow"));
    }

    _options(select, anyLabel, items) {
      select.replaceChildren(h("option", { value: "" }, anyLabel),
        ...items.map(([value, label]) => h("option", { value }, label)));
      this._syncSelect(select.name);
    }

    /** A select shows its filter: any, the one value, or "N chosen" (a hidden option, there only
     * then) for several or one it does not list. */
    _syncSelect(name) {
      const sel = this._el[name], vals = this._chosen[name];
      let many = sel.querySelector("option[value='*']");
      const listed = vals.length === 1 && [...sel.options].some((o) => o.value === vals[0] && o !== many);
      if (many) many.remove();
      if (vals.length && !listed) {
        many = h("option", { value: "*", hidden: true }, this.t("chosen", { n: vals.length }));
        sel.append(many);
      }
      sel.value = listed ? vals[0] : vals.length ? "*" : "";
    }

    _collator() {
      try { return new Intl.Collator(this.uiLang); } catch (e) { return new Intl.Collator("en"); }
    }

    /** A language or country name in the UI language: the browser's (CLDR) where it has that
     * language, else the catalog's `names`, else the API's label, else English. */
    _displayName(type, code) {
      const names = this._cat.names && this._cat.names[type];
      if (names && names[code]) return names[code];
      const locale = INTL_LOCALE[this.uiLang] || this.uiLang;
      if (intlHas(locale)) {
        try { return new Intl.DisplayNames([locale], { type, fallback: "none" }).of(code); } catch (e) { /* none */ }
      }
      return undefined;
    }

    _englishName(type, code) {
      try { return new Intl.DisplayNames(["en"], { type, fallback: "none" }).of(code); } catch (e) { return undefined; }
    }

    _fillAges() {
      this._options(this._el.age, this.t("anyAge"),
        AGE_BANDS.map(([a, b]) => [`${a}-${b}`, this.t("years", { from: a, to: b })]));
    }

    _langName(code) {
      return this._displayName("language", code) || this._englishName("language", code) || code;
    }

    _countryName(code) {
      const c = this._taxonomy && this._taxonomy.countries.find((x) => x.code === code);
      return this._displayName("region", code) || (c && this._taxonomy.lang === this.uiLang ? c.name : null) ||
        this._englishName("region", code) || (c ? c.name : code);
    }

    _fillLanguages() {
      const coll = this._collator();
      const items = WORK_LANGS.map((c) => [c, this._langName(c)]).sort((x, y) => coll.compare(x[1], y[1]));
      this._options(this._el.language, this.t("anyLanguage"), items);
    }

    _fillTaxonomySelects() {
      const tax = this._taxonomy, coll = this._collator();
      const countries = tax ? tax.countries.map((c) => [c.code, this._countryName(c.code)]) : [];
      const subjects = tax ? tax.subjects.map((s) => [s.id, s.label]) : [];
      const sort = (xs) => xs.sort((x, y) => coll.compare(x[1], y[1]));
      this._options(this._el.country, this.t("anyCountry"), sort(countries));
      this._options(this._el.subject, this.t("anySubject"), sort(subjects));
      this._selectCountry();
    }

    /** The `country` attribute is the initial country filter: applied once the options exist. */
    _selectCountry() {
      if (this._countryApplied) return;
      const code = (this.getAttribute("country") || "").trim().toUpperCase();
      const sel = this._el.country;
      if (!code) {
        this._countryApplied = true;
      } else if ([...sel.options].some((o) => o.value === code)) {
        this._chosen.country = [code];
        this._syncSelect("country");
        this._countryApplied = true;
      } else if (this._taxonomy) {
        this._countryApplied = true;
        this._report("country", `country="${this.getAttribute("country")}" is not one of the eTwinning ` +
          `countries (${this._taxonomy.countries.map((c) => c.code).join(" ")}); the country filter starts ` +
          "at \"any country\"");
      }
    }

    _schoolType(id) {
      const types = this._cat.schoolTypes || EN.schoolTypes;
      return types[id] || EN.schoolTypes[id] || id;
    }

    // ---- talking to the API -----------------------------------------------------------------

    _headers(json) {
      const headers = { Accept: "application/json" };
      if (json) headers["Content-Type"] = "application/json";
      if (this.key) headers["X-API-Key"] = this.key;   // CORS answers only for origins the key lists
      return headers;
    }

    async _fetchJSON(path, init) {
      let res;
      try {
        res = await fetch(this.apiBase + path, { mode: "cors", credentials: "omit", ...init });
      } catch (e) {
        if (e && e.name === "AbortError") throw e;
        throw new ApiError("network", 0);   // unreachable, or no CORS answer for this origin
      }
      let body = null;
      try { body = await res.json(); } catch (e) { /* not JSON */ }
      if (res.ok && body) return body;
      const err = (body && body.error) || {};
      const message = typeof err.message === "string" ? err.message : "";
      const kind = res.status === 401 ? (this.key ? "key" : "nokey") : res.status === 403 ? "origin"
        : res.status === 429 ? "rate" : res.status >= 400 && res.status < 500 ? "bad" : "server";
      throw new ApiError(kind, res.status, message);
    }

    /** Tell the webmaster exactly what is wrong with the set-up, once per problem. */
    _explain(e) {
      const api = this.apiBase, origin = location.origin;
      const keyId = this.key.split("_").slice(0, 2).join("_") + "_…";
      const said = e.message && e.message !== e.kind ? ` (the API says: ${e.message})` : "";
      const messages = {
        nokey: `the API at ${api} needs a key: add key="tm_…" to <twinmatch-search>, a public key with ` +
          `the search scope issued for ${origin} (twinmatch keys create --scope search --origin ${origin})`,
        key: `the API at ${api} refused the key ${keyId}: it is unknown or revoked${said}`,
        origin: `the key ${keyId} is not valid on ${origin}${said}; add this origin to the key ` +
          `(twinmatch keys create --scope search --origin ${origin})`,
        network: `the API at ${api} cannot be reached from ${origin}: it is down, the api attribute is ` +
          "wrong, or it sent no CORS header for this origin",
      };
      if (messages[e.kind]) this._report(e.kind, messages[e.kind]);
    }

    _crossOrigin() {
      try { return new URL(this.apiBase).origin !== location.origin; } catch (e) { return true; }
    }

    async _loadTaxonomy() {
      const lang = this.uiLang;
      if (!this.key && this._crossOrigin()) {
        // Without a key only a same-origin API in open mode answers: nothing to ask.
        this._setup = new ApiError("nokey", 0);
        this._explain(this._setup);
        this._render();
        return;
      }
      const cacheKey = `${this.apiBase}|${lang}|${this.key}`;
      let pending = taxonomyCache.get(cacheKey);
      if (!pending) {
        pending = this._fetchJSON(`/v1/taxonomy?lang=${encodeURIComponent(lang)}`,
                                  { headers: this._headers(false) });
        taxonomyCache.set(cacheKey, pending);
        pending.catch(() => taxonomyCache.delete(cacheKey));   // retry on the next load
      }
      try {
        const tax = await pending;
        if (lang !== this.uiLang) return;        // the language changed meanwhile
        this._taxonomy = tax;
        this._setup = null;
        this._fillTaxonomySelects();
        this._restoreFromHash();
        this._render();
      } catch (e) {
        this._setup = e.kind === "network" ? new ApiError("down", 0) : e;
        this._explain(e);
        this._render();
      }
    }

    _retry() {
      if (this._setup) this._loadTaxonomy();
      else if (this._query) this._run(this._state.page, false);
    }

    _filters() {
      const f = {};
      for (const name of FACETS) if (this._chosen[name].length) f[name] = [...this._chosen[name]];
      return f;
    }

    _search(moveFocus) {
      this._query = { text: this._el.query.value.trim(), filters: this._filters() };
      this._run(1, moveFocus);
    }

    _clearFilters() {
      for (const name of FACETS) { this._chosen[name] = []; this._syncSelect(name); }
      this._search(true);
    }

    /** A facet chip adds its value to the filter, or takes it out; the search runs at once. */
    _toggle(name, value) {
      const vals = this._chosen[name];
      this._chosen[name] = vals.includes(value) ? vals.filter((v) => v !== value) : [...vals, value];
      this._syncSelect(name);
      this._refocus = `${name}|${value}`;     // the chips are drawn again: keep the focus on this one
      this._search(false);
    }

    async _run(page, moveFocus) {
      if (!this._query || this._setup) return;
      const seq = ++this._seq;
      if (this._abort) this._abort.abort();    // an older answer must never replace this one
      const abort = (this._abort = typeof AbortController === "function" ? new AbortController() : null);
      const k = this.pageSize;
      page = Math.max(1, Math.min(page, this._maxPages()));
      this._state = { ...this._state, phase: "loading", page, error: null };
      this._writeHash();
      this._render();
      try {
        const body = await this._fetchJSON("/v1/search", {
          method: "POST", headers: this._headers(true), signal: abort ? abort.signal : undefined,
          body: JSON.stringify({ text: this._query.text, filters: this._query.filters, k,
                                 offset: (page - 1) * k, lang: this.uiLang,
                                 facets: page === 1 || !this._facets ? FACETS : [] }),
        });
        if (seq !== this._seq) return;
        const results = Array.isArray(body.results) ? body.results : [];
        const total = Math.max(Number(body.total) || 0, (page - 1) * k + results.length);
        if (!results.length && page > 1) {     // the list got shorter: show its last page
          this._state.total = total;
          return this._run(Math.ceil(total / k), moveFocus);
        }
        if (body.facets) this._facets = body.facets;
        this._state = { phase: "done", results, total, page, error: null, why: body.why_empty || null };
      } catch (e) {
        if (seq !== this._seq || (e && e.name === "AbortError")) return;
        this._explain(e);
        this._state = { phase: "error", results: [], total: 0, page: 1, error: e, why: null };
      }
      this._render();
      // After Search or paging, focus (and so the view) moves to the top of the new results:
      // on a phone they start below the fold, and a pressed pager button may be gone.
      if (moveFocus) {
        this._el.status.focus({ preventScroll: true });
        this._el.status.scrollIntoView({ block: "start", behavior: "auto" });
      }
    }

    _maxPages() {
      return Math.max(1, Math.floor(MAX_DEPTH / this.pageSize));
    }

    /** Results the API can page to: never past offset + k = MAX_DEPTH. */
    _reachable() {
      return Math.min(this._state.total, this._maxPages() * this.pageSize);
    }

    _pages() {
      return Math.max(1, Math.ceil(this._reachable() / this.pageSize));
    }

    // ---- state in the URL hash (#tm=q%3D...), so a search can be shared ------------------------

    get _hashKey() { return this.id ? `tm-${this.id}` : "tm"; }

    _hashParams() {
      const raw = location.hash.slice(1);
      // Leave a host's own anchors (#section-2) alone: only an empty or key=value hash is shared.
      if (raw && !/^[^#/]*=/.test(raw)) return null;
      return new URLSearchParams(raw);
    }

    _writeHash() {
      if (this.getAttribute("url-state") === "off") return;
      const all = this._hashParams();
      if (!all) return;
      const mine = new URLSearchParams();
      if (this._query.text) mine.set("q", this._query.text);
      for (const [k, vals] of Object.entries(this._query.filters)) for (const v of vals) mine.append(k, v);
      if (this._state.page > 1) mine.set("page", String(this._state.page));
      all.set(this._hashKey, mine.toString());
      this._restored = true;       // from now on the address follows the widget, not the reverse
      history.replaceState(history.state, "", "#" + all.toString());
    }

    _restoreFromHash() {
      if (this._restored || this.getAttribute("url-state") === "off") return;
      this._restored = true;
      const all = this._hashParams();
      const raw = all && all.get(this._hashKey);
      if (raw == null) return;
      const mine = new URLSearchParams(raw), el = this._el;
      this._fillAges();
      this._fillLanguages();
      el.query.value = mine.get("q") || "";
      for (const name of FACETS) {
        // Values the select lists; any working language a chip can add, too.
        const known = new Set([...el[name].options].map((o) => o.value).filter((v) => v && v !== "*"));
        this._chosen[name] = [...new Set(mine.getAll(name))]
          .filter((v) => known.has(v) || (name === "language" && /^[a-z]{2}$/.test(v)));
        this._syncSelect(name);
      }
      this._query = { text: el.query.value.trim(), filters: this._filters() };
      this._run(parseInt(mine.get("page") || "1", 10) || 1, false);
    }

    // ---- rendering the changing part ---------------------------------------------------------

    _render() {
      const el = this._el, s = this._state;
      const problem = this._setup || (s.phase === "error" ? s.error : null);
      el.results.setAttribute("aria-busy", s.phase === "loading" ? "true" : "false");
      el.problem.hidden = !problem;
      el.status.hidden = !!problem;
      el.status.dataset.state = problem ? "error" : s.phase;
      el.emptyActions.hidden = true;
      el.chips.hidden = true;
      this._renderAlertMe();
      if (problem) {
        const key = { nokey: "errNoKey", key: "errKey", origin: "errOrigin", down: "errDown", network: "errNet",
                      rate: "errRate", bad: "errBad" }[problem.kind] || "errServer";
        el.alert.textContent = this.t(key, { message: problem.message || "" });
        el.retry.parentElement.hidden = ["nokey", "key", "origin", "bad"].includes(problem.kind);
        el.fallback.hidden = problem !== this._setup;
        el.cards.replaceChildren();
        el.nav.hidden = true;
        return;
      }
      if (s.phase === "idle") {
        el.status.textContent = this.t("intro");
        el.cards.replaceChildren();
      } else if (s.phase === "loading") {
        // Placeholders in the cards' place; the old cards go, so nothing stale is shown.
        el.status.textContent = this.t("loading");
        const n = Math.min(3, this.pageSize);
        el.cards.replaceChildren(...Array.from({ length: n }, () => h("li", { class: "skeleton", "aria-hidden": "true" })));
      } else if (!s.results.length) {
        // Why nothing matched, and the change that finds most teachers, in the API's words.
        const why = s.why && typeof s.why.message === "string" ? s.why : null;
        const tip = why && Array.isArray(why.suggestions) && why.suggestions[0];
        el.status.replaceChildren(why ? why.message : this.t("empty"),
          ...(tip && typeof tip.message === "string" ? [" ", h("span", { class: "tip" }, tip.message)] : []));
        el.emptyActions.hidden = !Object.keys(this._filters()).length;
        el.cards.replaceChildren();
      } else {
        const pages = this._pages(), total = s.total, shown = this._reachable();
        el.status.textContent = (total > shown ? this.t("countCapped", { total, shown }) : this.t("count", { total })) +
          (pages > 1 ? " · " + this.t("page", { page: s.page, pages }) : "");
        el.cards.replaceChildren(...s.results.map((r, i) => this._card(r, i)));
      }
      if (s.phase === "done") this._renderChips();
      this._renderPager();
    }

    /** The "alert me" button under results found with a teacher token, or what became of it. */
    _renderAlertMe() {
      const el = this._el, s = this._state, saved = this._saved;
      const mine = saved.query === this._query;
      const show = !!this.teacherToken && !this._setup && s.phase === "done" && s.results.length > 0;
      if (!show && !(mine && saved.phase === "saved" && s.phase === "done")) return el.alertMeBox.remove();
      if (!el.alertMeBox.isConnected) el.results.append(el.alertMeBox);
      const phase = mine ? saved.phase : "idle";
      const final = phase === "saved" || (phase === "error" && ["expired", "denied"].includes(saved.error));
      el.alertMe.parentElement.hidden = final;
      el.alertMe.setAttribute("aria-disabled", phase === "saving" ? "true" : "false");
      el.alertMeNote.textContent = phase === "saved" ? this.t("alertMeSaved") : "";
      el.alertMeProblem.hidden = phase !== "error";
      el.alertMeError.textContent = phase === "error"
        ? this.t({ expired: "alertMeExpired", denied: "alertMeDenied" }[saved.error] || "alertMeFailed") : "";
    }

    /** Save the current search for the teacher: its text and the filters sent to /v1/search. */
    async _saveSearch() {
      const query = this._query, token = this.teacherToken;
      if (!query || !token || (this._saved.query === query && ["saving", "saved"].includes(this._saved.phase))) return;
      this._saved = { query, phase: "saving", error: null };
      this._renderAlertMe();
      let phase = "saved", error = null;
      try {
        // The teacher's token alone: the widget key never subscribes anyone (the API says 403).
        await this._fetchJSON("/v1/saved-searches", {
          method: "POST",
          headers: { Accept: "application/json", "Content-Type": "application/json", Authorization: `Bearer ${token}` },
          body: JSON.stringify({ text: query.text, filters: query.filters, frequency: "weekly" }),
        });
      } catch (e) {
        phase = "error";
        error = e.status === 401 ? "expired" : e.status === 403 ? "denied" : "failed";
        const said = e.message && e.message !== e.kind ? ` (the API says: ${e.message})` : "";
        this._report(`alert-${error}`, {
          expired: `the API at ${this.apiBase} refused the teacher-token${said}: the portal must put a fresh ` +
            "token, minted with TWINMATCH_TEACHER_TOKEN_SECRET, in the page (docs/alerts.md)",
          denied: `the API at ${this.apiBase} refused to save the search${said}`,
          failed: `the search could not be saved at ${this.apiBase}${said || " (network error, or no CORS " +
            `header for ${location.origin}: a widget key must list this origin)`}`,
        }[error]);
      }
      if (this._saved.query !== query) return;     // another search ran meanwhile
      this._saved = { query, phase, error };
      const focused = this._root.activeElement === this._el.alertMe;
      this._renderAlertMe();
      // Where the button is gone, focus goes to what took its place.
      if (focused && this._el.alertMe.parentElement.hidden) {
        (phase === "saved" ? this._el.alertMeNote : this._el.alertMeError).focus({ preventScroll: true });
      }
    }

    /** Facet chips: per facet its values with their counts, chosen ones pressed; "Clear all". */
    _renderChips() {
      const el = this._el, f = this._facets || {}, groups = [], max = this._narrow() ? CHIPS / 2 : CHIPS;
      let refocus = null;
      for (const name of FACETS) {
        const chosen = this._chosen[name], all = Array.isArray(f[name]) ? f[name] : [];
        const open = this._allChips.has(name) || all.length <= max + 1;
        const values = all.filter((x, i) => open || i < max || chosen.includes(x.value));
        if (!values.length) continue;
        const label = `${this._id}-f-${name}`;
        const more = open ? null : h("button", { type: "button", class: "chip secondary" }, this.t("showAll", { n: all.length }));
        if (more) more.addEventListener("click", () => { this._allChips.add(name); this._refocus = name; this._renderChips(); });
        groups.push(h("div", { class: "group", role: "group", "aria-labelledby": label },
          h("span", { id: label }, this.t(name)),
          values.map((x) => {
            const b = h("button", { type: "button", class: "chip", "aria-pressed": chosen.includes(x.value) ? "true" : "false" },
              `${this._valueName(name, String(x.value))} (${Number(x.count).toLocaleString(this.uiLang)})`);
            b.addEventListener("click", () => this._toggle(name, String(x.value)));
            if (this._refocus === `${name}|${x.value}` || (this._refocus === name && !refocus)) refocus = b;
            return b;
          }), more));
      }
      const any = FACETS.some((n) => this._chosen[n].length);
      el.chips.replaceChildren(...groups, ...(any ? [h("p", {}, el.clearAll)] : []));
      el.chips.hidden = !groups.length && !any;
      if (refocus) refocus.focus({ preventScroll: true });
      this._refocus = null;
    }

    _valueName(name, value) {
      if (name === "country") return this._countryName(value);
      if (name === "language") return this._langName(value);
      if (name === "age") {
        const [from, to] = value.split("-");
        return from === to ? from : this.t("years", { from, to });
      }
      const s = this._taxonomy && this._taxonomy.subjects.find((x) => x.id === value);
      return s ? s.label : value;
    }

    /** Below 640 px (the 40em container query) the pager shows arrows and fewer numbers. */
    _narrow() {
      return this.getBoundingClientRect().width < 640;
    }

    /** Previous, the first and last page, the pages around this one, Next; "…" for the gaps. */
    _renderPager() {
      const el = this._el, s = this._state, pages = this._pages();
      el.nav.hidden = s.phase !== "done" || !s.results.length || pages <= 1;
      if (el.nav.hidden) return el.pager.replaceChildren();
      const around = this._narrow() ? 0 : 1;
      const shown = [...new Set([1, pages, ...Array.from({ length: 2 * around + 1 }, (_, i) => s.page - around + i)])]
        .filter((p) => p >= 1 && p <= pages).sort((a, b) => a - b);
      const go = (page, label, attrs, ...content) => {
        const b = h("button", { type: "button", class: "secondary", "aria-label": label, ...attrs }, ...content);
        b.addEventListener("click", () => this._run(page, true));
        return h("li", {}, b);
      };
      const items = [go(s.page - 1, null, { disabled: s.page <= 1, class: "secondary prev" },
        h("span", { "aria-hidden": "true" }, "‹ "), h("span", { class: "label" }, this.t("prev")))];
      shown.forEach((p, i) => {
        if (i && p - shown[i - 1] > 1) items.push(h("li", { class: "gap", "aria-hidden": "true" }, "…"));
        items.push(go(p, this.t("pageN", { page: p }), { "aria-current": p === s.page ? "page" : null },
          p.toLocaleString(this.uiLang)));
      });
      items.push(go(s.page + 1, null, { disabled: s.page >= pages, class: "secondary next" },
        h("span", { class: "label" }, this.t("next")), h("span", { "aria-hidden": "true" }, " ›")));
      el.pager.replaceChildren(...items);
    }

    _card(result, i) {
      const p = (result && result.profile) || {};
      const school = p.school || {};
      const tax = this._taxonomy;
      const subjectLabel = (id) => {
        const s = tax && tax.subjects.find((x) => x.id === id);
        return s ? s.label : id;
      };
      const list = (xs) => (Array.isArray(xs) ? xs : []).filter((x) => x != null && x !== "");
      const headingId = `${this._id}-r${this._state.page}-${i}`;
      const place = [school.city, school.country && this._countryName(school.country)].filter(Boolean).join(", ");
      const schoolLine = [school.name, place, school.type && this._schoolType(school.type)].filter(Boolean).join(" · ");
      const ages = list(p.age_groups).map((a) => (a.from === a.to ? `${a.from}` : `${a.from}–${a.to}`));
      const rows = [
        [this.t("langs"), list(p.languages).map((c) => this._langName(c)).join(", ")],
        [this.t("ages"), ages.join(", ")],
        [this.t("subjects"), list(p.subjects).map(subjectLabel).join(", ")],
      ].filter(([, v]) => v);
      const reasons = list(result && result.reasons);
      const name = p.name || this.t("noName");
      const href = this.profileUrl(p.id);
      // The idea the search matched (the reason's `unit`, "idea:N"), else the first one.
      const hit = reasons.find((r) => r && r.code === "matches_search");
      const unit = hit && hit.details && typeof hit.details.unit === "string" ? hit.details.unit : "";
      const ideas = list(p.ideas);
      const idea = unit.startsWith("idea:") ? ideas[parseInt(unit.slice(5), 10)] : unit ? null : ideas[0];
      const ideaTitle = idea ? idea.title || "" : this.t("interests");
      const ideaText = idea ? idea.text || "" : list(p.interests).join("; ");
      const messages = reasons.map((r) => r && r.message).filter(Boolean);
      const more = ideaTitle || ideaText || messages.length ? h("details", {},
        h("summary", {}, this.t("more")),
        ideaTitle ? h("h4", {}, ideaTitle) : null,
        ideaText ? h("p", { class: "snippet" }, snippet(ideaText, this._query && this._query.text)) : null,
        messages.length ? [h("p", { class: "why" }, this.t("why")),
                           h("ul", { class: "reasons" }, messages.map((m) => h("li", {}, m)))] : null) : null;
      return h("li", {},
        h("article", { class: "card", "aria-labelledby": headingId },
          h("h3", { id: headingId, class: "name" }, href ? h("a", { href }, name) : name),
          schoolLine ? h("p", { class: "school" }, schoolLine) : null,
          rows.length ? h("dl", {}, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])) : null,
          more));
    }
  }

  TwinmatchSearch.EN = EN;
  TwinmatchSearch.LANGS = UI_LANGS;
  customElements.define(TAG, TwinmatchSearch);
})();
