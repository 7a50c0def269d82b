/*! twinmatch partner-search widget, v1. One file, no build step.
 *
 *   <script src="https://API_HOST/widget/v1/twinmatch.js" defer></script>
 *   <twinmatch-search key="tm_..." lang="pt" country="PT"></twinmatch-search>
 *
 * Attributes: key (public search key), lang (UI and label language, English fallback),
 * country (initial country filter), api (API base URL; default: where this script came
 * from), page-size (results per page, 1-50, default 10). See docs/widget.md.
 *
 * It calls only GET /v1/taxonomy and POST /v1/search. Everything that comes from the API
 * is put in the page with textContent, never as markup.
 */
(() => {
  "use strict";

  const TAG = "twinmatch-search";
  if (customElements.get(TAG)) return;   // loaded twice on one page: keep the first

  const SCRIPT_PATH = /\/widget\/v1\/twinmatch\.js(?:[?#].*)?$/;

  /** The API base is where this script was served from, so one script tag is all a host needs. */
  const SCRIPT_BASE = (() => {
    const el = document.currentScript ||
      [...document.querySelectorAll("script[src]")].find((s) => SCRIPT_PATH.test(s.src));
    if (!el || !el.src) return location.origin;
    const url = new URL(el.src, location.href);
    return (url.origin + url.pathname).replace(SCRIPT_PATH, "").replace(/\/+$/, "") || url.origin;
  })();

  const LANGS = ["en", "pt", "ro", "ca", "es", "fr", "de", "it", "pl", "el"];

  // Working languages offered in the filter: the eTwinning countries' languages.
  const WORK_LANGS = ["ar", "az", "bg", "bs", "ca", "cs", "da", "de", "el", "en", "es", "et", "eu",
    "fi", "fr", "ga", "gl", "hr", "hu", "hy", "is", "it", "ka", "lb", "lt", "lv", "mk", "mt", "nl",
    "no", "pl", "pt", "ro", "sk", "sl", "sq", "sr", "sv", "tr", "uk"];

  const AGE_BANDS = [[3, 6], [7, 11], [12, 15], [16, 19]];

  const STRINGS = {
    en: {
      title: "Find an eTwinning partner", searchLabel: "Project idea or topic",
      placeholder: "e.g. recycling, climate, music, robotics", search: "Search", filters: "Filters",
      country: "Country", subject: "Subject", age: "Pupils' age", language: "Working language",
      anyCountry: "Any country", anySubject: "Any subject", anyAge: "Any age", anyLanguage: "Any language",
      years: "{from}–{to} years",
      intro: "Describe a project idea or choose filters, then press Search.",
      loading: "Searching…", empty: "No teachers match this search. Try other words or fewer filters.",
      count: "Results: {total}", page: "Page {page} of {pages}", prev: "Previous", next: "Next",
      pages: "Result pages", results: "Search results", langs: "Working languages",
      ages: "Pupils' ages", subjects: "Subjects", why: "Why this match",
      errAuth: "This website is not allowed to use the partner search (the key was refused).",
      errNet: "The partner search could not be reached, or it does not accept requests from this website.",
      errRate: "Too many searches at the moment. Please wait a minute and try again.",
      errBad: "The search could not be run: {message}",
      errServer: "The partner search is not available right now. Please try again later.",
      noName: "eTwinning teacher",
    },
    pt: {
      title: "Encontre um parceiro eTwinning", searchLabel: "Ideia de projeto ou tema",
      placeholder: "p. ex. reciclagem, clima, música, robótica", search: "Pesquisar", filters: "Filtros",
      country: "País", subject: "Disciplina", age: "Idade dos alunos", language: "Língua de trabalho",
      anyCountry: "Qualquer país", anySubject: "Qualquer disciplina", anyAge: "Qualquer idade",
      anyLanguage: "Qualquer língua", years: "{from}–{to} anos",
      intro: "Descreva uma ideia de projeto ou escolha filtros e carregue em Pesquisar.",
      loading: "A pesquisar…",
      empty: "Nenhum professor corresponde a esta pesquisa. Experimente outras palavras ou menos filtros.",
      count: "Resultados: {total}", page: "Página {page} de {pages}", prev: "Anterior", next: "Seguinte",
      pages: "Páginas de resultados", results: "Resultados da pesquisa", langs: "Línguas de trabalho",
      ages: "Idades dos alunos", subjects: "Disciplinas", why: "Porquê esta sugestão",
      errAuth: "Este sítio não está autorizado a usar a pesquisa de parceiros (a chave foi recusada).",
      errNet: "Não foi possível contactar a pesquisa de parceiros, ou esta não aceita pedidos deste sítio.",
      errRate: "Demasiadas pesquisas neste momento. Aguarde um minuto e tente novamente.",
      errBad: "Não foi possível fazer a pesquisa: {message}",
      errServer: "A pesquisa de parceiros não está disponível de momento. Tente mais tarde.",
      noName: "Professor eTwinning",
    },
    ro: {
      title: "Găsiți un partener eTwinning", searchLabel: "Idee de proiect sau temă",
      placeholder: "de ex. reciclare, climă, muzică, robotică", search: "Căutare", filters: "Filtre",
      country: "Țara", subject: "Disciplina", age: "Vârsta elevilor", language: "Limba de lucru",
      anyCountry: "Orice țară", anySubject: "Orice disciplină", anyAge: "Orice vârstă",
      anyLanguage: "Orice limbă", years: "{from}–{to} ani",
      intro: "Descrieți o idee de proiect sau alegeți filtre, apoi apăsați Căutare.",
      loading: "Se caută…",
      empty: "Niciun profesor nu corespunde acestei căutări. Încercați alte cuvinte sau mai puține filtre.",
      count: "Rezultate: {total}", page: "Pagina {page} din {pages}", prev: "Înapoi", next: "Înainte",
      pages: "Pagini de rezultate", results: "Rezultatele căutării", langs: "Limbi de lucru",
      ages: "Vârstele elevilor", subjects: "Discipline", why: "De ce această potrivire",
      errAuth: "Acest site nu are permisiunea de a folosi căutarea de parteneri (cheia a fost refuzată).",
      errNet: "Căutarea de parteneri nu a putut fi contactată sau nu acceptă cereri de pe acest site.",
      errRate: "Prea multe căutări în acest moment. Așteptați un minut și încercați din nou.",
      errBad: "Căutarea nu a putut fi efectuată: {message}",
      errServer: "Căutarea de parteneri nu este disponibilă momentan. Încercați mai târziu.",
      noName: "Profesor eTwinning",
    },
    ca: {
      title: "Trobeu un soci eTwinning", searchLabel: "Idea de projecte o tema",
      placeholder: "p. ex. reciclatge, clima, música, robòtica", search: "Cerca", filters: "Filtres",
      country: "País", subject: "Matèria", age: "Edat de l'alumnat", language: "Llengua de treball",
      anyCountry: "Qualsevol país", anySubject: "Qualsevol matèria", anyAge: "Qualsevol edat",
      anyLanguage: "Qualsevol llengua", years: "{from}–{to} anys",
      intro: "Descriviu una idea de projecte o trieu filtres i premeu Cerca.",
      loading: "S'està cercant…",
      empty: "Cap docent no coincideix amb aquesta cerca. Proveu altres paraules o menys filtres.",
      count: "Resultats: {total}", page: "Pàgina {page} de {pages}", prev: "Anterior", next: "Següent",
      pages: "Pàgines de resultats", results: "Resultats de la cerca", langs: "Llengües de treball",
      ages: "Edats de l'alumnat", subjects: "Matèries", why: "Per què aquesta proposta",
      errAuth: "Aquest lloc web no té permís per utilitzar la cerca de socis (s'ha rebutjat la clau).",
      errNet: "No s'ha pogut contactar amb la cerca de socis, o no accepta peticions d'aquest lloc web.",
      errRate: "Massa cerques en aquest moment. Espereu un minut i torneu-ho a provar.",
      errBad: "No s'ha pogut fer la cerca: {message}",
      errServer: "La cerca de socis no està disponible ara mateix. Torneu-ho a provar més tard.",
      noName: "Docent eTwinning",
    },
    es: {
      title: "Encuentra un socio eTwinning", searchLabel: "Idea de proyecto o tema",
      placeholder: "p. ej. reciclaje, clima, música, robótica", search: "Buscar", filters: "Filtros",
      country: "País", subject: "Asignatura", age: "Edad del alumnado", language: "Lengua de trabajo",
      anyCountry: "Cualquier país", anySubject: "Cualquier asignatura", anyAge: "Cualquier edad",
      anyLanguage: "Cualquier lengua", years: "{from}–{to} años",
      intro: "Describe una idea de proyecto o elige filtros y pulsa Buscar.",
      loading: "Buscando…",
      empty: "Ningún docente coincide con esta búsqueda. Prueba otras palabras o menos filtros.",
      count: "Resultados: {total}", page: "Página {page} de {pages}", prev: "Anterior", next: "Siguiente",
      pages: "Páginas de resultados", results: "Resultados de la búsqueda", langs: "Lenguas de trabajo",
      ages: "Edades del alumnado", subjects: "Asignaturas", why: "Por qué esta sugerencia",
      errAuth: "Este sitio web no tiene permiso para usar la búsqueda de socios (la clave fue rechazada).",
      errNet: "No se pudo contactar con la búsqueda de socios, o no acepta peticiones de este sitio web.",
      errRate: "Demasiadas búsquedas en este momento. Espera un minuto y vuelve a intentarlo.",
      errBad: "No se pudo realizar la búsqueda: {message}",
      errServer: "La búsqueda de socios no está disponible ahora mismo. Inténtalo más tarde.",
      noName: "Docente eTwinning",
    },
    fr: {
      title: "Trouver un partenaire eTwinning", searchLabel: "Idée de projet ou thème",
      placeholder: "p. ex. recyclage, climat, musique, robotique", search: "Rechercher", filters: "Filtres",
      country: "Pays", subject: "Matière", age: "Âge des élèves", language: "Langue de travail",
      anyCountry: "Tous les pays", anySubject: "Toutes les matières", anyAge: "Tous les âges",
      anyLanguage: "Toutes les langues", years: "{from}–{to} ans",
      intro: "Décrivez une idée de projet ou choisissez des filtres, puis appuyez sur Rechercher.",
      loading: "Recherche en cours…",
      empty: "Aucun enseignant ne correspond à cette recherche. Essayez d’autres mots ou moins de filtres.",
      count: "Résultats\u00a0: {total}", page: "Page {page} sur {pages}", prev: "Précédent", next: "Suivant",
      pages: "Pages de résultats", results: "Résultats de la recherche", langs: "Langues de travail",
      ages: "Âges des élèves", subjects: "Matières", why: "Pourquoi ce profil",
      errAuth: "Ce site n’est pas autorisé à utiliser la recherche de partenaires (la clé a été refusée).",
      errNet: "La recherche de partenaires est injoignable, ou elle n’accepte pas les requêtes de ce site.",
      errRate: "Trop de recherches en ce moment. Patientez une minute puis réessayez.",
      errBad: "La recherche n’a pas pu être effectuée\u00a0: {message}",
      errServer: "La recherche de partenaires est indisponible pour le moment. Réessayez plus tard.",
      noName: "Enseignant eTwinning",
    },
    de: {
      title: "eTwinning-Partner finden", searchLabel: "Projektidee oder Thema",
      placeholder: "z. B. Recycling, Klima, Musik, Robotik", search: "Suchen", filters: "Filter",
      country: "Land", subject: "Fach", age: "Alter der Schüler/-innen", language: "Arbeitssprache",
      anyCountry: "Alle Länder", anySubject: "Alle Fächer", anyAge: "Jedes Alter",
      anyLanguage: "Alle Sprachen", years: "{from}–{to} Jahre",
      intro: "Beschreiben Sie eine Projektidee oder wählen Sie Filter und klicken Sie dann auf Suchen.",
      loading: "Suche läuft…",
      empty: "Keine Lehrkraft passt zu dieser Suche. Versuchen Sie andere Wörter oder weniger Filter.",
      count: "Ergebnisse: {total}", page: "Seite {page} von {pages}", prev: "Zurück", next: "Weiter",
      pages: "Ergebnisseiten", results: "Suchergebnisse", langs: "Arbeitssprachen",
      ages: "Altersgruppen", subjects: "Fächer", why: "Warum dieser Vorschlag",
      errAuth: "Diese Website darf die Partnersuche nicht verwenden (der Schlüssel wurde abgelehnt).",
      errNet: "Die Partnersuche ist nicht erreichbar oder nimmt keine Anfragen von dieser Website an.",
      errRate: "Zu viele Suchanfragen im Moment. Bitte warten Sie eine Minute und versuchen Sie es erneut.",
      errBad: "Die Suche konnte nicht ausgeführt werden: {message}",
      errServer: "Die Partnersuche ist derzeit nicht verfügbar. Bitte versuchen Sie es später erneut.",
      noName: "eTwinning-Lehrkraft",
    },
    it: {
      title: "Trova un partner eTwinning", searchLabel: "Idea di progetto o tema",
      placeholder: "ad es. riciclo, clima, musica, robotica", search: "Cerca", filters: "Filtri",
      country: "Paese", subject: "Materia", age: "Età degli alunni", language: "Lingua di lavoro",
      anyCountry: "Qualsiasi paese", anySubject: "Qualsiasi materia", anyAge: "Qualsiasi età",
      anyLanguage: "Qualsiasi lingua", years: "{from}–{to} anni",
      intro: "Descrivi un'idea di progetto o scegli i filtri, poi premi Cerca.",
      loading: "Ricerca in corso…",
      empty: "Nessun insegnante corrisponde a questa ricerca. Prova altre parole o meno filtri.",
      count: "Risultati: {total}", page: "Pagina {page} di {pages}", prev: "Precedente", next: "Successiva",
      pages: "Pagine dei risultati", results: "Risultati della ricerca", langs: "Lingue di lavoro",
      ages: "Età degli alunni", subjects: "Materie", why: "Perché questo profilo",
      errAuth: "Questo sito non è autorizzato a usare la ricerca di partner (la chiave è stata rifiutata).",
      errNet: "Impossibile raggiungere la ricerca di partner, oppure non accetta richieste da questo sito.",
      errRate: "Troppe ricerche in questo momento. Attendi un minuto e riprova.",
      errBad: "Impossibile eseguire la ricerca: {message}",
      errServer: "La ricerca di partner non è disponibile al momento. Riprova più tardi.",
      noName: "Insegnante eTwinning",
    },
    pl: {
      title: "Znajdź partnera eTwinning", searchLabel: "Pomysł na projekt lub temat",
      placeholder: "np. recykling, klimat, muzyka, robotyka", search: "Szukaj", filters: "Filtry",
      country: "Kraj", subject: "Przedmiot", age: "Wiek uczniów", language: "Język pracy",
      anyCountry: "Dowolny kraj", anySubject: "Dowolny przedmiot", anyAge: "Dowolny wiek",
      anyLanguage: "Dowolny język", years: "{from}–{to} lat",
      intro: "Opisz pomysł na projekt lub wybierz filtry, a następnie naciśnij Szukaj.",
      loading: "Wyszukiwanie…",
      empty: "Żaden nauczyciel nie pasuje do tego wyszukiwania. Spróbuj innych słów lub mniejszej liczby filtrów.",
      count: "Wyniki: {total}", page: "Strona {page} z {pages}", prev: "Poprzednia", next: "Następna",
      pages: "Strony wyników", results: "Wyniki wyszukiwania", langs: "Języki pracy",
      ages: "Wiek uczniów", subjects: "Przedmioty", why: "Dlaczego ta propozycja",
      errAuth: "Ta strona nie ma uprawnień do korzystania z wyszukiwarki partnerów (klucz został odrzucony).",
      errNet: "Nie można połączyć się z wyszukiwarką partnerów lub nie przyjmuje ona zapytań z tej strony.",
      errRate: "Zbyt wiele wyszukiwań w tej chwili. Odczekaj minutę i spróbuj ponownie.",
      errBad: "Nie udało się wykonać wyszukiwania: {message}",
      errServer: "Wyszukiwarka partnerów jest teraz niedostępna. Spróbuj ponownie później.",
      noName: "Nauczyciel eTwinning",
    },
    el: {
      title: "Βρείτε συνεργάτη eTwinning", searchLabel: "Ιδέα έργου ή θέμα",
      placeholder: "π.χ. ανακύκλωση, κλίμα, μουσική, ρομποτική", search: "Αναζήτηση", filters: "Φίλτρα",
      country: "Χώρα", subject: "Μάθημα", age: "Ηλικία μαθητών", language: "Γλώσσα εργασίας",
      anyCountry: "Όλες οι χώρες", anySubject: "Όλα τα μαθήματα", anyAge: "Όλες οι ηλικίες",
      anyLanguage: "Όλες οι γλώσσες", years: "{from}–{to} ετών",
      intro: "Περιγράψτε μια ιδέα έργου ή επιλέξτε φίλτρα και πατήστε Αναζήτηση.",
      loading: "Αναζήτηση σε εξέλιξη…",
      empty: "Κανένας εκπαιδευτικός δεν ταιριάζει με αυτή την αναζήτηση. Δοκιμάστε άλλες λέξεις ή λιγότερα φίλτρα.",
      count: "Αποτελέσματα: {total}", page: "Σελίδα {page} από {pages}", prev: "Προηγούμενη", next: "Επόμενη",
      pages: "Σελίδες αποτελεσμάτων", results: "Αποτελέσματα αναζήτησης", langs: "Γλώσσες εργασίας",
      ages: "Ηλικίες μαθητών", subjects: "Μαθήματα", why: "Γιατί ταιριάζει",
      errAuth: "Αυτός ο ιστότοπος δεν επιτρέπεται να χρησιμοποιεί την αναζήτηση συνεργατών (το κλειδί απορρίφθηκε).",
      errNet: "Δεν ήταν δυνατή η σύνδεση με την αναζήτηση συνεργατών ή δεν δέχεται αιτήματα από αυτόν τον ιστότοπο.",
      errRate: "Πάρα πολλές αναζητήσεις αυτή τη στιγμή. Περιμένετε ένα λεπτό και δοκιμάστε ξανά.",
      errBad: "Η αναζήτηση δεν ήταν δυνατή: {message}",
      errServer: "Η αναζήτηση συνεργατών δεν είναι διαθέσιμη αυτή τη στιγμή. Δοκιμάστε αργότερα.",
      noName: "Εκπαιδευτικός eTwinning",
    },
  };

  const CSS = `
    :host { all: initial; display: block; container-type: inline-size;
      font: var(--twinmatch-font, 1rem/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
      color: var(--twinmatch-text, #1b1b1f); --accent: var(--twinmatch-accent, #0b57d0);
      --muted: #4a4a55; --line: #c9cbd3; --bg: var(--twinmatch-background, #fff); }
    :host([hidden]) { display: none; }
    * { box-sizing: border-box; }
    .wrap { background: var(--bg); padding: .75rem; }
    h2 { font-size: 1.25em; margin: 0 0 .75rem; }
    form { display: grid; gap: .75rem; }
    .query { display: flex; gap: .5rem; flex-wrap: wrap; }
    .query input { flex: 1 1 12rem; min-width: 0; }
    label { display: block; font-weight: 600; margin-bottom: .25rem; }
    input, select, button { font: inherit; color: inherit; }
    input, select { width: 100%; padding: .5rem .6rem; border: 1px solid #767680; border-radius: .375rem;
      background: #fff; min-height: 2.75rem; }
    button { padding: .5rem 1rem; border-radius: .375rem; border: 1px solid var(--accent); min-height: 2.75rem;
      background: var(--accent); color: #fff; font-weight: 600; cursor: pointer; }
    button.secondary { background: #fff; color: var(--accent); }
    button:disabled { background: #eee; color: #555; border-color: #aaa; cursor: not-allowed; }
    :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
    fieldset { border: 1px solid var(--line); border-radius: .5rem; margin: 0; padding: .5rem .75rem .75rem; }
    legend { font-weight: 600; padding: 0 .25rem; }
    .filters { display: grid; gap: .75rem; grid-template-columns: repeat(auto-fit, minmax(min(100%, 11rem), 1fr)); }
    .status { margin: 1rem 0 .5rem; font-weight: 600; }
    .status:focus { outline: none; }
    .status:focus-visible { outline: 3px solid var(--accent); }
    .error { margin: 1rem 0; padding: .75rem; border: 2px solid #b3261e; border-radius: .5rem;
      color: #8c1d18; background: #fdf2f1; }
    .error[hidden], .status[hidden], nav[hidden] { display: none; }
    ol.cards { list-style: none; margin: 0; padding: 0; display: grid; gap: .75rem; }
    article { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; overflow-wrap: anywhere; }
    h3 { font-size: 1.1em; margin: 0 0 .25rem; }
    .school { margin: 0 0 .5rem; color: var(--muted); }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem .75rem; margin: 0 0 .5rem; }
    dt { font-weight: 600; } dd { margin: 0; }
    .why { margin: .25rem 0 0; font-weight: 600; }
    ul.reasons { margin: .25rem 0 0; padding-left: 1.25rem; }
    nav { display: flex; align-items: center; justify-content: space-between; gap: .5rem; margin-top: 1rem;
      flex-wrap: wrap; }
    [aria-busy="true"] ol.cards { opacity: .5; }
    @container (max-width: 30rem) {
      .query button { flex: 1 1 100%; }
      dl { grid-template-columns: 1fr; } dd { margin-bottom: .25rem; }
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

  /** Build an element: attributes as given, children as nodes or text (always textContent). */
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

  // Taxonomy per (API base, language), shared by every widget on the page.
  const taxonomyCache = new Map();

  class ApiError extends Error {
    constructor(kind, status, message) { super(message || kind); this.kind = kind; this.status = status; }
  }

  let uid = 0;

  class TwinmatchSearch extends HTMLElement {
    static get observedAttributes() { return ["lang", "key", "country", "api", "page-size"]; }

    constructor() {
      super();
      this._id = `tm${++uid}`;
      this._root = this.attachShadow({ mode: "open" });
      styleInto(this._root);
      this._state = { phase: "idle", results: [], total: 0, page: 1, error: null };
      this._query = null;           // the last search run: {text, filters}
      this._taxonomy = null;
      this._seq = 0;                // answers to superseded requests are dropped
      this._abort = null;
      this._build();
    }

    connectedCallback() {
      this._applyLang();
      this._loadTaxonomy();
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
        this._selectCountry();
      }
    }

    // ---- settings from attributes ----------------------------------------------------------

    get apiBase() {
      const attr = (this.getAttribute("api") || "").trim();
      return (attr || SCRIPT_BASE).replace(/\/+$/, "");
    }

    get uiLang() {
      const own = baseLang(this.getAttribute("lang"));
      const inherited = baseLang((this.parentElement && this.parentElement.closest("[lang]") || {}).lang ||
                                 document.documentElement.lang);
      return own || inherited || "en";
    }

    get pageSize() {
      const n = parseInt(this.getAttribute("page-size") || "10", 10);
      return Number.isFinite(n) ? Math.min(50, Math.max(1, n)) : 10;
    }

    t(key, values) {
      const table = STRINGS[this.uiLang] || STRINGS.en;
      return fill(table[key] != null ? table[key] : STRINGS.en[key], values || {});
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
        return h("div", {}, el[name + "Label"], el[name]);
      };
      el.form = h("form", { role: "search", "aria-labelledby": id("title"), novalidate: true },
        h("div", {}, el.queryLabel, h("div", { class: "query" }, el.query, el.submit)),
        h("fieldset", {}, el.legend,
          h("div", { class: "filters" }, select("country"), select("subject"), select("age"), select("language"))));
      el.form.addEventListener("submit", (ev) => { ev.preventDefault(); this._search(); });

      el.status = h("p", { class: "status", id: id("status"), role: "status", "aria-live": "polite",
                           "aria-atomic": "true", tabindex: "-1" });
      el.error = h("p", { class: "error", role: "alert", hidden: true });
      el.cards = h("ol", { class: "cards", "aria-labelledby": id("status") });
      el.prev = h("button", { type: "button", class: "secondary" });
      el.next = h("button", { type: "button", class: "secondary" });
      el.pageInfo = h("span", { class: "pageinfo" });
      el.nav = h("nav", { hidden: true }, el.prev, el.pageInfo, el.next);
      el.prev.addEventListener("click", () => this._run(this._state.page - 1, true));
      el.next.addEventListener("click", () => this._run(this._state.page + 1, true));
      el.results = h("section", { class: "results" },
        el.status, el.error, el.cards, el.nav);
      this._root.append(h("div", { class: "wrap", part: "container" }, el.title, el.form, el.results));
    }

    // ---- localization ------------------------------------------------------------------------

    _applyLang() {
      const el = this._el;
      el.title.textContent = this.t("title");
      el.queryLabel.textContent = this.t("searchLabel");
      el.query.placeholder = this.t("placeholder");
      el.submit.textContent = this.t("search");
      el.legend.textContent = this.t("filters");
      el.countryLabel.textContent = this.t("country");
      el.subjectLabel.textContent = this.t("subject");
      el.ageLabel.textContent = this.t("age");
      el.languageLabel.textContent = this.t("language");
      el.results.setAttribute("aria-label", this.t("results"));
      el.prev.textContent = this.t("prev");
      el.next.textContent = this.t("next");
      el.nav.setAttribute("aria-label", this.t("pages"));
      this._fillAges();
      this._fillLanguages();
      this._fillTaxonomySelects();
      this._render();
    }

    _options(select, anyLabel, items) {
      const keep = select.value;
      select.replaceChildren(h("option", { value: "" }, anyLabel),
        ...items.map(([value, label]) => h("option", { value }, label)));
      if ([...select.options].some((o) => o.value === keep)) select.value = keep;
    }

    _collator() {
      try { return new Intl.Collator(this.uiLang); } catch (e) { return new Intl.Collator("en"); }
    }

    _fillAges() {
      this._options(this._el.age, this.t("anyAge"),
        AGE_BANDS.map(([a, b]) => [`${a}-${b}`, this.t("years", { from: a, to: b })]));
    }

    _langName(code) {
      try {
        return new Intl.DisplayNames([this.uiLang, "en"], { type: "language" }).of(code) || code;
      } catch (e) { return code; }
    }

    _fillLanguages() {
      const coll = this._collator();
      const items = WORK_LANGS.map((c) => [c, this._langName(c)]).sort((x, y) => coll.compare(x[1], y[1]));
      this._options(this._el.language, this.t("anyLanguage"), items);
    }

    _fillTaxonomySelects() {
      const tax = this._taxonomy, coll = this._collator();
      const countries = tax ? tax.countries.map((c) => [c.code, c.name]) : [];
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
        sel.value = code;
        this._countryApplied = true;
      }
    }

    // ---- talking to the API -----------------------------------------------------------------

    _headers(json) {
      const headers = { Accept: "application/json" };
      if (json) headers["Content-Type"] = "application/json";
      const key = (this.getAttribute("key") || "").trim();
      if (key) headers["X-API-Key"] = key;   // CORS answers only for origins the key lists
      return headers;
    }

    async _fetchJSON(path, init) {
      let res;
      try {
        res = await fetch(this.apiBase + path, { mode: "cors", credentials: "omit", ...init });
      } catch (e) {
        if (e && e.name === "AbortError") throw e;
        // A refused origin fails CORS and reaches us as a network error, like an unreachable API.
        throw new ApiError("network", 0);
      }
      let body = null;
      try { body = await res.json(); } catch (e) { /* not JSON */ }
      if (res.ok && body) return body;
      const err = (body && body.error) || {};
      const kind = res.status === 401 || res.status === 403 ? "auth"
        : res.status === 429 ? "rate" : res.status >= 400 && res.status < 500 ? "bad" : "server";
      throw new ApiError(kind, res.status, typeof err.message === "string" ? err.message : "");
    }

    async _loadTaxonomy() {
      const lang = this.uiLang;
      const cacheKey = `${this.apiBase}|${lang}|${this.getAttribute("key") || ""}`;
      let pending = taxonomyCache.get(cacheKey);
      if (!pending) {
        pending = this._fetchJSON(`/v1/taxonomy?lang=${encodeURIComponent(lang)}`,
                                  { headers: this._headers(false) });
        taxonomyCache.set(cacheKey, pending);
        pending.catch(() => taxonomyCache.delete(cacheKey));   // retry on the next render
      }
      try {
        const tax = await pending;
        if (lang !== this.uiLang) return;        // the language changed meanwhile
        this._taxonomy = tax;
        this._fillTaxonomySelects();
        if (this._state.phase === "done") this._render();   // subject labels on cards
      } catch (e) {
        // Filters keep "any"; a search will show the error if the API is really unreachable.
      }
    }

    _filters() {
      const el = this._el, f = {};
      if (el.country.value) f.country = [el.country.value];
      if (el.subject.value) f.subject = [el.subject.value];
      if (el.age.value) f.age = el.age.value;
      if (el.language.value) f.language = [el.language.value];
      return f;
    }

    _search() {
      this._query = { text: this._el.query.value.trim(), filters: this._filters() };
      this._run(1, false);
    }

    async _run(page, moveFocus) {
      if (!this._query) return;
      const seq = ++this._seq;
      if (this._abort) this._abort.abort();
      const abort = (this._abort = typeof AbortController === "function" ? new AbortController() : null);
      const k = this.pageSize;
      page = Math.max(1, Math.min(page, this._maxPages()));
      this._state = { ...this._state, phase: "loading", page, error: null };
      this._render();
      try {
        const body = await this._fetchJSON("/v1/search", {
          method: "POST", headers: this._headers(true), signal: abort ? abort.signal : undefined,
          body: JSON.stringify({ text: this._query.text, filters: this._query.filters, k,
                                 offset: (page - 1) * k, lang: this.uiLang }),
        });
        if (seq !== this._seq) return;
        const results = Array.isArray(body.results) ? body.results : [];
        this._state = { phase: "done", results, total: Number(body.total) || results.length, page, error: null };
      } catch (e) {
        if (seq !== this._seq || (e && e.name === "AbortError")) return;
        this._state = { phase: "error", results: [], total: 0, page: 1, error: e };
      }
      this._render();
      // After paging, the pressed button may be gone or disabled: put focus at the top of the
      // new results so keyboard and screen-reader users continue from there.
      if (moveFocus) this._el.status.focus();
    }

    _maxPages() {
      // The API pages up to offset 1000.
      return Math.floor(1000 / this.pageSize) + 1;
    }

    _pages() {
      return Math.max(1, Math.min(Math.ceil(this._state.total / this.pageSize), this._maxPages()));
    }

    // ---- rendering the changing part ---------------------------------------------------------

    _render() {
      const el = this._el, s = this._state;
      el.results.setAttribute("aria-busy", s.phase === "loading" ? "true" : "false");
      el.error.hidden = s.phase !== "error";
      el.status.hidden = s.phase === "error";
      el.status.dataset.state = s.phase;
      if (s.phase === "error") {
        const e = s.error || {};
        const key = { auth: "errAuth", rate: "errRate", bad: "errBad", network: "errNet" }[e.kind] || "errServer";
        el.error.textContent = this.t(key, { message: e.message || "" });
        el.cards.replaceChildren();
        el.nav.hidden = true;
        return;
      }
      if (s.phase === "idle") {
        el.status.textContent = this.t("intro");
      } else if (s.phase === "loading") {
        el.status.textContent = this.t("loading");
        return;   // keep the old cards (dimmed) until the new ones arrive
      } else if (!s.results.length) {
        el.status.textContent = this.t("empty");
      } else {
        const pages = this._pages();
        el.status.textContent = this.t("count", { total: s.total }) +
          (pages > 1 ? " · " + this.t("page", { page: s.page, pages }) : "");
      }
      el.cards.replaceChildren(...s.results.map((r, i) => this._card(r, i)));
      const pages = this._pages();
      el.nav.hidden = s.phase !== "done" || pages <= 1;
      el.pageInfo.textContent = this.t("page", { page: s.page, pages });
      el.prev.disabled = s.page <= 1;
      el.next.disabled = s.page >= pages;
    }

    _card(result, i) {
      const p = (result && result.profile) || {};
      const school = p.school || {};
      const tax = this._taxonomy;
      const countryName = (code) => {
        const c = tax && tax.countries.find((x) => x.code === code);
        return c ? c.name : code;
      };
      const subjectLabel = (id) => {
        const s = tax && tax.subjects.find((x) => x.id === id);
        return s ? s.label : id;
      };
      const typeLabel = (id) => {
        const s = tax && (tax.school_types || []).find((x) => x.id === id);
        return s ? s.label : id;
      };
      const list = (xs) => (Array.isArray(xs) ? xs : []).filter((x) => x != null && x !== "");
      const headingId = `${this._id}-r${this._state.page}-${i}`;
      const place = [school.city, school.country && countryName(school.country)].filter(Boolean).join(", ");
      const schoolLine = [school.name, place, school.type && typeLabel(school.type)].filter(Boolean).join(" · ");
      const ages = list(p.age_groups).map((a) => (a.from === a.to ? `${a.from}` : `${a.from}–${a.to}`));
      const rows = [
        [this.t("langs"), list(p.languages).map((c) => this._langName(c)).join(", ")],
        [this.t("ages"), ages.join(", ")],
        [this.t("subjects"), list(p.subjects).map(subjectLabel).join(", ")],
      ].filter(([, v]) => v);
      const reasons = list(result && result.reasons).map((r) => r && r.message).filter(Boolean);
      return h("li", {},
        h("article", { class: "card", "aria-labelledby": headingId },
          h("h3", { id: headingId, class: "name" }, p.name || this.t("noName")),
          schoolLine ? h("p", { class: "school" }, schoolLine) : null,
          rows.length ? h("dl", {}, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])) : null,
          reasons.length ? [h("p", { class: "why" }, this.t("why")),
                            h("ul", { class: "reasons" }, reasons.map((m) => h("li", {}, m)))] : null));
    }
  }

  TwinmatchSearch.STRINGS = STRINGS;
  TwinmatchSearch.LANGS = LANGS;
  customElements.define(TAG, TwinmatchSearch);
})();
