"""Client text is arbitrary: no public function may raise on it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.domain.language import (
    EmergencyDetection,
    FollowUpAnalysis,
    Intent,
    YesNo,
    analyze_follow_up_response,
    canonical_text,
    contains_greeting,
    detect_emergency,
    detect_intent,
    detect_yes_no,
    extract_client_name,
    extract_name_reply,
    extract_pet,
    normalize,
    parse_slot_choice,
    parse_when,
    wants_other_slots,
)

TZ = "America/Bogota"
NOW = datetime(2027, 1, 28, 10, 0, tzinfo=ZoneInfo(TZ))
OFFERED = [NOW + timedelta(hours=hours) for hours in (6.5, 23, 28)]
SURGERY = ["sangre", "sangrado", "fiebre", "no come", "hinchado", "pus", "olor"]

spanish_bits = st.sampled_from(
    [
        "mañana",
        "a las 9",
        "4:30",
        "pm",
        "la segunda",
        "el viernes",
        "29/02",
        "99/99",
        "31 de febrero",
        "el 45",
        "a las 99",
        "veneno",
        "!",
        "¿",
        "sí",
        "no",
        "me llamo",
        "mi gata",
        "😀",
        "👍",
        "\u0301",
        "\x00",
        " ",
    ]
)
messages = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(), min_size=4000, max_size=5000),
    st.lists(spanish_bits, max_size=40).map(" ".join),
    st.just(""),
    st.just("😀" * 5000),
)


def _exercise(text: str) -> None:
    assert isinstance(normalize(text), str)
    assert isinstance(canonical_text(text), str)
    assert isinstance(detect_intent(text), Intent)
    assert isinstance(contains_greeting(text), bool)
    assert isinstance(detect_yes_no(text), YesNo)
    assert isinstance(detect_emergency(text), EmergencyDetection)
    extract_client_name(text)
    extract_name_reply(text)
    extract_pet(text)
    assert isinstance(analyze_follow_up_response(text, SURGERY), FollowUpAnalysis)
    wants_other_slots(text)
    parse_when(text, now=NOW, tz=TZ)
    choice = parse_slot_choice(text, OFFERED, now=NOW, tz=TZ)
    assert choice is None or 0 <= choice < len(OFFERED)


@settings(max_examples=150, deadline=None)
@given(messages)
def test_public_functions_never_raise_on_arbitrary_text(text):
    _exercise(text)


def test_public_functions_handle_fixed_edge_cases():
    for text in ["", " ", "😀" * 5000, "a" * 5000, "mañana a las 9 " * 400, "\n\t\r"]:
        _exercise(text)
