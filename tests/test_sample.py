"""The sample generator yields valid, varied, seed-determined profiles, and the shipped sample agrees with itself."""
import json
import re
from pathlib import Path

import pytest

from indexer.sample import generate
from models import Profile


def test_profiles_validate_and_vary():
    rows = list(generate(200, seed=3))
    assert len(rows) == 200
    for row in rows:
        Profile.model_validate(row)
    assert len({r["school"]["country"] for r in rows}) >= 20
    assert len({lang for r in rows for lang in r["languages"]}) >= 8
    assert len({r["school"]["id"] for r in rows}) < 150  # colleagues share schools
    assert len({r["id"] for r in rows}) == 200


def test_same_seed_same_profiles():
    assert list(generate(50, seed=5)) == list(generate(50, seed=5))
    assert list(generate(50, seed=5)) != list(generate(50, seed=6))


# ---- The shipped sample agrees with itself: what eTwinning staff would check first. ----
# The checks below read indexer/data/sample.jsonl as shipped; each names the profiles that fail.

SAMPLE = Path(__file__).resolve().parents[1] / "indexer" / "data" / "sample.jsonl"
YOUNG, SECONDARY = {"pre-primary", "primary", "special-needs"}, {"lower-secondary", "upper-secondary",
                                                                 "vocational", "special-needs"}
KINDER, UPPER = {"pre-primary", "special-needs"}, {"upper-secondary", "vocational"}
GENERAL = {"lower-secondary", "upper-secondary"}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    with SAMPLE.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _texts(row: dict) -> list[str]:
    return [i["title"] + " " + i["text"] for i in row["ideas"]]


def _span(row: dict) -> tuple[int, int]:
    return min(a["from"] for a in row["age_groups"]), max(a["to"] for a in row["age_groups"])


def _fail(bad: list) -> str:
    return f"{len(bad)} disagreements ({len({b if isinstance(b, str) else b[0] for b in bad})} items), e.g. {bad[:5]}"


def test_the_shipped_sample_has_the_fixed_ids(rows):
    assert len(rows) == 2000
    assert [r["id"] for r in rows] == [f"tm-{i:06d}" for i in range(2000)]
    for r in rows:
        Profile.model_validate(r)


# School level a phrase claims -> the school types it fits.
LEVEL_WORDS = [
    (r"As a primary teacher|Unsere Grundschule|Onze basisschool|İlkokul öğrencilerim|учителька початкових класів"
     r"|učiteljica razredne nastave|Soy maestro", {"pre-primary", "primary"}),
    (r"at a secondary school|an einer Gesamtschule|einem Gymnasium|middelbare school|σε γυμνάσιο|högstadieskola"
     r"|gymnasium i Uppsala|ortaokulda|Lisemizdeki|u gimnaziji|в ліцеї|нашої гімназії|مدرسة إعدادية|معهد ثانوي"
     r"|collège de banlieue|un instituto|Realschule|vie collégienne", GENERAL),
    (r"vocational students|waiter trainees|Auszubildenden|Berufsschül|bac pro|lycées hôteliers|ciclo de turismo"
     r"|centros de FP|alberghiero|curso profissional|technikum|branżowych|liceul tehnologic|școlile profesionale"
     r"|hotelové školy|odborných školách|hotelijersko|strukovnoj školi|ΕΠΑΛ|επαγγελματικές σχολές|yrkesprogram"
     r"|turismprogrammet|mbo-studenten|Meslek lisesi|професійному ліцеї|مدرسة مهنية|[Ff]ormandos|Budući kuhari"
     r"|Blivande kockar|Майбутні кухарі|gastheren in opleiding|المتدربون|الطهاة والنادلون|Aşçılık ve servis"
     r"|istituti professionali|escolas profissionais|usluživanje gostiju|otel ve restoranlarda"
     r"|обслуговування гостей", {"vocational"}),
    (r"[Kk]indergarten|\bKita\b|maternelle|escuelas infantiles|aula de infantil|dell'infanzia|pré-escolar"
     r"|przedszkol|grădiniț|mateřskými|vrtić|νηπιαγωγ|Τα νήπια|förskol|kleuter|anaokul|садочк|روضة"
     r"|Przedszkolak|[Pp]reșcolari|[Pp]ředškolá|jardins de infância", KINDER),
    (r"teenagers|Jugendliche|Les lycéens|tinejdžer|έφηβοι|UF-företag|підлітки|المراهقين|Πανελλαδικών", SECONDARY),
    (r"[Ll]iceenii|Lise öğrencileri|Gymnasieelever|Ліцеїсти|[Сс]таршокласник|μαθητές του λυκείου|[Ll]icealiści"
     r"|Studenti (gymnázia|obchodní|rozeberou|udělají)|se studenti naučí|De studenten", UPPER),
    (r"szkole specjalnej|speciální škole|ειδικό σχολείο|centru za odgoj|centru școlar pentru|anpassad grundskola"
     r"|school voor speciaal onderwijs|مركز للتربية الخاصة", {"special-needs"}),
]


