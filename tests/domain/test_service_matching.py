"""A client's reason, in regional Spanish, maps to one of the clinic's services."""

from __future__ import annotations

import pytest

from backend.domain.service_matching import BookableService, duration_label, match_service

CONSULTA = BookableService(
    id="consulta",
    name="Consulta general",
    duration_minutes=30,
    is_default=True,
    keywords=("consulta", "revisión", "chequeo"),
)
VACUNA = BookableService(
    id="vacuna",
    name="Vacunación",
    duration_minutes=15,
    keywords=("vacuna", "vacunar", "refuerzo", "antirrábica"),
)
CIRUGIA = BookableService(
    id="cirugia",
    name="Cirugía",
    duration_minutes=120,
    keywords=("cirugía", "operar", "operación", "castración", "castrar", "esterilizar"),
)
BANO = BookableService(
    id="bano",
    name="Baño y peluquería",
    duration_minutes=60,
    deposit_required=True,
    keywords=("baño", "bañar", "peluquería", "motilar", "corte de pelo"),
)
CATALOG = (CONSULTA, VACUNA, CIRUGIA, BANO)


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("le toca la vacuna al firulais", VACUNA),
        ("quiero bañar a mi perrita", BANO),
        ("castración de mi gato", CIRUGIA),
        ("consulta porque vomita", CONSULTA),
        ("LE TOCA EL REFUERZO A LA MICHI", VACUNA),
        ("bacunas de la cachorra", VACUNA),  # a common typo
        ("pa' que le hagan corte de pelo al Toby", BANO),
        ("necesito que me lo operen, tiene una bolita", CONSULTA),  # "operen" is not "operar"
        ("quiero operar a mi gata de una hernia", CIRUGIA),
        ("banarla y motilarla", BANO),  # no accents, no ñ
        ("Esterilización", CIRUGIA),  # the noun of a keyword's verb ("esterilizar")
        ("la esterilizacion de la gata", CIRUGIA),
        ("vomita desde la vacuna", CONSULTA),  # what happened, not what is asked for
        ("despues de la vacuna le salio una bolita", CONSULTA),
        ("cita para el perro de Juan Castro", CONSULTA),  # a surname is not "castrar"
    ],
)
def test_match_service_maps_regional_spanish_reasons(reason, expected):
    assert match_service(reason, CATALOG) == expected


def test_match_service_falls_back_to_the_default_when_nothing_matches():
    assert match_service("mi perro está decaído y no come", CATALOG) == CONSULTA
    assert match_service("", CATALOG) == CONSULTA
    assert match_service(None, CATALOG) == CONSULTA


def test_match_service_prefers_a_specific_service_over_the_default_one():
    assert match_service("consulta para la vacuna del gato", CATALOG) == VACUNA


def test_match_service_without_a_default_and_no_match_is_none():
    assert match_service("se rascó mucho", (VACUNA, CIRUGIA)) is None


def test_short_keywords_match_whole_words_only():
    spa = BookableService(id="spa", name="Spa", duration_minutes=30, keywords=("spa",))
    assert match_service("espalda lastimada", (CONSULTA, spa)) == CONSULTA
    assert match_service("un spa para Lola", (CONSULTA, spa)) == spa


def test_service_label_says_name_and_length():
    assert VACUNA.label == "Vacunación (15 min)"
    assert CIRUGIA.label == "Cirugía (2 h)"
    assert duration_label(90) == "1 h 30 min"
    assert duration_label(45) == "45 min"


def test_service_with_no_doctors_listed_is_offered_by_all():
    surgeon_only = BookableService(
        id="c", name="Cirugía", duration_minutes=120, doctor_ids=frozenset({"dr-ruiz"})
    )
    assert surgeon_only.offered_by("dr-ruiz")
    assert not surgeon_only.offered_by("dra-paz")
    assert VACUNA.offered_by("dra-paz")
