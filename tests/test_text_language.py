"""Language detection of ideas, for the languages of eTwinning's countries that langdetect lacks."""
from __future__ import annotations

import pytest

from matcher.text import detect_language

# Teachers' sentences from countries whose language langdetect has no profile for: it names
# Estonian for the first two, Turkish, Macedonian, Norwegian and Croatian for the rest.
UNKNOWN_TO_LANGDETECT = [
    ("ka", "ჩვენი სკოლის მოსწავლეები შეისწავლიან გარემოს დაცვას და ნარჩენების გადამუშავებას"),
    ("hy", "Մեր դպրոցի աշակերտները կուսումնասիրեն շրջակա միջավայրի պահպանությունը"),
    ("az", "Məktəbimizin şagirdləri ətraf mühitin qorunmasını və tullantıların təkrar emalını öyrənəcəklər"),
    ("sr", "Наши ученици ће проучавати заштиту животне средине и рециклажу отпада"),
    ("is", "Nemendurnir skrifa sögur saman og deila þeim á netinu"),
    ("mt", "L-istudenti tagħna se jistudjaw il-protezzjoni tal-ambjent u r-riċiklaġġ tal-iskart"),
]


@pytest.mark.parametrize("lang,text", UNKNOWN_TO_LANGDETECT)
def test_languages_langdetect_lacks_are_told_by_script_or_letters(lang, text):
    assert detect_language(text) == lang


@pytest.mark.parametrize("lang,text", [
    ("en", "We visit Ħamrun and Þingvellir with our pupils to learn about history and culture"),
    ("tr", "Türkiye'de bir okuluz ve geri dönüşüm projesi için ortak arıyoruz"),
    ("ru", "Проект о переработке отходов в школе"),
    ("et", "Meie kooli õpilased uurivad keskkonnakaitset ja jäätmete ringlussevõttu"),
    ("fi", "Kierrätys ja ympäristö koulussa, oppilaat tutkivat jätteiden lajittelua"),
])
def test_languages_langdetect_knows_keep_its_answer(lang, text):
    """A name's letter in an English text, and the languages the corrections replace, as written."""
    assert detect_language(text) == lang


def test_a_text_with_a_few_georgian_words_keeps_its_own_language():
    assert detect_language("Our project with the school in Tbilisi (თბილისი) is about recycling waste") == "en"
