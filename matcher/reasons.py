"""Explanations: stable reason codes with messages in the user's language (English fallback)."""
from __future__ import annotations

from models import Reason

# One template per code and language; {placeholders} are filled from the reason's details.
_TEMPLATES: dict[str, dict[str, str]] = {
    "shared_languages": {
        "en": "You can work together in {languages}",
        "pt": "Podem trabalhar juntos em {languages}",
        "ro": "Puteți lucra împreună în {languages}",
        "es": "Podéis trabajar juntos en {languages}",
        "fr": "Vous pouvez travailler ensemble en {languages}",
        "de": "Gemeinsame Arbeitssprache: {languages}",
        "it": "Potete lavorare insieme in {languages}",
        "pl": "Możecie współpracować w języku: {languages}",
        "ca": "Podeu treballar junts en {languages}",
        "el": "Μπορείτε να συνεργαστείτε στα {languages}",
    },
    "age_overlap": {
        "en": "Both teach pupils aged {ages}",
        "pt": "Ambos ensinam alunos de {ages} anos",
        "ro": "Amândoi predați elevilor de {ages} ani",
        "es": "Ambos enseñáis a alumnos de {ages} años",
        "fr": "Vous enseignez tous deux à des élèves de {ages} ans",
        "de": "Beide unterrichten Schülerinnen und Schüler im Alter von {ages} Jahren",
        "it": "Entrambi insegnate ad alunni di {ages} anni",
        "pl": "Oboje uczycie uczniów w wieku {ages} lat",
        "ca": "Tots dos ensenyeu a alumnes de {ages} anys",
        "el": "Διδάσκετε και οι δύο μαθητές ηλικίας {ages} ετών",
    },
    "shared_subjects": {
        "en": "Shared subjects: {subjects}",
        "pt": "Disciplinas em comum: {subjects}",
        "ro": "Discipline comune: {subjects}",
        "es": "Asignaturas en común: {subjects}",
        "fr": "Matières en commun : {subjects}",
        "de": "Gemeinsame Fächer: {subjects}",
        "it": "Materie in comune: {subjects}",
        "pl": "Wspólne przedmioty: {subjects}",
        "ca": "Matèries en comú: {subjects}",
        "el": "Κοινά μαθήματα: {subjects}",
    },
    "similar_idea": {
        "en": "Similar project idea: “{partner_idea}” matches your “{own_idea}”",
        "pt": "Ideia de projeto semelhante: “{partner_idea}” corresponde a “{own_idea}”",
        "ro": "Idee de proiect asemănătoare: „{partner_idea}” se potrivește cu „{own_idea}”",
        "es": "Idea de proyecto similar: «{partner_idea}» encaja con «{own_idea}»",
        "fr": "Idée de projet proche : « {partner_idea} » rejoint « {own_idea} »",
        "de": "Ähnliche Projektidee: „{partner_idea}“ passt zu „{own_idea}“",
        "it": "Idea di progetto simile: «{partner_idea}» corrisponde a «{own_idea}»",
        "pl": "Podobny pomysł na projekt: „{partner_idea}” pasuje do „{own_idea}”",
        "ca": "Idea de projecte semblant: «{partner_idea}» encaixa amb «{own_idea}»",
        "el": "Παρόμοια ιδέα έργου: «{partner_idea}» ταιριάζει με το «{own_idea}»",
    },
    "matches_search": {
        "en": "Matches your search: “{idea}”",
        "pt": "Corresponde à sua pesquisa: “{idea}”",
        "ro": "Corespunde căutării: „{idea}”",
        "es": "Coincide con tu búsqueda: «{idea}»",
        "fr": "Correspond à votre recherche : « {idea} »",
        "de": "Passt zu Ihrer Suche: „{idea}“",
        "it": "Corrisponde alla tua ricerca: «{idea}»",
        "pl": "Pasuje do wyszukiwania: „{idea}”",
        "ca": "Coincideix amb la vostra cerca: «{idea}»",
        "el": "Ταιριάζει με την αναζήτησή σας: «{idea}»",
    },
    "shared_keywords": {
        "en": "Shared key words: {terms}",
        "pt": "Palavras-chave em comum: {terms}",
        "ro": "Cuvinte-cheie comune: {terms}",
        "es": "Palabras clave en común: {terms}",
        "fr": "Mots-clés en commun : {terms}",
        "de": "Gemeinsame Schlüsselwörter: {terms}",
        "it": "Parole chiave in comune: {terms}",
        "pl": "Wspólne słowa kluczowe: {terms}",
        "ca": "Paraules clau en comú: {terms}",
        "el": "Κοινές λέξεις-κλειδιά: {terms}",
    },
    "mutual_fit": {
        "en": "A good fit in both directions",
        "pt": "Boa correspondência nos dois sentidos",
        "ro": "Potrivire bună în ambele sensuri",
        "es": "Buen encaje en ambos sentidos",
        "fr": "Bonne correspondance dans les deux sens",
        "de": "Passt in beide Richtungen gut",
        "it": "Buona corrispondenza in entrambe le direzioni",
        "pl": "Dobre dopasowanie w obie strony",
        "ca": "Encaixa bé en totes dues direccions",
        "el": "Ταιριάζετε και από τις δύο πλευρές",
    },
    "recently_active": {
        "en": "Active in the last {days} days",
        "pt": "Ativo nos últimos {days} dias",
        "ro": "Activ în ultimele {days} zile",
        "es": "Activo en los últimos {days} días",
        "fr": "Actif ces {days} derniers jours",
        "de": "In den letzten {days} Tagen aktiv",
        "it": "Attivo negli ultimi {days} giorni",
        "pl": "Aktywny w ciągu ostatnich {days} dni",
        "ca": "Actiu en els darrers {days} dies",
        "el": "Ενεργός τις τελευταίες {days} ημέρες",
    },
    "responsive": {
        "en": "Answers {rate}% of partner requests",
        "pt": "Responde a {rate}% dos pedidos de parceria",
        "ro": "Răspunde la {rate}% din cererile de parteneriat",
        "es": "Responde al {rate}% de las solicitudes",
        "fr": "Répond à {rate} % des demandes de partenariat",
        "de": "Beantwortet {rate} % der Partneranfragen",
        "it": "Risponde al {rate}% delle richieste",
        "pl": "Odpowiada na {rate}% próśb o partnerstwo",
        "ca": "Respon el {rate}% de les sol·licituds de soci",
        "el": "Απαντά στο {rate}% των αιτημάτων συνεργασίας",
    },
    "new_profile": {
        "en": "New here and not yet contacted",
        "pt": "Novo na plataforma e ainda sem contactos",
        "ro": "Nou pe platformă și încă necontactat",
        "es": "Nuevo y todavía sin contactos",
        "fr": "Nouveau et pas encore contacté",
        "de": "Neu hier und noch nicht kontaktiert",
        "it": "Nuovo e non ancora contattato",
        "pl": "Nowy i jeszcze bez kontaktów",
        "ca": "Nou aquí i encara sense contactes",
        "el": "Νέο μέλος, χωρίς επαφές ακόμη",
    },
}

LANGUAGES = ("en", "pt", "ro", "es", "fr", "de", "it", "pl", "ca", "el")
CODES = tuple(_TEMPLATES)


def reason(code: str, lang: str | None = None, **details) -> Reason:
    """A Reason whose message is in `lang` when we have it, else English."""
    templates = _TEMPLATES[code]
    template = templates.get((lang or "en").lower()[:2], templates["en"])
    shown = {k: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v for k, v in details.items()}
    return Reason(code=code, message=template.format(**shown), details=details)
