import pytest

from backend.domain.language import (
    EMERGENCY_KEYWORDS,
    FIRST_AID,
    EmergencyDetection,
    detect_emergency,
    first_aid_advice,
)


def test_detect_emergency_spec_poisoning_example():
    # given the spec's 3.2 message
    # when
    found = detect_emergency("Mi gato se comió veneno para ratas ayuda!!!")
    # then
    assert found.is_potential_emergency
    assert found.confidence == "high"
    assert found.category == "poisoning"
    assert "veneno" in found.matched_keywords
    assert "ayuda" in found.matched_keywords


@pytest.mark.parametrize(
    ("text", "category", "keyword"),
    [
        ("mi perro fue ATROPELLADO", "trauma", "atropellado"),
        ("lo atropelló un carro", "trauma", "atropelló"),
        ("le pegó un carro", "trauma", "carro"),
        ("mi gata no respira bien", "breathing", "no respira"),
        ("está convulsionando", "seizures", "convulsionando"),
        ("tuvo una convulsión", "seizures", "convulsión"),
        ("tiene sangre en la orina", "bleeding", "sangre"),
        ("está sangrando mucho", "bleeding", "sangrando"),
        ("mi perra está de parto", "birth", "parto"),
        ("mi perra está pariendo y no puede parir", "birth", "no puede parir"),
        ("mi perro no se mueve", None, "no se mueve"),
        ("está inconsciente", None, "inconsciente"),
        ("mi gata fue atropellada", "trauma", "atropellado"),
        ("creo que lo envenenaron", "poisoning", "envenenado"),
    ],
)
def test_detect_emergency_high(text, category, keyword):
    found = detect_emergency(text)
    assert found.confidence == "high"
    assert found.category == category
    assert keyword in found.matched_keywords


def test_detect_emergency_prefers_poisoning_advice_over_bleeding():
    found = detect_emergency("comió veneno y está sangrando")
    assert found.category == "poisoning"


@pytest.mark.parametrize(
    "text",
    ["Es urgente!", "¡Ayuda!", "es urgente, está muy mal", "mi gata está hinchada y es grave"],
)
def test_detect_emergency_medium(text):
    found = detect_emergency(text)
    assert found.is_potential_emergency
    assert found.confidence == "medium"
    assert found.matched_keywords


@pytest.mark.parametrize(
    "text",
    [
        "es urgente",
        "quiero una cita para mi perro",
        "my dog ate a carrot",
        "vamos en carro a la clínica",
        "quiero un examen de sangre para mi perro",
        "se me apartó el perro",
        "me ayudas a agendar?",
        "",
    ],
)
def test_detect_emergency_none(text):
    assert detect_emergency(text) == EmergencyDetection(is_potential_emergency=False)


def test_detect_emergency_ignores_accents_and_case():
    assert detect_emergency("CONVULSIÓN").confidence == "high"
    assert detect_emergency("convulsion").confidence == "high"


def test_first_aid_advice_poisoning_matches_spec():
    assert first_aid_advice("poisoning") == [
        "No induzcas el vómito",
        "Mantén a tu mascota tranquila",
        "Ten a la mano el empaque del producto",
    ]


@pytest.mark.parametrize(
    "category", ["poisoning", "trauma", "breathing", "seizures", "bleeding", "birth"]
)
def test_first_aid_advice_covers_every_category(category):
    assert first_aid_advice(category)
    assert first_aid_advice(category) == FIRST_AID[category]


def test_first_aid_advice_general_for_none_or_unknown():
    assert first_aid_advice(None) == FIRST_AID["general"]
    assert first_aid_advice("nonsense") == FIRST_AID["general"]


def test_first_aid_advice_returns_a_copy():
    first_aid_advice("poisoning").append("x")
    assert "x" not in FIRST_AID["poisoning"]


@pytest.mark.parametrize("keyword", EMERGENCY_KEYWORDS["high"])
def test_detect_emergency_every_spec_high_keyword(keyword):
    found = detect_emergency(f"mi mascota: {keyword}")
    assert found.confidence == "high"
    assert keyword in found.matched_keywords


@pytest.mark.parametrize("keyword", EMERGENCY_KEYWORDS["medium"])
def test_detect_emergency_every_spec_medium_keyword_with_exclamation(keyword):
    found = detect_emergency(f"{keyword}!")
    assert found.is_potential_emergency
    assert keyword in found.matched_keywords
