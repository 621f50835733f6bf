"""What a client wants from a free-text message, by rules.

Rules run in a fixed priority so mixed messages land where the conversation
needs them: changing or cancelling an appointment beats booking ("cancelar mi
cita" mentions "cita"), an explicit booking request beats a price question
("quiero agendar, ¿cuánto cuesta?"), a price question beats a bare mention of
a service ("¿cuánto cuesta vacunar a mi perro?"), and a greeting only counts
when nothing else is said. What the rules cannot place is UNKNOWN, for the
caller to hand to a language model or to ask again.
"""

from __future__ import annotations

import re
from enum import StrEnum

from backend.domain.language.normalize import cache_short_texts, canonical_text


class Intent(StrEnum):
    BOOK = "book"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    MY_APPOINTMENTS = "my_appointments"
    PRICE = "price"
    OTHER_QUESTION = "other_question"
    GREETING = "greeting"
    THANKS = "thanks"
    HUMAN = "human"  # wants a person of the clinic
    LATER = "later"  # leaves it for another time ("mejor después, gracias")
    UNKNOWN = "unknown"


def _words(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


_TARGET = _words("cita", "citas", "turno", "turnos", "reserva", "consulta")
_WHEN_TARGET = _words("hora", "horario", "fecha", "dia")
_MOVE_GAP = _words("la", "el", "mi", "su", "de", "del", "nuestra", "esta", "esa")
_MOVE_VERB = (
    r"(?<!\bse )(?<!\bpuede )(?<!\bpueda )"
    r"\b(?:cambiar|cambio|cambie|cambien|cambiamos|mover|muevo|mueva|muevan|"
    r"adelantar|adelanto|atrasar|atraso|retrasar|retraso|posponer|pospongo|"
    r"aplazar|aplazo|postergar|postergo|reprogramar|reagendar)\b"
)
_ENCLITIC_MOVE = (
    r"\b(?:cambiar|mover|pasar|correr|adelantar|atrasar|retrasar|posponer|"
    r"aplazar|postergar|recorrer)(?:la|lo|las|los)\b"
)
_MOVE_ANY = (
    r"(?:pasar|pasamos|pasas|pasa|mover|mueve|muevas|movemos|cambiar|cambiamos|cambias|"
    r"correr|corremos|corres)\b"
)
_MOVE_ENCLITIC = (
    r"(?:pasarla|pasarlo|moverla|moverlo|cambiarla|cambiarlo|correrla|correrlo"
    # the imperative with its pronouns: "cámbiamela", "muévela", "pásamela", "córrela"
    r"|(?:cambia|mueve|pasa|corre|adelanta|atrasa|retrasa|aplaza|posterga|reprograma|reagenda)"
    r"(?:me|nos|se)?(?:la|lo|las|los))\b"
)
_MOMENT = (
    r"(?:el|la|los|las|otro|otra|manana|hoy|pasado|lunes|martes|miercoles|jueves|viernes|"
    r"sabado|domingo|\d)"
)
_RESCHEDULE = re.compile(
    r"\breprogram\w*|\breagend\w*|\bpospon\w*|\baplaz\w*|\bposterg\w*"
    # "¿la podemos pasar para el martes?", "me la mueve para el lunes", "cambiar el turno para…"
    rf"|(?:\b(?:la|lo|me la|me lo|nos la|se la)\s+(?:\S+\s+)?{_MOVE_ANY}"
    rf"|\b{_MOVE_ENCLITIC}|\b{_MOVE_ANY}(?:\s+\S+){{0,2}}?\s+{_TARGET})"
    rf"(?:\s+\S+){{0,3}}?\s+(?:para|al|a)\s+(?:{_MOMENT}|este|esta|proximo|proxima)\b"
    rf"|{_ENCLITIC_MOVE}"
    rf"|{_MOVE_VERB}(?:\s+{_MOVE_GAP}){{0,3}}\s+(?:{_TARGET}|{_WHEN_TARGET})\b"
    rf"|\b(?:pasar|correr|recorrer)(?:\s+{_MOVE_GAP}){{0,3}}\s+{_TARGET}\b"
    rf"|\b{_TARGET}\b.*\b(?:otro dia|otra fecha|otra hora|otro horario)\b"
    rf"|\b(?:otro dia|otra fecha|otra hora|otro horario)\b.*\b{_TARGET}\b"
    r"|\bcancel\w*\b.*\b(?:y|para) (?:agendar|reservar|sacar)\b"
)
# A move verb alone ("mover", "quiero cambiar") is a reschedule request only
# in a short message; in a long one it is likely about something else.
_RESCHEDULE_SHORT = re.compile(_MOVE_VERB)

_CANCEL = re.compile(
    r"\bcancel\w*|\banul\w*|\bdesagend\w*"
    r"|\bya no (?:voy|vamos|ire|iremos|podre|podremos|puedo|podemos|necesito|"
    r"necesitamos|quiero|queremos|requiero)\b"
    r"|\bno (?:voy|vamos|podre|podremos|puedo|podemos) (?:a )?(?:poder )?"
    r"(?:ir|asistir|llegar|acudir)\b"
    rf"|\b(?:eliminar|borrar|quitar|dar de baja)(?:\s+\S+){{0,2}}?\s+{_TARGET}\b"
)

_MY_APPOINTMENTS = re.compile(
    r"\bmis (?:citas|turnos|reservas|consultas)\b"
    r"|\b(?:cuando|que dia|que hora|a que hora|para cuando|para que dia|"
    r"para que hora|donde|cual)\b(?:\s+\S+){0,3}?\s+"
    r"(?:mi|mis|tengo|tenemos|nuestra|es la|era la|sera la) (?:proxima |proximas )?"
    r"(?:cita|citas|turno|turnos|reserva|reservas|consulta)\b"
    r"|\b(?:cuando|a que hora|que dia) me toca\b"
    r"|(?<!\bno )\btengo (?:una |la )?(?:cita|turno|reserva)\b"
    r"|\b(?:ver|consultar|revisar|confirmar|saber|recordar|recuerdame|"
    r"recordarme)\b(?:\s+\S+){0,3}?\s+mi (?:proxima )?(?:cita|turno|reserva)\b"
    r"|\b(?:mi|la) (?:proxima )?(?:cita|turno|reserva)(?: de [a-z]+)? "
    r"(?:es|era|sera|esta|quedo|sigue)\b"
)

_REQUEST = _words(
    "quiero",
    "queria",
    "quisiera",
    "quisieramos",
    "queremos",
    "necesito",
    "necesitamos",
    "necesita",
    "ocupo",
    "deseo",
    "deseaba",
    "busco",
    "buscaba",
    "gustaria",
    "puedo",
    "podria",
    "podemos",
    "pueden",
    "podrian",
    "puede",
    "dame",
    "denme",
    "me das",
    "me da",
    "me dan",
    "regalan",
    "regala",
    "solicito",
    "solicitar",
    "pedir",
    "sacar",
    "apartar",
    "tomar",
    "programar",
    "hay que",
    "tengo que",
    "tenemos que",
)
# Words allowed between a request and what is requested ("quisiera por
# favor una cita", "necesito que revisen a mi gato"); anything else breaks
# the link, so "quiero saber cuánto cuesta una consulta" is not a booking.
_GAP = _words(
    "una",
    "un",
    "el",
    "la",
    "mi",
    "nueva",
    "nuevo",
    "otra",
    "otro",
    "por",
    "favor",
    "porfa",
    "porfavor",
    "que",
    "me",
    "le",
    "nos",
    "les",
    "lo",
    "a",
    "si",
    "agendar",
    "reservar",
    "sacar",
    "pedir",
    "hacer",
    "programar",
    "solicitar",
    "tener",
    "darme",
    "dar",
)
_REQUESTED = _words(
    "cita",
    "citas",
    "turno",
    "hora",
    "consulta",
    "control",
    "chequeo",
    "revision",
    "valoracion",
    "cupo",
    "espacio",
    "vacuna",
    "vacunas",
    "cirugia",
    "esterilizacion",
    "castracion",
    "bano",
    "peluqueria",
    "desparasitacion",
    "operacion",
    "ecografia",
    "radiografia",
    "examen",
    "examenes",
    "vacunar",
    "vacunen",
    "vacune",
    "revisar",
    "revisen",
    "revise",
    "chequear",
    "chequeen",
    "checar",
    "examinar",
    "examinen",
    "desparasitar",
    "desparasiten",
    "esterilizar",
    "esterilicen",
    "castrar",
    "castren",
    "operar",
    "operen",
    "banar",
    "banen",
    "valorar",
    "valoren",
    # Generic verbs count only with a patient after them ("que vean a mi gato").
    r"(?:ver|vean|vea|atender|atiendan|atienda|llevar|traer|revisen|llevarle|llevarlo|llevarla) a",
)
_BOOK_EXPLICIT = re.compile(
    r"\bagend\w*|\breserv\w*"
    # Chile: "¿tení hora para el lunes?", "¿me podí dar hora?", "una hora para el Max"
    r"|\b(?:teni|tenis|tienes|tiene|tienen|habra|hay|dar|dame|deme|den|necesito|quiero|"
    r"quisiera|pedir|sacar|agendar)\b(?:\s+(?:una|un|alguna|la))?\s+hora\b(?!\s+(?:abren|cierran|atienden))"
    r"|^(?:hola\s+)?(?:una|otra) hora (?:para|pa)\b"
    # "hola, hora pa mi perro el lunes": the Chilean request without a verb
    r"|^(?:(?:hola|buenas|buenos dias|buenas tardes|buen dia|ola)\s+)?(?:una\s+)?hora\s+"
    r"(?:para|pa)\s+(?:mi|mis|el|la|los|las|nuestro|nuestra|manana|hoy|pasado)\b"
    rf"|\b{_REQUEST}\b(?:\s+{_GAP}\b){{0,3}}\s+{_REQUESTED}\b"
    r"|\b(?:tienen|tiene|hay|habra|queda|quedan)\b(?:\s+\S+){0,2}?\s+"
    r"(?:cita|citas|turno|turnos|cupo|cupos|espacio|disponibilidad|disponible|"
    r"horas disponibles|horarios disponibles)\b"
)

_PRICE = re.compile(
    r"\bcuanto (?:me |nos |le )?(?:cuesta|cuestan|vale|valen|cobran|cobra|sale|"
    r"salen|saldria|seria|serian|costaria|costara|es|son|esta|estan)\b"
    r"|\bque (?:cuesta|cuestan|vale|valen|precio)\b"
    r"|\b(?:precio|precios|costo|costos|coste|tarifa|tarifas|valor|valores|"
    r"cotizacion|cotizar|presupuesto|arancel|aranceles)\b"
)

_BOOK_WEAK = re.compile(
    r"\b(?:cita|citas|turno|consulta|agenda)\b"
    # "¿me lo pueden ver hoy?", "que lo vea el veterinario", "que me la revisen"
    r"|\b(?:me |que )?(?:lo|la|los|las) (?:pueden |puede |podrian |podria |puedan )?"
    r"(?:ver|vea|vean|revisar|revise|revisen|atender|atienda|atiendan|chequear|chequeen|"
    r"examinar|examinen|valorar|valoren|checar|cheque)\b"
    r"|\bque (?:el|la) (?:veterinario|veterinaria|doctor|doctora|medico|medica|vet) "
    r"(?:vea|revise|atienda|examine|valore|cheque)\b"
    r"|\b(?:vea|revise|atienda|examine|valore) (?:a )?(?:mi|mis|nuestro|nuestra)\b"
    r"|\b(?:solo |solamente |nada mas )?(?:es|seria|era) (?:su|el|la|un|una) "
    r"(?:control|chequeo|revision|vacuna|consulta|cita)\b"
    r"|\b(?:vacunar|vacunen|revisar|revisen|chequear|chequeen|desparasitar|"
    r"desparasiten|esterilizar|esterilicen|castrar|castren|operar|operen|banar|"
    r"banen|ver|vean|atender|atiendan|llevar|traer) a "
    r"(?:mi|mis|nuestro|nuestra|nuestros)\b"
    r"|\b(?:vacuna|vacunas|consulta|control|chequeo|revision|cirugia|"
    r"esterilizacion|castracion|desparasitacion|bano|peluqueria|ecografia|"
    r"radiografia) (?:para|de) (?:mi|mis|nuestro|nuestra)\b"
    # "le toca refuerzo de vacuna a Thor", "necesita el refuerzo de la vacuna"
    r"|\b(?:le toca|les toca|ya le toca|le corresponde|necesita|necesitan|necesito|"
    r"necesitamos|tiene pendiente|que le hagan|hacerle|le hagan)"
    r"(?:\s+(?:la|el|su|sus|una|un|otra|otro|unas|unos))?(?:\s+(?:refuerzo|dosis|segunda|tercera))?"
    r"(?:\s+(?:de|del))?(?:\s+(?:la|el|su))?\s+(?:vacuna|vacunas|refuerzo|desparasitacion|"
    r"control|chequeo|revision|bano|cirugia|castracion|esterilizacion|ecografia|"
    r"ecografias|radiografia|radiografias|examenes|limpieza dental)\b"
)

# "Hacer una consulta" usually means asking something, not booking a visit.
_ASKING = re.compile(
    r"\b(?:hacer|hacerles|hacerle|tengo|tenia|tenemos) (?:una|unas) "
    r"(?:consulta|consultas|pregunta|preguntas|duda|dudas)\b"
)
_QUESTION_START = re.compile(
    r"^(?:que|como|donde|cuando|cual|cuales|cuanto|cuantos|cuantas|por que|"
    r"porque|quien|puedo|pueden|podrian|tienen|atienden|abren|cierran|"
    r"aceptan|hacen|venden|se puede)\b"
)
_QUESTION_TOPIC = re.compile(
    r"\b(?:horario|horarios|direccion|ubicacion|ubicados|ubicadas|"
    r"estacionamiento|domicilio|telefono|tarjeta|efectivo|transferencia|pago|"
    r"pagos|factura|atienden|abren|cierran|abierto|abiertos|pregunta|"
    r"preguntas|preguntar|consultar|duda|dudas|informacion|info)\b"
)

_PERSON = _words(
    "persona",
    "personas",
    "humano",
    "humana",
    "alguien",
    "asesor",
    "asesora",
    "agente",
    "operador",
    "operadora",
    "recepcion",
    "recepcionista",
    "secretaria",
    "doctor",
    "doctora",
    "veterinario",
    "veterinaria",
    "medico",
    "medica",
    "encargado",
    "encargada",
    "gente",
    "administrador",
    "administradora",
)
_HUMAN = re.compile(
    r"\b(?:hablar|hablo|comunicar|comunicarme|comunicame|comuniqueme|comunica|comunique|"
    r"comunican|contactar|contactarme|"
    r"pasar|pasarme|pasame|paseme|pasas|pasan|conectar|conectarme|conectame|"
    r"(?:que )?(?:me|nos) (?:atienda|atiende)|"  # not "¿el lunes atiende la doctora?"
    r"chatear|escribir)\b(?:\s+\S+){0,4}?\s+(?:con\s+)?(?:un|una|el|la|alguna|algun)?\s*"
    + _PERSON
    + r"\b"
    r"|\b(?:persona real|ser humano|atencion humana|atencion personalizada)\b"
    r"|\b(?:no quiero|no me sirve|no me ayuda|no entiende|no me entiende)\b.{0,25}"
    r"\b(?:robot|bot|maquina|contestadora|automatico|asistente)\b"
    r"|\b(?:llamenme|llameme|llamame|que me llamen|me pueden llamar|me puede llamar|"
    r"me llaman|me llamen)\b"
    r"|^(?:un|una|con (?:un|una|el|la)) (?:humano|persona|asesor|asesora|agente|recepcionista)"
    r"(?: por favor| porfa)?$"
)
_LATER = re.compile(
    r"\b(?:mejor (?:despues|luego|mas tarde|otro dia|en otro momento)"
    r"|(?:despues|luego|mas tarde) (?:te |les |le )?(?:escribo|aviso|confirmo|llamo|digo)"
    r"|(?:te|les|le) (?:escribo|aviso|confirmo) (?:despues|luego|mas tarde)"
    r"|(?:por )?ahora no|ahorita no|lo (?:voy a )?pienso|lo voy a pensar|dejame pensarlo"
    r"|dejemoslo (?:asi|para despues)|en otro momento)\b"
)

_THANKS = re.compile(
    r"\b(?:gracias|agradezco|agradecido|agradecida|agradecemos|muy amable|"
    r"muy amables|thank you|thanks|chao|chau|adios|bye|hasta luego|hasta pronto|nos vemos|"
    r"alla estaremos|alla nos vemos|alla estare|bendiciones|que esten bien|feliz dia|"
    r"feliz tarde|feliz noche)\b"
)

_GREETING = re.compile(
    r"\b(?:hola|buenas|buenos dias|buenos|buen dia|buenas tardes|buenas noches|"
    r"saludos|hey|que tal|alo|hi|hello|como esta|como estas|como estan|"
    r"como le va|como les va)\b"
)
_GREETING_FILLER = re.compile(
    r"\b(?:hola|buenas|buenos|buen|dia|dias|tardes|noches|saludos|hey|que tal|"
    r"alo|hi|hello|como esta|como estas|como estan|como le va|como les va|"
    r"doctor|doctora|dr|dra|doc|senor|senora|senorita|amigo|amiga|a todos|"
    r"equipo|muy|por ahi|ahi|usted|ustedes|todo bien|espero que esten bien|"
    r"espero que este bien|bien|y|que)\b"
)
_INTRODUCTION = re.compile(r"^(?:soy|me llamo|mi nombre es)(?: [a-z]+){1,3}$")

_SHORT_MESSAGE_WORDS = 4

# Cheap checks that skip the slower patterns for most messages: each pattern
# can only match when one of its cue words or stems is present.
_RESCHEDULE_STEMS = re.compile(
    r"\b(?:reprogram|reagend|pospon|aplaz|posterg|cambiar|cambia|mover|mueve|muevas|movemos|pasar|"
    r"pasamos|pasas|pasa|cambiamos|cambias|corremos|corres|correr|corre|cancel|"
    r"adelantar|atrasar|retrasar|recorrer)"
)
_RESCHEDULE_CUES = frozenset(
    "cambio cambie cambien cambiamos muevo mueva muevan adelanto atraso retraso "
    "pospongo aplazo postergo otro otra".split()
)
_MY_APPOINTMENTS_CUES = frozenset(
    "mis toca cita citas turno turnos reserva reservas consulta".split()
)


_GREETING_WORDS = frozenset(
    {
        "hola",
        "buenas",
        "buenos",
        "buen",
        "dia",
        "dias",
        "tardes",
        "noches",
        "saludos",
        "hey",
        "alo",
        "hi",
        "hello",
    }
)


@cache_short_texts
def _detect(text: str) -> Intent:
    canonical = canonical_text(text)
    if not canonical:
        return Intent.UNKNOWN
    word_list = canonical.split()
    words = frozenset(word_list)
    short = len(word_list) <= _SHORT_MESSAGE_WORDS
    if _HUMAN.search(canonical):
        return Intent.HUMAN
    if (words & _RESCHEDULE_CUES or _RESCHEDULE_STEMS.search(canonical)) and (
        _RESCHEDULE.search(canonical) or (short and _RESCHEDULE_SHORT.search(canonical))
    ):
        return Intent.RESCHEDULE
    if _CANCEL.search(canonical):
        return Intent.CANCEL
    if words & _MY_APPOINTMENTS_CUES and _MY_APPOINTMENTS.search(canonical):
        return Intent.MY_APPOINTMENTS
    asking = _ASKING.search(canonical) is not None
    booking_text = _ASKING.sub(" pregunta ", canonical) if asking else canonical
    if _BOOK_EXPLICIT.search(booking_text):
        return Intent.BOOK
    if _PRICE.search(canonical):
        return Intent.PRICE
    if _BOOK_WEAK.search(booking_text):
        return Intent.BOOK
    if _is_only_greeting(canonical):
        return Intent.GREETING
    if (
        asking
        or "?" in text
        or "¿" in text
        or _QUESTION_START.search(_without_greeting(canonical))
        or _QUESTION_TOPIC.search(canonical)
    ):
        return Intent.OTHER_QUESTION
    if _LATER.search(canonical):
        return Intent.LATER
    if _THANKS.search(canonical):
        return Intent.THANKS
    return Intent.UNKNOWN


def _without_greeting(canonical: str) -> str:
    words = canonical.split()
    start = 0
    while start < len(words) and words[start] in _GREETING_WORDS:
        start += 1
    return " ".join(words[start:])


def _is_only_greeting(canonical: str) -> bool:
    if not _GREETING.search(canonical):
        return False
    rest = " ".join(_GREETING_FILLER.sub(" ", canonical).split())
    return not rest or bool(_INTRODUCTION.match(rest))


def detect_intent(text: str) -> Intent:
    """Classify a client message by rules (accent-, case- and typo-tolerant).

    Examples: "kiero una sita" -> BOOK, "cambiar mi cita" -> RESCHEDULE,
    "anular" -> CANCEL, "cuando es mi cita" -> MY_APPOINTMENTS,
    "Hola cuanto cuesta una vacuna" -> PRICE, "buenos dias" -> GREETING.
    """
    return _detect(text)


def contains_greeting(text: str) -> bool:
    """Whether the message greets ("hola", "buenas tardes"), whatever else it says.

    Lets the conversation greet back before answering "Hola, necesito una cita".
    """
    return bool(_GREETING.search(canonical_text(text)))