def test_the_school_level_a_text_claims_is_the_schools(rows):
    bad = [(r["id"], r["school"]["type"], m.group(0)) for r in rows for t in _texts(r)
           for pat, types in LEVEL_WORDS if (m := re.search(pat, t)) and r["school"]["type"] not in types]
    assert not bad, _fail(bad)


# Place a text names -> (countries it is in, the sample's cities it fits or None for any).
PLACES = [
    (r"Bretagne", {"FR"}, {"Ploërmel"}), (r"Bayern", {"DE"}, {"München"}),
    (r"Sachsen", {"DE"}, {"Leipzig", "Dresden"}), (r"in Utrecht", {"NL"}, {"Utrecht"}),
    (r"Vlaanderen", {"BE"}, {"Antwerpen", "Gent", "Brugge"}), (r"u Zagrebu", {"HR"}, {"Zagreb"}),
    (r"iz Osijeka", {"HR"}, {"Osijek"}), (r"školi u Splitu", {"HR"}, {"Split"}),
    (r"Krkonoš", {"CZ"}, {"Trutnov"}), (r"Κυκλάδων", {"GR"}, {"Naxos"}), (r"Castilla", {"ES"}, None),
    (r"Puglia", {"IT"}, None), (r"Podkarpaci", {"PL"}, None), (r"interior de Portugal", {"PT"}, None),
    (r"sat din Moldova", {"RO", "MD"}, None), (r"i Göteborg", {"SE"}, {"Göteborg"}),
    (r"i Uppsala", {"SE"}, {"Uppsala"}), (r"Norrland", {"SE"}, None), (r"İzmir'de", {"TR"}, {"İzmir"}),
    (r"Ankara'dan", {"TR"}, {"Ankara"}), (r"у Львові", {"UA"}, {"Lviv"}), (r"з Полтави", {"UA"}, {"Poltava"}),
    (r"в Одесі", {"UA"}, {"Odesa"}), (r"في عمّان", {"JO"}, {"Amman"}), (r"بصفاقس", {"TN"}, {"Sfax"}),
    (r"في بيروت", {"LB"}, {"Beirut"}), (r"Thames", set(), None), (r"Deutschland", {"DE"}, None),
    (r"Rhein", {"DE", "LI"}, None), (r"Sverige|Vättern|Visby|Dalälven|Lappland", {"SE"}, None),
    (r"\bNederland\b|Zeeland|Kinderdijk|Deltawerken", {"NL"}, None), (r"Loire|en France", {"FR"}, None),
    (r"Ελλάδας|Εύβοια|Μετέωρα|Κρήτη|Αιγαίου", {"GR"}, None),
    (r"Vltav|Šumav|v Praze|Čech", {"CZ"}, None),
    (r"Dalmacij|Dalmatinsk|Plitvi|Dubrovnik|hrvatskih|Domovinski", {"HR"}, None),
    (r"Bărăgan|Carpați|Dobrogea|Bucovina|Transilvania|Maramureș|cosmonaut român", {"RO"}, None),
    (r"الأردن", {"JO"}, None), (r"повітряні тривоги", {"UA"}, None),
]


def test_places_a_text_names_are_where_the_school_is(rows):
    bad = []
    for r in rows:
        country, city = r["school"]["country"], r["school"]["city"]
        for t in _texts(r):
            for pat, countries, cities in PLACES:
                if re.search(pat, t) and (country not in countries or (cities and city not in cities)):
                    bad.append((r["id"], country, city, pat))
    assert not bad, _fail(bad)


