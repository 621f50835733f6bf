import pytest

from backend.domain.language import canonical_text, normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Mañana   a las 9!!  ", "manana a las 9"),
        ("¿CUÁNTO cuesta?", "cuanto cuesta"),
        ("Sí 👍", "si"),
        ("Hoy 4:30 PM", "hoy 4:30 pm"),
        ("a las 4.30", "a las 4:30"),
        ("el 29/01", "el 29/01"),
        ("hola: buenas / tardes", "hola buenas tardes"),
        ("siiiii", "si"),
        ("holaaaa", "hola"),
        ("carrrro", "carro"),
        ("1ª opción", "1a opcion"),
        ("", ""),
    ],
)
def test_normalize_folds_accents_case_punctuation_and_stretching(text, expected):
    assert normalize(text) == expected


def test_normalize_is_idempotent():
    text = "¡Mañana a las 4:30, señora Muñoz! 🐶"
    assert normalize(normalize(text)) == normalize(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kiero una sita", "quiero una cita"),
        ("reserbar", "reservar"),
        ("agnedar", "agendar"),
        ("reprogamar", "reprogramar"),
        ("xq no", "porque no"),
    ],
)
def test_canonical_text_fixes_common_typos(text, expected):
    assert canonical_text(text) == expected


def test_canonical_text_keeps_words_one_letter_longer_than_a_verb():
    # "consultar" is one letter away from "consulta" but means asking.
    assert canonical_text("quiero consultar algo") == "quiero consultar algo"
