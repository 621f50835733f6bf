"""Spotting a possible emergency in a client's message (spec 5.1).

The rules are the spec's: any high keyword gives confidence "high"; two
different medium keywords, or one with an exclamation mark, give "medium".
Detection only proposes: the conversation still asks the client to confirm
before anyone is alerted, so the lists lean towards catching too much.

Deviations from the spec's plain substring test, each to avoid a false alarm
or a miss:
- matching is on whole words, accent- and case-insensitive, so "carro" does
  not fire inside "carrot" or "carroza" and "parto" not inside "apartó";
- feminine, plural and a few verb forms count ("atropellada", "hinchada",
  "convulsiona", "sangra"), reported under the spec's keyword;
- a few unambiguous poisoning words are added ("raticida", "intoxicado");
- blood tests ("examen de sangre") and a car as transport ("vamos en carro")
  are not emergencies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.domain.language.normalize import cache_short_texts, normalize

POISONING = "poisoning"
TRAUMA = "trauma"
BREATHING = "breathing"
SEIZURES = "seizures"
BLEEDING = "bleeding"
BIRTH = "birth"

# Spec 5.1 lists, as written there (accents included).
EMERGENCY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "high": (
        "veneno",
        "envenenado",
        "envenenamiento",
        "atropellado",
        "atropelló",
        "carro",
        "no respira",
        "no puede respirar",
        "asfixia",
        "convulsión",
        "convulsionando",
        "convulsiones",
        "sangre",
        "sangrando",
        "hemorragia",
        "no se mueve",
        "inconsciente",
        "desmayado",
        "parto",
        "dando a luz",
        "no puede parir",
    ),
    "medium": (
        "urgente",
        "emergencia",
        "ayuda",
        "muy mal",
        "grave",
        "crítico",
        "vomitando sangre",
        "diarrea con sangre",
        "hinchado",
        "inflamado",
    ),
}


@dataclass(frozen=True)
class _Keyword:
    keyword: str
    category: str | None
    forms: tuple[str, ...]


_HIGH = (
    _Keyword("veneno", POISONING, ("veneno", "venenos")),
    _Keyword(
        "envenenado",
        POISONING,
        (
            "envenenado",
            "envenenada",
            "envenenados",
            "envenenadas",
            "envenenaron",
            "enveneno",
        ),
    ),
    _Keyword("envenenamiento", POISONING, ("envenenamiento",)),
    _Keyword(
        "intoxicado",
        POISONING,
        ("intoxicado", "intoxicada", "intoxicados", "intoxicadas", "intoxicacion"),
    ),
    _Keyword("raticida", POISONING, ("raticida", "rodenticida", "matarratas")),
    _Keyword(
        "atropellado",
        TRAUMA,
        ("atropellado", "atropellada", "atropellados", "atropelladas", "atropellaron"),
    ),
    _Keyword("atropelló", TRAUMA, ("atropello",)),
    _Keyword("carro", TRAUMA, ("carro",)),
    _Keyword("no respira", BREATHING, ("no respira", "no esta respirando", "ya no respira")),
    _Keyword("no puede respirar", BREATHING, ("no puede respirar",)),
    _Keyword(
        "asfixia",
        BREATHING,
        ("asfixia", "asfixiando", "asfixiado", "asfixiada", "se ahoga", "se esta ahogando"),
    ),
    _Keyword("convulsión", SEIZURES, ("convulsion", "convulsiona", "convulsiono")),
    _Keyword("convulsionando", SEIZURES, ("convulsionando",)),
    _Keyword("convulsiones", SEIZURES, ("convulsiones",)),
    _Keyword("sangre", BLEEDING, ("sangre",)),
    _Keyword("sangrando", BLEEDING, ("sangrando", "sangra", "sangro")),
    _Keyword("hemorragia", BLEEDING, ("hemorragia", "hemorragias")),
    _Keyword("no se mueve", None, ("no se mueve", "no se puede mover")),
    _Keyword("inconsciente", None, ("inconsciente", "inconscientes")),
    _Keyword(
        "desmayado",
        None,
        ("desmayado", "desmayada", "desmayados", "desmayadas", "se desmayo"),
    ),
    _Keyword("parto", BIRTH, ("parto", "pariendo")),
    _Keyword("dando a luz", BIRTH, ("dando a luz",)),
    _Keyword("no puede parir", BIRTH, ("no puede parir",)),
)
_MEDIUM = (
    _Keyword("urgente", None, ("urgente", "urgentes", "urgencia")),
    _Keyword("emergencia", None, ("emergencia", "emergencias")),
    _Keyword("ayuda", None, ("ayuda", "ayudenme", "ayudame", "auxilio")),
    _Keyword("muy mal", None, ("muy mal",)),
    _Keyword("grave", None, ("grave", "graves")),
    _Keyword("crítico", None, ("critico", "critica")),
    _Keyword(
        "vomitando sangre",
        BLEEDING,
        ("vomitando sangre", "vomita sangre", "vomito sangre"),
    ),
    _Keyword("diarrea con sangre", BLEEDING, ("diarrea con sangre",)),
    _Keyword("hinchado", None, ("hinchado", "hinchada", "hinchados", "hinchadas")),
    _Keyword("inflamado", None, ("inflamado", "inflamada", "inflamados", "inflamadas")),
)

# When several categories match, the one whose first aid matters most first
# (rodenticide makes an animal bleed; the advice must be the poisoning one).
_CATEGORY_PRIORITY = (POISONING, BREATHING, SEIZURES, TRAUMA, BIRTH, BLEEDING)

_NOT_AN_EMERGENCY = re.compile(
    r"\b(?:examen|examenes|analisis|prueba|pruebas|muestra|muestras|estudio|"
    r"estudios|perfil|panel|hemograma|quimica) de sangre\b"
    r"|\b(?:en|al|del) (?:el |mi |un |su |nuestro )?carro\b"
)


def _matcher(keywords: tuple[_Keyword, ...]) -> tuple[re.Pattern[str], dict[str, _Keyword]]:
    by_form = {form: keyword for keyword in keywords for form in keyword.forms}
    forms = sorted(by_form, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(f) for f in forms) + r")\b")
    return pattern, by_form


_HIGH_PATTERN, _HIGH_BY_FORM = _matcher(_HIGH)
_MEDIUM_PATTERN, _MEDIUM_BY_FORM = _matcher(_MEDIUM)


@dataclass(frozen=True)
class EmergencyDetection:
    is_potential_emergency: bool
    confidence: str | None = None
    matched_keywords: tuple[str, ...] = ()
    category: str | None = None


_NO_EMERGENCY = EmergencyDetection(is_potential_emergency=False)


def _matches(pattern: re.Pattern[str], by_form: dict[str, _Keyword], text: str) -> list[_Keyword]:
    found: dict[str, _Keyword] = {}
    for match in pattern.finditer(text):
        keyword = by_form[match.group(0)]
        found.setdefault(keyword.keyword, keyword)
    return list(found.values())


def _category(keywords: list[_Keyword]) -> str | None:
    present = {keyword.category for keyword in keywords}
    return next((c for c in _CATEGORY_PRIORITY if c in present), None)


@cache_short_texts
def detect_emergency(text: str) -> EmergencyDetection:
    """Flag a message that may describe an emergency (spec 5.1 rules).

    "Mi gato se comió veneno para ratas ayuda!!!" -> high, poisoning,
    keywords ("veneno", "ayuda"). Matched keywords list high ones first, then
    medium ones, under the spec's spelling.
    """
    normalized = normalize(text)
    cleaned = _NOT_AN_EMERGENCY.sub(" ", normalized)
    high = _matches(_HIGH_PATTERN, _HIGH_BY_FORM, cleaned)
    medium = _matches(_MEDIUM_PATTERN, _MEDIUM_BY_FORM, normalized)
    if high:
        return EmergencyDetection(
            is_potential_emergency=True,
            confidence="high",
            matched_keywords=tuple(k.keyword for k in high + medium),
            category=_category(high) or _category(medium),
        )
    if len(medium) >= 2 or (medium and ("!" in text or "¡" in text)):
        return EmergencyDetection(
            is_potential_emergency=True,
            confidence="medium",
            matched_keywords=tuple(k.keyword for k in medium),
            category=_category(medium),
        )
    return _NO_EMERGENCY


# Short first-aid steps sent while the vet is being alerted. Poisoning is the
# spec's own text (3.2); the others are conservative, widely given advice.
FIRST_AID: dict[str, list[str]] = {
    POISONING: [
        "No induzcas el vómito",
        "Mantén a tu mascota tranquila",
        "Ten a la mano el empaque del producto",
    ],
    TRAUMA: [
        "Muévela lo menos posible; usa una manta o tabla como camilla",
        "Mantenla abrigada y tranquila",
        "Si sangra, presiona la herida con un paño limpio",
        "Con cuidado: un animal con dolor puede morder",
    ],
    BREATHING: [
        "Llévala a un lugar fresco y ventilado",
        "Quítale el collar o cualquier cosa que le apriete el cuello",
        "No le des agua ni comida",
        "Mantén la calma y evita que se agite",
    ],
    SEIZURES: [
        "No le metas la mano ni objetos en la boca",
        "Aleja muebles y objetos con los que pueda golpearse",
        "Baja la luz y el ruido",
        "Anota cuánto dura la convulsión",
    ],
    BLEEDING: [
        "Presiona la herida con un paño limpio y no lo retires",
        "Si el paño se empapa, pon otro encima",
        "Mantén a tu mascota quieta y abrigada",
        "No le des medicamentos de uso humano",
    ],
    BIRTH: [
        "Deja a la madre en un lugar tranquilo, limpio y abrigado",
        "No tires de las crías",
        "Anota la hora en que empezó y cuántas crías han nacido",
    ],
    "general": [
        "Mantén a tu mascota tranquila y abrigada",
        "No le des comida, agua ni medicamentos de uso humano",
        "Muévela con cuidado, lo menos posible",
    ],
}


def first_aid_advice(category: str | None) -> list[str]:
    """First-aid steps for an emergency category; the general ones otherwise."""
    steps = FIRST_AID.get(category or "general", FIRST_AID["general"])
    return list(steps)