# Gendered last-name forms: (countries, female pattern, male pattern).
SURNAMES = [
    ({"PL", "MK"}, r"(ska|cka)$", r"(ski|cki)$"), ({"CZ", "SK"}, r"(ová|á)$", r"(ý|[^áa])$"),
    ({"LT"}, r"(ienė|aitė|ytė|ė)$", r"(as|is|us|ius)$"), ({"LV"}, r"[ae]$", r"[sš]$"),
    ({"GR"}, r"(ou|i|a)$", r"(os|is|as|ou)$"), ({"BG", "AZ"}, r"(ova|eva|yeva)$", r"(ov|ev|yev)$"),
    ({"IS"}, r"dóttir$", r"son$"),
]


def _female_first_names() -> set[str]:
    from indexer.sample_people import PEOPLE
    return {n for first, _, _ in PEOPLE.values() for i, n in enumerate(first.split()) if i % 2 == 0}


def test_first_and_last_names_are_of_one_gender(rows):
    female = _female_first_names()
    bad = []
    for r in rows:
        first, last = r["name"].split(" ", 1)
        for countries, fem, masc in SURNAMES:
            # A name of neither form (Nowak, Georgiou) is the same for both genders.
            if r["school"]["country"] in countries and (re.search(fem, last) or re.search(masc, last)):
                if not re.search(fem if first in female else masc, last):
                    bad.append((r["id"], r["school"]["country"], r["name"]))
    assert not bad, _fail(bad)


def test_the_email_is_made_of_the_name(rows):
    from indexer.sample import _ascii
    bad = [(r["id"], r["name"], r["email"]) for r in rows
           if r["email"] != "{}.{}@school.example".format(*(_ascii(p).replace("-", "") if i else _ascii(p)
                                                            for i, p in enumerate(r["name"].split(" ", 1))))]
    assert not bad, _fail(bad)


WRITER_GENDER = [
    (r"professeure|Soy profesora|Sou professora|Jsem učitelka|nauczycielką|profesoară|un'insegnante|Lehrerin"
     r"|učiteljica|вчителька|учителька|أنا معلمة|ravie|encantada|\bráda\b|Буду рада|chtěla bych", "f"),
    (r"Enseignant de|Soy maestro|Sou professor de|Ich bin Lehrer |بصفتي معلم", "m"),
]


def test_a_text_that_says_the_writers_gender_matches_the_first_name(rows):
    female = _female_first_names()
    bad = [(r["id"], r["name"], m.group(0)) for r in rows for t in _texts(r) for pat, g in WRITER_GENDER
           if (m := re.search(pat, t)) and (g == "f") != (r["name"].split(" ", 1)[0] in female)]
    assert not bad, _fail(bad)


# Pupil ages a text quotes (a range, or a school year's ages) lie within the profile's age groups.
AGES = [r"aged (\d+)-(\d+)", r"im Alter von (\d+) bis (\d+)", r"u dobi od (\d+) do (\d+)",
        r"van (\d+) tot (\d+) jaar", r"i åldern (\d+)–(\d+)", r"(\d+)-(\d+) yaş", r"віком (\d+)–(\d+)",
        r"بين (\d+) و(\d+) سنة"]
GRADES = [(r"7\. Klasse|الصف السابع|семикласники|brugklas", 12, 13), (r"sedmog razreda", 13, 13),
          (r"årskurs 5", 11, 11)]


def test_pupil_ages_in_the_text_are_the_profiles(rows):
    bad = []
    for r in rows:
        lo, hi = _span(r)
        for t in _texts(r):
            quoted = [tuple(map(int, m.groups())) for pat in AGES for m in re.finditer(pat, t)]
            quoted += [(a, b) for pat, a, b in GRADES if re.search(pat, t)]
            bad += [(r["id"], (lo, hi), q) for q in quoted if not lo <= q[0] <= q[1] <= hi]
    assert not bad, _fail(bad)


