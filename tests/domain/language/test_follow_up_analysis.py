import pytest

from backend.domain.language import FollowUpAnalysis, analyze_follow_up_response

SURGERY = ["sangre", "sangrado", "fiebre", "no come", "hinchado", "pus", "olor"]
VACCINATION = ["vómito", "diarrea", "hinchazón", "cara hinchada", "no respira"]
CONSULTATION = ["peor", "empeora", "no mejora", "igual"]

NORMAL = FollowUpAnalysis(
    status="normal",
    requires_escalation=False,
    matched_keywords=(),
    recommendation="continue_protocol",
)


@pytest.mark.parametrize(
    "text",
    [
        # The spec's 3.3 answers; "mal" inside "normal" must not count.
        "Bien, está comiendo normal pero se queja cuando camina",
        "Solo cuando salta o baja escaleras",
        "está comiendo normal",
        "se puso bien",
        "muy bien, ya está tranquila",
        "no está mal",
        "",
    ],
)
def test_analyze_follow_up_response_normal(text):
    assert analyze_follow_up_response(text, SURGERY) == NORMAL


@pytest.mark.parametrize(
    ("text", "keywords", "matched"),
    [
        ("Tiene un poco de sangrado en la herida", SURGERY, ("sangrado",)),
        ("le salió pus y tiene fiebre", SURGERY, ("fiebre", "pus")),
        ("la herida está hinchada", SURGERY, ("hinchado",)),
        ("me preocupa, no come", SURGERY, ("no come",)),
        ("No, tiene fiebre", SURGERY, ("fiebre",)),
        ("no para el sangrado", SURGERY, ("sangrado",)),
        ("no sé si tiene fiebre", SURGERY, ("fiebre",)),
        ("Tiene la cara hinchada y vómitos", VACCINATION, ("vómito", "cara hinchada")),
        ("SIGUE IGUAL", CONSULTATION, ("igual",)),
    ],
)
def test_analyze_follow_up_response_alerts_vet_on_escalation_keywords(text, keywords, matched):
    result = analyze_follow_up_response(text, keywords)
    assert result.status == "concern"
    assert result.requires_escalation
    assert result.recommendation == "alert_vet"
    assert sorted(result.matched_keywords) == sorted(matched)


@pytest.mark.parametrize(
    "text",
    ["está mal", "no está bien", "la veo peor, me preocupa", "tenemos un problema"],
)
def test_analyze_follow_up_response_monitors_negative_answers(text):
    result = analyze_follow_up_response(text, SURGERY)
    assert result.status == "concern"
    assert not result.requires_escalation
    assert result.recommendation == "monitor"
    assert result.matched_keywords == ()


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("No, ningún sangrado", ("sangrado",)),
        ("no tiene fiebre", ("fiebre",)),
        ("sin pus ni olor, todo bien", ("pus", "olor")),
    ],
)
def test_analyze_follow_up_response_ignores_negated_keywords(text, negated):
    result = analyze_follow_up_response(text, SURGERY)
    assert result.recommendation == "continue_protocol"
    assert sorted(result.negated_keywords) == sorted(negated)


def test_analyze_follow_up_response_no_keywords_configured():
    assert analyze_follow_up_response("sangrado", []).recommendation == "continue_protocol"
