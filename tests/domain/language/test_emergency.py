import pytest

from backend.domain.language import (
    EMERGENCY_KEYWORDS,
    FIRST_AID,
    EmergencyDetection,
    detect_emergency,
    first_aid_advice,
)
from backend.domain.language.emergency import CATEGORY_LABELS


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


# --- Signs beyond the spec's keywords, by category -------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # collapse
        ("mi perro no se puede parar", "collapse"),
        ("no se levanta desde la mañana", "collapse"),
        ("se desplomó en el patio", "collapse"),
        ("se cayó y no se para", "collapse"),
        ("ya no camina, arrastra las patas de atrás", "collapse"),
        ("lleva horas sin poder levantarse", "collapse"),
        ("no come ni se levanta", "collapse"),
        ("mi gato no reacciona", "collapse"),
        ("le dio un ataque al corazón", "collapse"),
        # seizures
        ("mi perra convulsiona", "seizures"),
        ("le dan ataques y se queda tiesa", "seizures"),
        ("le dio un ataque epiléptico", "seizures"),
        ("tiene temblores fuertes", "seizures"),
        ("está temblando y babeando", "seizures"),
        ("echa espuma por la boca", "seizures"),
        ("no para de temblar", "seizures"),
        # choking
        ("se atoró con un hueso", "choking"),
        ("mi perrito se atragantó", "choking"),
        ("tiene algo atorado en la garganta", "choking"),
        # swallowed objects
        ("se tragó un hueso", "foreign_body"),
        ("se tragó una media", "foreign_body"),
        ("se comió un juguete", "foreign_body"),
        ("se tragó un anzuelo", "foreign_body"),
        ("se comió la tusa del maíz", "foreign_body"),
        ("se tragó una pila", "foreign_body"),
        # toxic foods, human medicines, household products
        ("mi perro comió chocolate", "poisoning"),
        ("se comió una barra entera de chocolate", "poisoning"),
        ("se comió unas uvas", "poisoning"),
        ("comió pasas", "poisoning"),
        ("se comió un pedazo de cebolla", "poisoning"),
        ("se comió un chicle con xilitol", "poisoning"),
        ("comió raticida", "poisoning"),
        ("se comió el veneno para ratas", "poisoning"),
        ("se comió mis pastillas", "poisoning"),
        ("se comió las pastillas de mi mamá", "poisoning"),
        ("le di ibuprofeno", "poisoning"),
        ("le dimos acetaminofén al gato", "poisoning"),
        ("le di paracetamol", "poisoning"),
        ("tomó anticongelante", "poisoning"),
        ("lamió lejía", "poisoning"),
        ("se tomó el cloro", "poisoning"),
        # heat stroke
        ("le dio un golpe de calor", "heatstroke"),
        ("estuvo al sol y jadea mucho y está muy caliente", "heatstroke"),
        ("lo dejé en el carro y ahora jadea mucho", "heatstroke"),
        # difficult birth
        ("lleva horas pujando y no sale el cachorro", "birth"),
        ("está pariendo y no puede", "birth"),
        ("mi gata está pujando y no sale el gatito", "birth"),
        ("tiene un cachorro atorado", "birth"),
        # eye injuries
        ("se le salió el ojo", "eye_injury"),
        ("tiene una herida en el ojo", "eye_injury"),
        ("tiene el ojo reventado", "eye_injury"),
        ("el gato le arañó el ojo", "eye_injury"),
        # bloat
        ("tiene la barriga hinchada y dura", "bloat"),
        ("panza inflada, intenta vomitar y no puede", "bloat"),
        ("hace arcadas pero no vomita", "bloat"),
        # breathing
        ("respira con dificultad", "breathing"),
        ("se ahoga", "breathing"),
        ("tiene las encías moradas", "breathing"),
        ("encías azules", "breathing"),
        ("encías blancas", "breathing"),
        ("le cuesta respirar", "breathing"),
        # heavy bleeding
        ("sangra mucho de la pata", "bleeding"),
        ("no para de sangrar", "bleeding"),
        ("hay un charco de sangre", "bleeding"),
        # hit by a vehicle, falls, bites, wounds
        ("lo atropelló una moto", "trauma"),
        ("lo chocó una moto", "trauma"),
        ("se cayó del segundo piso", "trauma"),
        ("lo mordió un perro grande", "trauma"),
        ("se le ve el hueso", "trauma"),
        # urinary blockage
        ("mi gato no puede orinar", "urinary"),
        ("va a la caja y no sale nada", "urinary"),
        ("lleva un día sin orinar", "urinary"),
        ("no ha hecho pipí en todo el día", "urinary"),
        ("hace fuerza para orinar y solo salen gotitas", "urinary"),
        ("mi gato está pujando y no sale nada", "urinary"),
        # snakes, toads, scorpions
        ("lo mordió una culebra", "envenomation"),
        ("lo mordió una serpiente", "envenomation"),
        ("mordió un sapo y babea mucho", "envenomation"),
        ("lo picó un alacrán", "envenomation"),
        # burns and electric shock
        ("se quemó con agua hirviendo", "burns"),
        ("le cayó aceite caliente", "burns"),
        ("mordió un cable y se electrocutó", "electric_shock"),
        ("le dio un corrientazo", "electric_shock"),
    ],
)
def test_detect_emergency_sign_beyond_spec_keywords(text, category):
    found = detect_emergency(text)
    assert found.is_potential_emergency
    assert found.confidence == "high"
    assert found.category == category
    assert found.matched_keywords


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("mi perro fue atropeyado", "trauma"),
        ("esta convulcionando", "seizures"),
        ("combulsiona", "seizures"),
        ("lo enbenenaron", "poisoning"),
        ("se trago un ueso", "foreign_body"),
        ("tiene la panza inchada y dura", "bloat"),
        ("SE COMIO UN CHOCOLATE", "poisoning"),
        ("LO ATROPELLO UN CARRO", "trauma"),
        ("no se levantaaa", "collapse"),
        ("le dieron ATAQUES", "seizures"),
        ("mi perro 🐶 se tragó una media 🧦😭", "foreign_body"),
        ("se comió 🍫", "poisoning"),
        ("se comió 🍇🍇", "poisoning"),
        ("lo mordió una 🐍", "envenomation"),
    ],
)
def test_detect_emergency_reads_typos_missing_accents_capitals_and_emoji(text, category):
    found = detect_emergency(text)
    assert found.confidence == "high"
    assert found.category == category


