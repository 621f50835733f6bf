"""Opening a conversation, knowing who writes, and routing by what they want.

A new number becomes a client on its first message (with the pet when one is
named) and its request is handled at once; the name comes from what it says
or its WhatsApp profile, else it is asked once at the booking summary. Questions the assistant cannot answer (prices, anything else) are
redirected to the clinic's phone with an offer to book, as in spec §3.4.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import col, select

from backend.domain.conversation_states import State
from backend.domain.language import (
    Intent,
    YesNo,
    canonical_text,
    contains_greeting,
    detect_intent,
    extract_name_reply,
    extract_pet,
    normalize,
)
from backend.models import Conversation
from backend.services.assistant import replies
from backend.services.assistant.context import Turn
from backend.services.assistant.flows import appointments, identity
from backend.services.assistant.flows import booking as booking_flow
from backend.services.assistant.understanding import Understanding
from backend.services.patients import clients

RECENT_CONTACT = timedelta(hours=12)
_ADDRESS = (
    "direccion",
    "ubicados",
    "ubicadas",
    "ubicacion",
    "donde quedan",
    "donde queda",
    "dnd queda",
    "dnd quedan",
    "dnd estan",
    "donde estan",
    "donde esta la clinica",
    "donde se encuentran",
    "como llego",
    "como llegar",
    "en que parte",
)
_PHONE = ("telefono", "numero de telefono", "celular", "whatsapp de la clinica", "a que numero")
_HOURS = (
    "horario",
    "horarios",
    "abren",
    "cierran",
    "a que hora abren",
    "hasta que hora",
    "abierto",
    "abiertos",
    "abre",
    "atienden",
    "trabajan",
    "atencion",
)


def _recently_talked(turn: Turn) -> bool:
    previous = turn.session.exec(
        select(Conversation.id)
        .where(
            Conversation.tenant_id == turn.tenant.id,
            Conversation.client_phone == turn.conversation.client_phone,
            Conversation.id != turn.conversation.id,
            col(Conversation.last_message_at) > turn.now - RECENT_CONTACT,
        )
        .limit(1)
    ).first()
    return previous is not None


def greeting_for(turn: Turn, intent: Intent, text: str) -> str:
    """How to open a reply in a new conversation (nothing when the client is mid-chat)."""
    if not contains_greeting(text) and _recently_talked(turn):
        return ""
    if intent in (Intent.PRICE, Intent.OTHER_QUESTION):
        return "Hola, gracias por escribir."
    name = replies.first_name(turn.client.name if turn.client else None)
    if name:
        return f"Hola, {name} 👋"
    return replies.welcome(turn.clinic_name)


def open_conversation(turn: Turn) -> None:
    """IDLE: greet and handle the request at once (spec §3.1).

    A new number becomes a client on its first message (spec §7.1), named
    from what it says ("soy …") or from its WhatsApp profile name; a missing
    name is asked once, at the booking summary, never as a first question.
    """
    if not turn.move(State.GREETING):
        return
    turn.data["clinic_phone"] = turn.message.to_phone
    if turn.client is None:
        said = turn.understanding.client_name
        turn.ensure_client(said or profile_name(turn.message.profile_name))
        if said and turn.move(State.INTENT_DETECTION):
            handle(turn, prefix=f"Hola, {replies.first_name(said)} 👋 Mucho gusto.")
            return
    if turn.move(State.INTENT_DETECTION):
        handle(turn, greet=True)


def profile_name(raw: str | None) -> str | None:
    """The WhatsApp display name when it reads as a person's name ("Cami 🌸" does not)."""
    return extract_name_reply(raw) if raw else None


def on_name(turn: Turn) -> None:
    """GREETING: the reply to "¿Me regalas tu nombre?"; the client is created either way (asked once)."""
    name = turn.understanding.client_name or identity.name_reply(turn, turn.text)
    turn.ensure_client(name)
    original = str(turn.data.pop("pending_text", "") or "")
    if not turn.move(State.INTENT_DETECTION):
        return
    reply_intent = turn.understanding.intent
    use_reply = reply_intent not in (Intent.UNKNOWN, Intent.GREETING) or not original
    text = turn.text if use_reply else original
    understanding = turn.understanding if use_reply else Understanding(original)
    _remember_pet_from(turn, original)
    handle(turn, text=text, understanding=understanding, prefix=replies.nice_to_meet(name))


