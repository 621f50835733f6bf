import pytest

from backend.domain.language import YesNo, detect_yes_no


@pytest.mark.parametrize(
    "text",
    [
        "sí",
        "si",
        "Sí",
        "SI!!",
        "siiii",
        "dale",
        "ok",
        "okay",
        "claro",
        "sí, confirmo",
        "confirmo",
        "de acuerdo",
        "perfecto",
        "correcto",
        "👍",
        "Sí, quiero vacunar a mi perro",
        "pues sí",
    ],
)
def test_detect_yes_no_yes(text):
    assert detect_yes_no(text) is YesNo.YES


@pytest.mark.parametrize(
    "text",
    [
        "no",
        "No",
        "mejor no",
        "nop",
        "no gracias",
        "No, gracias",
        "todavía no",
        "claro que no",
        "no, se me complica",
    ],
)
def test_detect_yes_no_no(text):
    assert detect_yes_no(text) is YesNo.NO


@pytest.mark.parametrize(
    "text",
    [
        "no sé",
        "No se",
        "tal vez",
        "quizás",
        "sí pero mejor el viernes",
        "mmm",
        "",
        "🙂",
        "el perro",
    ],
)
def test_detect_yes_no_unclear(text):
    assert detect_yes_no(text) is YesNo.UNCLEAR