def test_detect_emergency_reports_the_spec_keyword_for_a_misspelling():
    assert detect_emergency("mi perro fue atropeyado").matched_keywords == ("atropellado",)
    assert detect_emergency("está convulcionando").matched_keywords == ("convulsionando",)


def test_detect_emergency_names_the_sign_it_saw():
    assert detect_emergency("se comió un chocolate").matched_keywords == ("chocolate",)
    assert detect_emergency("se desplomó y no se levanta").matched_keywords == (
        "se desplomó",
        "no se levanta",
    )


# --- Negation, downplaying, history ----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "no es nada grave, no está vomitando, solo es su control",
        "ya no convulsiona, fue la semana pasada y el vet dijo que estaba bien",
        "no sangra",
        "sin fiebre",
        "nunca ha tenido convulsiones",
        "no es urgente",
        "NO ES URGENTE",
        "no es grave 🙂",
        "tranquilos no es emergencia",
        "no es emergencia, es para vacuna",
        "para descartar que no sea nada grave",
        "la vacuna contra la rabia",
        "no tiene sangre en la orina",
        "no le he visto nada de sangre",
        "no está vomitando sangre",
        "ya dejó de sangrar",
        "tampoco convulsiona",
        "ni sangra ni convulsiona",
        "no hay sangrado",
        "ningún sangrado",
        "sin sangrado ni fiebre",
        "no está hinchado",
        "no tiene la barriga hinchada",
        "no respira con dificultad",
        "no se ha quemado",
        "no lo atropellaron, solo se asustó",
        "no comió chocolate",
        "tiene un poquito de sangre en la oreja",
        "un poco de sangre en la caca",
        "quiero saber cómo evitar un golpe de calor",
    ],
)
def test_detect_emergency_negated_or_downplayed_sign_does_not_count(text):
    assert detect_emergency(text) == EmergencyDetection(is_potential_emergency=False)