def _remember_pet_from(turn: Turn, text: str) -> None:
    mention = extract_pet(text) if text else None
    if mention and mention.name and turn.client is not None:
        pet = clients.add_pet(turn.session, turn.client, name=mention.name, species=mention.species)
        turn.data["pet_id"] = str(pet.id)
        turn.data["pet_name"] = pet.name
    if mention and mention.species:
        turn.data["pet_species"] = mention.species


def handle(
    turn: Turn,
    *,
    text: str | None = None,
    understanding: Understanding | None = None,
    prefix: str = "",
    greet: bool = False,
) -> None:
    """INTENT_DETECTION: act on what the client wants."""
    answering = text is None  # the client's own message may answer a pending question
    text = turn.text if text is None else text
    understanding = understanding or turn.understanding
    if answering and appointments.handle_pending(turn):
        return
    intent = understanding.intent
    if intent == Intent.OTHER_QUESTION and _asks_for_a_free_moment(turn, text):
        intent = Intent.BOOK  # "¿mañana antes de las 10 tienen algo?"
    side = ""
    if intent in (Intent.PRICE, Intent.OTHER_QUESTION) and _also_books(text):
        # "turno para vacunar a Lolo el lunes, ¿y cuánto sale?": the question, then the booking
        side, intent = _side_answer(turn, text, intent), Intent.BOOK
    elif intent == Intent.BOOK:
        side = _side_answer(turn, text, Intent.OTHER_QUESTION)  # "¿dónde quedan? y quiero turno"
    if greet and not prefix:
        prefix = greeting_for(turn, intent, text)
    if side:
        prefix = f"{prefix}\n{side}" if prefix else side
    if prefix:
        turn.data["greeted"] = True
    if intent == Intent.BOOK:
        booking_flow.start(turn, text=text, prefix=prefix)
    elif intent == Intent.RESCHEDULE:
        appointments.start_reschedule(turn, prefix)
    elif intent == Intent.CANCEL:
        appointments.start_cancel(turn, prefix)
    elif intent == Intent.MY_APPOINTMENTS:
        appointments.tell(turn, prefix)
    elif intent in (Intent.PRICE, Intent.OTHER_QUESTION):
        _answer_question(turn, intent, text, prefix)
    elif intent == Intent.THANKS:
        turn.quiet()
        turn.say(replies.thanks_reply())
    elif intent == Intent.GREETING:
        turn.say((prefix or replies.welcome(turn.clinic_name)) + "\n" + replies.how_can_i_help())
    elif understanding.yes_no == YesNo.NO:
        turn.quiet()
        turn.say(replies.goodbye())
    elif understanding.yes_no == YesNo.YES and len(text.split()) <= 3:
        turn.quiet()
        turn.say("¡Listo! Si necesitas algo más, aquí estoy 🐾")
    else:
        turn.say((prefix + "\n" if prefix else "") + replies.did_not_understand())


_WHICH_DAYS = re.compile(r"\b(?:que|k|q|cuales) dias\b")
_ANYTHING_FREE = re.compile(
    r"\b(?:tienen|tiene|tienes|teni|tenis|tendran|tendra|hay|habra|habria|queda|quedan)\s+"
    r"(?:algo|alguito|lugar|lugarcito|chance|chancecito|campo|campito|espacio|espacito|"
    r"alguna hora|algun horario|algun turno|algun cupo)\b"
    r"|\bse (?:puede|podra|podria)\b|\b(?:me|lo|la) (?:pueden|podrian|alcanzan a) (?:atender|ver)\b"
    # "¿a las 11 tienen?", "¿a las 10 y media puede ser?"
    r"|\b(?:tienen|tiene|tienes|teni|tenis|hay|habra|puede ser|podria ser|sera posible|"
    r"es posible|se podra)$"
)


def _also_books(text: str) -> bool:
    """Whether one of the message's clauses asks for an appointment."""
    return any(detect_intent(part) == Intent.BOOK for part in _PARTS.split(text) if part.strip())


def _side_answer(turn: Turn, text: str, intent: Intent) -> str:
    """A short answer to a question asked beside a booking request (price, address, phone)."""
    normalized = f" {normalize(text)} "
    if intent == Intent.PRICE:
        return f"Los precios te los confirman en el consultorio: {turn.clinic_phone}."
    if turn.tenant.address and any(f" {w} " in normalized for w in _ADDRESS):
        return replies.where_we_are(turn.tenant.address)
    return ""


