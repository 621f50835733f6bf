import pytest

from backend.domain.language import Intent, contains_greeting, detect_intent


@pytest.mark.parametrize(
    "text",
    [
        "sita",
        "quiero una cita",
        "kiero una cita",
        "agendar",
        "Quiero agendar",
        "reserbar",
        "reservar una cita para el sábado",
        "Hola, necesito una cita para mi perro",
        "Hola necesito una cita",
        "quiero vacunar a mi perro",
        "Sí, quiero vacunar a mi perro",
        "pueden revisar a mi gato",
        "necesito que revisen a mi gata",
        "agnedar una cita",
        "me gustaría sacar un turno",
        "quiero pedir hora para mi gato",
        "¿tienen disponibilidad mañana?",
        "quiero agendar, ¿cuánto cuesta?",
        "una consulta para mi perro",
        "le toca refuerzo de vacuna a mi cachorro Thor, puede ser mañana por la tarde?",
        "mi perro necesita el refuerzo de la vacuna",
        "ya le toca la desparasitación a la Luna",
        "mi gata necesita que le hagan una ecografía",
        "necesito hacerle unas radiografías a mi perro",
    ],
)
def test_detect_intent_book(text):
    assert detect_intent(text) is Intent.BOOK


@pytest.mark.parametrize(
    "text",
    [
        "cambiar mi cita",
        "reprogramar",
        "reprogamar",
        "mover",
        "quiero mover mi cita al viernes",
        "¿puedo cambiar la hora de mi cita?",
        "tengo una cita mañana y quiero cambiarla",
        "necesito reagendar",
        "la cita, ¿se puede otro día?",
        "cancelar y agendar para el viernes",
        "oye mejor cámbiamela para el viernes",
        "muévemela para la tarde",
        "pásamela al jueves",
    ],
)
def test_detect_intent_reschedule(text):
    assert detect_intent(text) is Intent.RESCHEDULE


@pytest.mark.parametrize(
    "text",
    [
        "cancelar",
        "anular",
        "Cancelar mi cita por favor",
        "kancelar la sita",
        "ya no voy a poder ir",
    ],
)
def test_detect_intent_cancel(text):
    assert detect_intent(text) is Intent.CANCEL


@pytest.mark.parametrize(
    "text",
    [
        "cuando es mi cita",
        "¿Cuándo es mi cita?",
        "mis citas",
        "a qué hora es mi cita",
        "¿tengo cita?",
        "cuando es la cita",
        "¿a qué hora me toca?",
        "cual es mi proxima cita",
        "¿la cita de Max es mañana?",
    ],
)
def test_detect_intent_my_appointments(text):
    assert detect_intent(text) is Intent.MY_APPOINTMENTS


@pytest.mark.parametrize(
    "text",
    [
        "cuanto cuesta",
        "precio",
        "valor",
        "Hola cuanto cuesta una vacuna",
        "¿Cuánto cuesta vacunar a mi perro?",
        "quiero saber cuánto cuesta una consulta",
        "qué precio tiene la esterilización",
    ],
)
def test_detect_intent_price(text):
    assert detect_intent(text) is Intent.PRICE


@pytest.mark.parametrize(
    "text",
    [
        "hola",
        "Hola!",
        "buenas",
        "buenos dias",
        "Buenos días",
        "Buenas tardes!",
        "hola, ¿cómo están?",
    ],
)
def test_detect_intent_greeting(text):
    assert detect_intent(text) is Intent.GREETING


@pytest.mark.parametrize("text", ["gracias", "Muchas gracias!", "mil gracias, muy amable"])
def test_detect_intent_thanks(text):
    assert detect_intent(text) is Intent.THANKS


@pytest.mark.parametrize(
    "text",
    [
        "¿A qué hora abren?",
        "¿atienden los domingos?",
        "quería hacer una consulta, ¿atienden exóticos?",
        "donde estan ubicados",
    ],
)
def test_detect_intent_other_question(text):
    assert detect_intent(text) is Intent.OTHER_QUESTION


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "🐶🐶",
        "sí",
        "mi perro vomita",
        "mi perro no se puede mover",
        "quiero cambiar la comida de mi perro cada día",
    ],
)
def test_detect_intent_unknown(text):
    assert detect_intent(text) is Intent.UNKNOWN


def test_contains_greeting_sees_greeting_before_a_request():
    assert contains_greeting("Hola, necesito una cita")
    assert not contains_greeting("necesito una cita")


@pytest.mark.parametrize(
    "text",
    [
        "Hola, ¿hoy me lo pueden ver? Es mi perro Toby, tiene diarrea",
        "Buenas, necesito que el veterinario vea a mi gata, no quiere comer",
        "no es nada grave, no está vomitando, solo es su control",
        "¿me la pueden revisar mañana?",
        "quiero que el doctor revise a mi gato",
    ],
)
def test_detect_intent_book_said_without_the_word_cita(text):
    assert detect_intent(text) == Intent.BOOK


@pytest.mark.parametrize(
    "text",
    [
        "quiero hablar con una persona",
        "me pasas con alguien por favor",
        "necesito hablar con la doctora",
        "No quiero hablar con un robot",
        "un humano",
        "llámenme porfa",
        "¿Me pueden llamar?",
        "Con un asesor",
        "quiero comunicarme con recepción",
    ],
)
def test_detect_intent_human_in_any_wording(text):
    assert detect_intent(text) == Intent.HUMAN


@pytest.mark.parametrize(
    "text", ["mejor después, gracias", "ahora no, luego te escribo", "lo voy a pensar"]
)
def test_detect_intent_later(text):
    assert detect_intent(text) == Intent.LATER