# Words that say how old the pupils are, written from the phrase files (not taken from the generator's
# markers, so this checks the generator). Each band: (the profile fact it needs, the words per language).
# "oldest", n: the profile's oldest pupils are n or older; "youngest", n: its youngest are n or younger.
AGE_WORDS = [
    # Teenagers, young people, high-school pupils, exam stress: nobody calls a class of under-13s that.
    (("oldest", 13),
     r"teenagers|young people|stress before exams|Jugendliche|Prüfungsstress|[Ll]ycéens|[Ll]es jeunes\b"
     r"|stress des examens|Thalès|los jóvenes|antes de los exámenes|estrés académico|teorema de Tales"
     r"|triangoli simili|[Oo]s jovens|stress dos exames|semelhança de triângulos|[Ll]icealiści|Młodzież"
     r"|egzaminacyjn|podobieństwu trójkątów|[Ll]iceenii|elevii de liceu|Tinerii|examenelor|Mladí lidé"
     r"|přijímačk|podobnosti trojúhelníků|\b[Mm]ladi će\b|\bće mladi\b|tinejdžer|prije ispita|έφηβοι"
     r"|Οι νέοι|λυκείου|Πανελλαδικών|διαγωνισμάτων|[Uu]ngdomarna|engagerar unga|[Gg]ymnasieelever"
     r"|jongeren|examenstress|Gençler|gençleri|Lise öğrencileri|Sınav kaygısı|[Пп]ідлітки|[Сс]таршокласник"
     r"|Ліцеїсти|[Мм]олодь\b|المراهقين|الشباب|طلاب الثانوي|الامتحانات|job interviews|Vorstellungsgespräche"),
    # "Older pupils" (of the teacher's own classes), or pupils who make something for younger children.
    (("oldest", 9),
     r"[Oo]lder (students|learners|pupils)|for younger children|Ältere (Klassen|Schüler)|[Ll]es plus grands"
     r"|alumnos mayores|alunni più grandi|alunos mais velhos|Starsi uczniowie|[Ee]levii mai mari|[Ss]tarší žá"
     r"|Stariji učenici|μεγαλύτεροι μαθητές|äldre eleverna|Oudere leerlingen|Старші учні|الأكبر سنًا"),
    # Work no kindergarten does: fake news, parliaments, business plans, carbon footprints, novels, debates,
    # programming boards.
    (("oldest", 7),
     r"[Mm]icro:bit|Arduino|Calliope|fake news|European Parliament|business plan|carbon footprint|novel\b"
     r"|debate|Falschmeldung|Europäischen Parlaments|Businessplan|Fußabdruck|\bRoman\b|Debatte|infox"
     r"|Parlement européen|bilan carbone|romans\b|débat|bulos|Parlamento [Ee]urope|plan de negocio"
     r"|huella de carbono|debat|dibattito|impronta ecologica|romanzi|notícias falsas|plano de negócio"
     r"|pegada de carbono|fałszywe informacje|Parlamentu Europejskiego|biznesplan|ślad węglowy|știrile false"
     r"|Parlamentului European|plan de afaceri|amprenta de carbon|dezbatere|dezinformac|Evropského parlamentu"
     r"|podnikatelský plán|uhlíkovou stopu|lažne vijesti|Europskog parlamenta|poslovni plan|ugljični otisak"
     r"|ψευδείς ειδήσεις|Ευρωπαϊκού Κοινοβουλίου|επιχειρηματικό σχέδιο|ανθρακικό αποτύπωμα|αντιλογία"
     r"|falska nyheter|Europaparlamentet|affärsplan|klimatavtryck|nepnieuws|Europees Parlement|ondernemingsplan"
     r"|voetafdruk|sahte haber|Avrupa Parlamentosu|İş planı|ayak izini|münazara|фейки|Європейського парламенту"
     r"|бізнес-план|вуглецевий слід|дебат|الأخبار الكاذبة|برلماني|خطة عمل|البصمة الكربونية|مناظر"),
    # Little ones, toddlers, preschoolers, "the youngest": a class whose youngest pupils are small.
    (("youngest", 8),
     r"[Ll]ittle ones|[Yy]ounger pupils|young children|toddler|[Dd]ie Kleinen|Jüngste|jüngeren Kinder"
     r"|Für die Jüngeren|[Ll]es (plus )?petits\b|[Ll]os (más )?pequeños|\b[Ii] (più )?piccoli\b"
     r"|crianças mais pequenas|[Pp]rzedszkolak|[Cc]ei mici|[Pp]reșcolari|[Pp]ředškolá|[Nn]ajmlađ|mališan"
     r"|νήπια|\b[Dd]e (yngsta|minsta|små)\b|jongst|kleintjes|kleuters|Küçükler|Minikler|küçük çocuklar"
     r"|Küçük yaş|[Нн]аймолодш|[Нн]айменш|[Мм]алят|малеч|الصغار"),
    # "The children": what a teacher of 14- to 19-year-olds does not call the class.
    (("youngest", 13),
     r"\b[Tt]he children\b|\bChildren will\b|\b[Dd]ie Kinder\b|\b(Ein|jedes) Kind\b|[Ll]es enfants"
     r"|[Cc]haque enfant|[Ll]os niños|[Cc]ada niño|\b[Ii] bambini|[Oo]gni bambino|\b[Aa]s crianças"
     r"|[Cc]ada criança|\bDzieci\b|(?<!do )\bdzieci\b|dziecko|dziećmi|[Cc]opiii\b|[Ff]iecare copil"
     r"|\bde copii\b|cunoască copii|\b[Dd]ěti\b|dětmi|(?<!určené )dětem|[Kk]aždé dítě|\b[Dd]jeca\b|dijete"
     r"|[Ττ]α παιδιά|[Κκ]άθε παιδί\b|ντροπαλά παιδιά|γνωρίσουν παιδιά|\b[Bb]arnen\b|\b(Ett|varje) barn\b"
     r"|\b[Dd]e kinderen\b|\b(Een|ieder) kind\b|[Çç]ocuklar|\b[Дд]іти\b|дитина\b|наших дітей|الأطفال|طفل"),
]