_PARTS = re.compile(r"[?¿.!;,\n]|\by\b|\be\b")


def _asks_for_a_free_moment(turn: Turn, text: str) -> bool:
    """ "¿Tienen algo el viernes?": a question about a free moment is a booking request."""
    return bool(_ANYTHING_FREE.search(canonical_text(text))) and (
        booking_flow.moment_in(turn, text) is not None
    )


def _answer_question(turn: Turn, intent: Intent, text: str, prefix: str) -> None:
    lead = prefix + "\n" if prefix else ""
    normalized = f" {normalize(text)} "
    turn.data["pending"] = {"kind": "offer_booking"}
    if intent == Intent.PRICE:
        turn.say(lead + replies.price_redirect(turn.clinic_phone))
    elif turn.tenant.address and any(f" {w} " in normalized for w in _ADDRESS):
        turn.say(lead + replies.address_answer(turn.tenant.address))
    elif any(f" {w} " in normalized for w in _PHONE) and turn.clinic_phone:
        turn.say(lead + replies.phone_answer(turn.clinic_phone))
    elif any(f" {w} " in normalized for w in _HOURS) and replies.hours_lines(
        turn.tenant.business_hours
    ):
        hint = booking_flow.moment_in(turn, text)
        lines = replies.hours_lines(turn.tenant.business_hours)
        if hint is not None and hint.days:  # "¿abren el sábado?", "¿a qué hora atienden mañana?"
            day = hint.days[0]
            answer = replies.hours_on(turn.tenant.business_hours, day, turn.today)
            if _WHICH_DAYS.search(normalized):  # "¿qué días atienden? ¿el domingo también?"
                answer += "\n\nNuestro horario de atención es:\n" + "\n".join(lines)
            turn.say(lead + answer + "\n\n¿Te gustaría agendar una cita?")
        else:
            turn.say(lead + replies.hours_answer(lines))
    else:
        turn.say(lead + replies.question_redirect(turn.clinic_phone))


def on_completed(turn: Turn) -> bool:
    """COMPLETED: a thanks or an "ok" gets one friendly answer; anything else starts anew.

    Returns False when the turn must continue in a new conversation.
    """
    understanding = turn.understanding
    text = turn.text.strip()
    if turn.data.get("name_asked") and not turn.data.get("name_thanked"):
        unnamed = turn.client is None or not turn.client.name
        name = understanding.client_name or (identity.name_reply(turn, text) if unnamed else None)
        if name:  # the name asked at the summary, sent after the "sí" (stored once, by whoever)
            turn.ensure_client(name)
            turn.data["name_thanked"] = True
            turn.say(f"¡Gracias, {replies.first_name(name)}! La cita quedó a tu nombre 🐾")
            return True
    courtesy = (
        understanding.intent in (Intent.THANKS, Intent.GREETING)
        or (understanding.yes_no == YesNo.YES and len(text.split()) <= 3)
        or not normalize(text)
    )
    if courtesy:
        if not turn.data.get("thanked") and text:
            turn.data["thanked"] = True
            turn.say(replies.thanks_reply())
        return True
    return False


def on_reminder_answer(turn: Turn) -> None:
    """REMINDER: the client is back; resume the booking they left or handle the new request."""
    resume = turn.data.pop("resume", None)
    original = turn.data.pop("resume_text", None)
    if not turn.move(State.INTENT_DETECTION):
        return
    intent = turn.understanding.intent
    if original and (
        intent in (Intent.UNKNOWN, Intent.GREETING) or turn.understanding.yes_no == YesNo.YES
    ):
        handle(turn, text=str(original), understanding=Understanding(str(original)))
        return
    booking_pending = resume in {
        s.value
        for s in (State.ASK_REASON, State.OFFER_SLOTS, State.AWAIT_SELECTION, State.CONFIRM_BOOKING)
    }
    if (
        not booking_pending
        and turn.understanding.yes_no == YesNo.YES
        and intent not in (Intent.CANCEL, Intent.RESCHEDULE)
        and appointments.confirm_attendance(turn)
    ):
        return
    if (
        booking_pending
        and turn.data.get("flow") in ("book", "reschedule")
        and intent in (Intent.BOOK, Intent.UNKNOWN, Intent.GREETING, Intent.THANKS)
        and turn.understanding.yes_no != YesNo.NO
    ):
        booking_flow.resume(turn)
        return
    handle(turn)