@pytest.mark.parametrize(
    "text",
    [
        "hace un mes lo atropellaron, ya está bien, quiero su control",
        "el mes pasado tuvo convulsiones y ya está bien, quiero control",
        "mi perra tuvo su parto hace un mes, quiero esterilizarla",
    ],
)
def test_detect_emergency_past_sign_of_a_recovered_pet_is_history(text):
    assert not detect_emergency(text).is_potential_emergency


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("no come pero está convulsionando", "seizures"),
        ("no es urgente pero está convulsionando", "seizures"),
        ("no es grave aunque sangra mucho", "bleeding"),
        ("no sangra, pero no se levanta", "collapse"),
        ("no tiene fiebre y está sangrando", "bleeding"),
        ("no tiene convulsiones pero sí temblores fuertes", "seizures"),
        ("no vomita pero tiene la barriga hinchada y dura", "bloat"),
        ("ay no mi gata esta convulsionando", "seizures"),
        ("no no se levanta", "collapse"),
        ("no sé si comió chocolate", "poisoning"),
        ("perdió mucha sangre", "bleeding"),
        ("hace una semana que no puede orinar", "urinary"),
        (
            "la semana pasada tuvo una convulsión y ya está bien pero hoy otra vez convulsiona",
            "seizures",
        ),
        (
            "el mes pasado comió chocolate y quedó bien, pero ahora se tragó una media",
            "foreign_body",
        ),
    ],
)
def test_detect_emergency_negation_stops_at_pero_y_and_other_words(text, category):
    found = detect_emergency(text)
    assert found.confidence == "high"
    assert found.category == category


@pytest.mark.parametrize(
    "text",
    [
        "¿el chocolate es malo para los perros?",
        "el chocolate es veneno para los perros?",
        "¿puedo darle paracetamol?",
        "¿las uvas son tóxicas para perros?",
        "mi perro come uvas?",
        "le di su pastilla",
        "ya se tomó sus pastillas",
        "se comió su comida",
        "hace media hora comió su comida",
        "el perro jadea mucho cuando hace calor",
        "mi perro tiembla mucho cuando hay tormenta",
        "se le atoró la pata en la reja",
        "tose como si tuviera algo en la garganta",
        "se cayó de la cama",
        "tuvo un ataque de tos",
        "le dan ataques de ansiedad",
        "mi gato no orina fuera de la caja",
        "le sacaron sangre ayer para el examen",
        "¿atienden emergencias?",
        "¿tienen servicio de urgencias? gracias!",
        "gracias por la ayuda!",
        "quiero cita para la vacuna de la rabia",
    ],
)
def test_detect_emergency_questions_and_everyday_talk_are_not_emergencies(text):
    assert not detect_emergency(text).is_potential_emergency


def test_detect_emergency_prefers_cutting_the_power_over_burn_advice():
    found = detect_emergency("mordió un cable, se quemó la boca y se electrocutó")
    assert found.category == "electric_shock"


def test_detect_emergency_prefers_choking_over_breathing():
    assert detect_emergency("se ahoga con un hueso").category == "choking"


# --- Categories -------------------------------------------------------------

CATEGORIES = [
    "poisoning",
    "trauma",
    "breathing",
    "seizures",
    "bleeding",
    "birth",
    "collapse",
    "choking",
    "foreign_body",
    "heatstroke",
    "eye_injury",
    "bloat",
    "urinary",
    "envenomation",
    "burns",
    "electric_shock",
]


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_has_first_aid_and_a_label(category):
    assert first_aid_advice(category) == FIRST_AID[category]
    assert CATEGORY_LABELS[category]


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_fits_the_emergency_event_column(category):
    assert len(category) <= 20  # EmergencyEvent.category is VARCHAR(20)


def test_detect_emergency_line_break_ends_the_negation():
    assert detect_emergency("no\nconvulsiona").confidence == "high"


@pytest.mark.parametrize(
    "text",
    [
        "espere, Max se acaba de comer unas uvas, como 20",
        "se acaba de comer chocolate",
        "mi perro acaba de tragarse un hueso",
    ],
)
def test_detect_emergency_just_ate_something_toxic_or_swallowed_an_object(text):
    assert detect_emergency(text).is_potential_emergency


@pytest.mark.parametrize("text", ["¿puede comer uvas?", "acaba de comer su comida normal"])
def test_detect_emergency_eating_ordinary_food_or_asking_does_not_trigger(text):
    assert not detect_emergency(text).is_potential_emergency