def test_pupil_ages_a_word_implies_are_the_profiles(rows):
    bad = []
    for r in rows:
        lo, hi = _span(r)
        for t in _texts(r):
            for (side, n), pat in AGE_WORDS:
                if (m := re.search(pat, t)) and (hi < n if side == "oldest" else lo > n):
                    bad.append((r["id"], r["school"]["type"], (lo, hi), m.group(0)))
    assert not bad, _fail(bad)


# Years of teaching a text states: at most the profile's experience.
TEACHING_YEARS = [(r"une dizaine d'années", 8), (r"[Ll]levo varios años", 2), (r"da quindici anni", 15),
                  (r"há vários anos", 2), (r"[Oo]d kilkunastu lat", 11), (r"de peste zece ani", 11),
                  (r"přes deset let", 11), (r"δεκαπέντε χρόνια", 15)]


def test_years_of_teaching_a_text_states_are_the_profiles(rows):
    bad = [(r["id"], r.get("experience"), pat) for r in rows for t in _texts(r) for pat, years in TEACHING_YEARS
           if re.search(pat, t) and (r.get("experience") or 0) < years]
    assert not bad, _fail(bad)


TYPE_AGES = {"pre-primary": (3, 6), "primary": (5, 12), "lower-secondary": (10, 16),
             "upper-secondary": (14, 19), "vocational": (14, 19), "special-needs": (3, 19)}


def test_age_groups_fit_the_school_type(rows):
    bad = [(r["id"], r["school"]["type"], _span(r)) for r in rows
           if not TYPE_AGES[r["school"]["type"]][0] <= _span(r)[0] <= _span(r)[1] <= TYPE_AGES[r["school"]["type"]][1]]
    assert not bad, _fail(bad)


UNLIKELY_SUBJECTS = {
    "pre-primary": {"Law", "Economics", "Politics", "Philosophy / Logic", "Psychology", "Classical Languages",
                    "Vocational Subjects", "Chemistry", "Physics", "Primary School Subjects"},
    "primary": {"Law", "Economics", "Politics", "Philosophy / Logic", "Classical Languages", "Vocational Subjects",
                "Chemistry", "Physics"},
    "lower-secondary": {"Pre-School Subjects", "Primary School Subjects", "Vocational Subjects"},
    "upper-secondary": {"Pre-School Subjects", "Primary School Subjects"},
    "vocational": {"Pre-School Subjects", "Primary School Subjects"},
    "special-needs": {"Law", "Politics"},
}


def test_subjects_are_taught_at_that_school_type(rows):
    bad = [(r["id"], r["school"]["type"], s) for r in rows for s in r["subjects"]
           if s in UNLIKELY_SUBJECTS[r["school"]["type"]]]
    assert not bad, _fail(bad)


def test_texts_that_say_english_is_used_come_from_english_speakers(rows):
    pat = (r"English is our working language|Arbeitssprache ist Englisch|voertaal is Engels|Vi arbetar på engelska"
           r"|Çalışma dilimiz İngilizce|Radni jezik je engleski|Робоча мова — англійська|لغة العمل هي الإنجليزية"
           r"|Nous travaillerons en anglais|lengua de trabajo será el inglés|lingua di lavoro sarà l'inglese"
           r"|língua de trabalho será o inglês|Językiem projektu będzie angielski|Limba de lucru va fi engleza"
           r"|Pracovním jazykem bude angličtina|γλώσσα εργασίας θα είναι τα αγγλικά")
    bad = [r["id"] for r in rows if "en" not in r["languages"] and any(re.search(pat, t) for t in _texts(r))]
    assert not bad, _fail(bad)


def test_a_first_project_behind_them_means_some_experience(rows):
    pat = (r"Après un premier projet eTwinning|Tras una primera experiencia eTwinning|Dopo un primo gemellaggio"
           r"|Depois de um primeiro projeto eTwinning|Po pierwszym bardzo udanym projekcie|După un prim proiect"
           r"|Po prvním velmi povedeném projektu|πρώτο έργο eTwinning")
    bad = [r["id"] for r in rows if not r.get("experience") and any(re.search(pat, t) for t in _texts(r))]
    assert not bad, _fail(bad)


SCRIPT = {"GR": "Greek", "CY": "Greek", "UA": "Cyrillic", "BG": "Cyrillic", "MK": "Cyrillic", "AM": "Armenian",
          "GE": "Georgian", "JO": "Arabic", "PS": "Arabic", "TN": "Arabic", "LB": "Arabic"}
SCRIPT_RANGES = {"Greek": "\u0370-\u03ff", "Cyrillic": "\u0400-\u04ff", "Armenian": "\u0530-\u058f",
                 "Georgian": "\u10a0-\u10ff", "Arabic": "\u0600-\u06ff"}
TYPE_NAME_WORDS = {
    "pre-primary": r"Kita|Kindergarten|Peuterschool|Kleuterschool|Przedszkole|Νηπιαγωγείο|Mateřská|Materská"
                   r"|Grădinița|Jardim de Infância|Escuela Infantil|dell'Infanzia|maternelle|précoce|Anaokulu|vrtić"
                   r"|Predškolska|Vrtec|дошкільної|Förskolan|روضة|Pre-School|Детска|Kopshti|Børnehuset|barnehage"
                   r"|päiväkoti|Lasteaed|pirmsskolas|darželis|Óvoda|Leikskóli|մանկապարտեզ|საბავშვო|bağçası",
    "primary": r"Grundschule|Volksschule|Primarschule|Basisschool|Podstawowa|Δημοτικό|Základní|Základná|Primară"
               r"|Escola Básica n|CEIP|Primaria|élémentaire|primaire|École communale|fondamentale|İlkokulu|Osnovna|Početn"
               r"|Початкова|Centralskolan|الأساسية|National School|Primary School|Основно|fillore|Skole|barneskole"
               r"|alakoulu|Põhikool|pamatskola|pradinė|Általános|Grunnskóli|հիմնական|საჯარო|ümumi orta",
    "lower-secondary": r"Realschule|Mittelschule|College|Sint-Jozefscollege|Podstawowa|Γυμνάσιο|Základní|Základná"
                       r"|Gimnazială|Escola Básica 2,3|IES|Primo Grado|Collège|Athénée|Lycée de|Ortaokulu|Osnovna"
                       r"|Гімназія|Västerskolan|الإعدادية|Community School|Middle School|Основно|e mesme e ulët"
                       r"|Skole|ungdomsskole|yläkoulu|Põhikool|pamatskola|progimnazija|Általános|Grunnskóli"
                       r"|հիմնական|საჯარო|ümumi orta",
    "upper-secondary": r"Gymnasium|Bundesgymnasium|Atheneum|Ogólnokształcące|Λύκειο|Gymnázium|Liceul Teoretic"
                       r"|Secundária|IES|Liceo|Lycée général|Athénée|Lycée classique|Anadolu Lisesi|Gimnazija|Ліцей"
                       r"|Katedralskolan|الثانوية|Community School|Secondary School|Средно училище|Гимназија|Gjimnazi"
                       r"|videregående|lukio|Gümnaasium|vidusskola|gimnazija|Gimnázium|Framhaldsskóli|ավագ|საჯარო"
                       r"|tam orta",
    "vocational": r"Berufsschule|ROC|VTI|Technikum|ΕΠΑΛ|odborná|Tehnologic|Profissional|Formación Profesional"
                  r"|Professionale|professionnel|technique|Mesleki|Strukovna|stručna|poklicna|Професійний"
                  r"|Yrkesgymnasiet|المهنية|Further Education|MCAST|Професионална|стручно|profesionale|Tekniske"
                  r"|yrkesskole|ammattiopisto|Kutsehariduskeskus|Tehnikums|profesinio|Szakképzési|Verkmenntaskóli"
                  r"|քոլեջ|კოლეჯი|Peşə",
    "special-needs": r"Förderschule|Sonderschule|Heilpädagogisches|Speciaal|Buitengewoon|Specjalny|Ειδικό|Speciální"
                     r"|Špeciálna|Incluzivă|Educação Especial|Educación Especial|Speciale|médico-éducatif"
                     r"|spécialisé|compétences|Özel Eğitim|Centar za|Center za|smetnjama|posebnim|Спеціальна"
                     r"|Särskolan|للتربية الخاصة|Special School|Resource Centre|специална|Специјално|speciale"
                     r"|Specialskole|spesialskole|erityiskoulu|Erikool|speciālā|specialioji|Gyógypedagógiai"
                     r"|Sérskóli|հատուկ|სპეციალური|xüsusi",
}


def test_school_names_are_in_the_countrys_language_and_name_their_type(rows):
    bad = []
    for s in {r["school"]["id"]: r["school"] for r in rows}.values():
        script = SCRIPT.get(s["country"])
        letters = [c for c in s["name"] if c.isalpha()]
        native = sum(bool(re.match(f"[{SCRIPT_RANGES[script]}]", c)) for c in letters) if script else 0
        if script and native != len(letters):
            bad.append((s["id"], s["country"], s["name"], "script"))
        if not script and any(re.match(f"[{''.join(SCRIPT_RANGES.values())}]", c) for c in letters):
            bad.append((s["id"], s["country"], s["name"], "script"))
        # "School voor Speciaal Onderwijs" is Dutch; the English words are the name's language only in IE and MT.
        english = re.search(r"School(?! voor)|Primary|Secondary|Vocational|Early Years", s["name"])
        if english and s["country"] not in {"IE", "MT"}:
            bad.append((s["id"], s["country"], s["name"], "English"))
        if not re.search(TYPE_NAME_WORDS[s["type"]], s["name"]):
            bad.append((s["id"], s["type"], s["name"], "type"))
        walloon = s["city"] in {"Liège", "Namur"}
        if s["country"] == "BE" and walloon != bool(re.search(r"École|Athénée|Institut", s["name"])):
            bad.append((s["id"], s["city"], s["name"], "language area"))
        neighbour = {"SK": r"Základní|Mateřská|Střední|Speciální", "SI": r"škola|vrtić",
                     "FI": r"skolan|Förskolan|gymnasium", "NO": r"skolan|Förskolan", "DK": r"skolan|Förskolan"}
        if s["country"] in neighbour and re.search(neighbour[s["country"]], s["name"]):
            bad.append((s["id"], s["country"], s["name"], "neighbour's language"))
    assert not bad, _fail(bad)


def test_the_shipped_vectors_cover_every_text_of_the_shipped_file():
    np = pytest.importorskip("numpy")
    from indexer.ingest import load_file
    from matcher import text
    from matcher.embeddings.cache import text_key
    profiles, _ = load_file(SAMPLE)
    with np.load(SAMPLE.with_name(SAMPLE.name + ".emb.npz")) as data:
        keys = {k.tobytes() for k in data["keys"]}
        assert len(data["vecs"]) == len(data["keys"])
    missing = [p.id for p in profiles for _, t in text.units(p) if text_key(t) not in keys]
    assert not missing, _fail(missing)
