"""The client's existing appointments by chat: "¿cuándo es mi cita?", cancel, reschedule.

Cancelling asks for a yes first and goes through `booking.cancel`; moving uses
the booking states (offers → choice → "¿confirmas el cambio?") and
`booking.reschedule`. With several upcoming appointments the client picks one
first ("la 2", "la del viernes").
"""

from __future__ import annotations

import re
from dataclasses import replace

from sqlmodel import Session, col, select

from backend.domain.appointment_rules import Priority, Status
from backend.domain.errors import DomainError
from backend.domain.language import Intent, WhenHint, YesNo, normalize
from backend.models import Appointment, Client, StaffUser
from backend.services.assistant import replies
from backend.services.assistant.context import Turn, uuid_or_none
from backend.services.assistant.flows import booking as booking_flow
from backend.services.assistant.flows import identity
from backend.services.scheduling import booking

MAX_LISTED = 5


def upcoming(session: Session, client: Client | None, now) -> list[Appointment]:  # type: ignore[no-untyped-def]
    if client is None:
        return []
    return list(
        session.exec(
            select(Appointment)
            .where(
                Appointment.client_id == client.id,
                col(Appointment.status).in_([Status.PENDING, Status.CONFIRMED]),
                Appointment.priority == Priority.NORMAL,
                col(Appointment.start_at) > now,
            )
            .order_by(col(Appointment.start_at))
            .limit(MAX_LISTED)
        )
    )


def line(turn: Turn, appointment: Appointment, *, with_doctor: bool = True) -> str:
    doctor = turn.session.get(StaffUser, appointment.doctor_id) if with_doctor else None
    return replies.appointment_line(
        turn.local(appointment.start_at),
        turn.today,
        doctor.full_name if doctor else None,
        appointment.reason,
    )


def tell(turn: Turn, prefix: str = "") -> None:
    """Answers "¿cuándo es mi cita?" with date and time in the clinic's zone."""
    found = upcoming(turn.session, turn.client, turn.now)
    pet = identity.pet_named_in(turn, turn.text)
    if pet is not None and any(a.pet_id == pet.id for a in found):
        found = [a for a in found if a.pet_id == pet.id]
    lead = prefix + "\n" if prefix else ""
    if not found:
        turn.data["pending"] = {"kind": "offer_booking"}
        turn.say(lead + replies.no_upcoming())
        return
    turn.quiet()
    turn.say(lead + replies.upcoming([line(turn, a) for a in found]))


def start_cancel(turn: Turn, prefix: str = "") -> None:
    _start(turn, "cancel", prefix)


def start_reschedule(turn: Turn, prefix: str = "") -> None:
    _start(turn, "reschedule", prefix)


def _reminded(turn: Turn, found: list[Appointment]) -> list[Appointment]:
    """The appointments a reminder conversation is about (none in other conversations)."""
    named = {str(i) for i in turn.data.get("reminder_appointment_ids") or []}
    if turn.data.get("reminder_appointment_id"):
        named.add(str(turn.data["reminder_appointment_id"]))
    return [a for a in found if str(a.id) in named]


def _about(turn: Turn, found: list[Appointment]) -> list[Appointment]:
    """The appointments this conversation is about (a reminder names its own), else all."""
    return _reminded(turn, found) or found


def confirm_attendance(turn: Turn) -> bool:
    """A "sí" to an appointment reminder: confirms a pending appointment; False if not about one."""
    chosen = _reminded(turn, upcoming(turn.session, turn.client, turn.now))
    if len(chosen) != 1:
        return False
    appointment = chosen[0]
    if appointment.status == Status.PENDING:
        try:
            with turn.session.begin_nested():
                booking.confirm(
                    turn.session,
                    tenant=turn.tenant,
                    actor=turn.actor,
                    appointment_id=appointment.id,
                    expected_version=None,
                )
        except DomainError:
            return False
    turn.quiet()
    turn.say(
        f"¡Perfecto! Tu cita {line(turn, appointment, with_doctor=False)} quedó confirmada. ¡Te esperamos! 🐾"
    )
    return True


def _named(turn: Turn, found: list[Appointment]) -> list[Appointment]:
    """The appointments the request itself points at ("cancelar la del martes", "la de Toby")."""
    text = turn.text
    narrowed = found
    pet = identity.pet_named_in(turn, text)
    if pet is not None:
        narrowed = [a for a in narrowed if a.pet_id == pet.id] or narrowed
    hint = booking_flow.moment_in(turn, text) if text.strip() else None
    if hint is not None and hint.days:
        narrowed = [a for a in narrowed if turn.local(a.start_at).date() in hint.days] or narrowed
    if hint is not None and hint.times:
        narrowed = [
            a for a in narrowed if turn.local(a.start_at).time().replace(second=0) in hint.times
        ] or narrowed
    return narrowed


_NEW_MOMENT_LEAD = re.compile(
    r"\s(?:para|pa|al|pal|a)\s+(?=(?:(?:el|la|este|esta|otro|otra|pr[oó]ximo|pr[oó]xima)\s+){0,2}"
    r"(?:lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo|ma[nñ]ana|hoy|pasado|"
    r"semana|\d))",
    re.IGNORECASE,
)
_LOSS = re.compile(
    r"\b(?:se (?:nos |me )?muri\w*|muri\w*|falleci\w*|se (?:nos |me )?fue al cielo|"
    r"ya no esta con nosotros|lo perdimos|la perdimos|lo tuvimos que dormir|la tuvimos que dormir|"
    r"la dormimos|lo dormimos|eutanasi\w*)\b"
)
_SAME_TIME = re.compile(r"\b(?:a la |en la |con la )?misma hora\b|\bmismo horario\b")
_ALL = re.compile(r"\b(?:las dos|los dos|ambas|ambos|todas|todos|las \d+|las tres|los tres)\b")


def _ask_cancel_all(turn: Turn, found: list[Appointment], lead: str = "") -> None:
    """ "Cancelen las dos": every one listed, after one yes."""
    turn.data["pending"] = {
        "kind": "confirm_cancel_all",
        "ids": [str(a.id) for a in found],
        "versions": {str(a.id): a.version for a in found},
    }
    lines = "\n".join(f"• {line(turn, a, with_doctor=False)}" for a in found)
    turn.say(
        f"{lead}Estas son tus citas:\n{lines}\n\n¿Confirmas que quieres cancelarlas todas? (Sí/No)"
    )


def _cancel_all(turn: Turn, found: list[Appointment], versions: dict) -> None:
    done: list[str] = []
    for appointment in found:
        text = line(turn, appointment, with_doctor=False)
        if _cancelled(turn, appointment, versions.get(str(appointment.id))):
            done.append(text)
    if len(done) < len(found):
        turn.say(
            f"Cancelé {len(done)} de tus {len(found)} citas; las otras cambiaron hace un momento. "
            f"Por favor llama al consultorio ({turn.clinic_phone}) y lo revisamos."
        )
        return
    turn.data["pending"] = {"kind": "offer_booking"}
    turn.say(
        "Listo, cancelé tus citas:\n"
        + "\n".join(f"• {t}" for t in done)
        + "\n\n¿Quieres agendar otra fecha?"
    )


def _start(turn: Turn, action: str, prefix: str) -> None:
    found = _about(turn, upcoming(turn.session, turn.client, turn.now))
    lead = prefix + "\n" if prefix else ""
    if action == "cancel" and len(found) > 1 and _ALL.search(normalize(turn.text)):
        _ask_cancel_all(turn, found, lead)
        return
    if len(found) > 1:
        found = _named(turn, found)
    if not found:
        turn.data["pending"] = {"kind": "offer_booking"}
        turn.say(lead + replies.no_upcoming())
        return
    if len(found) == 1:
        _act_on(turn, action, found[0], lead, request=turn.text)
        return
    turn.data["pending"] = {
        "kind": "choose_appointment",
        "action": action,
        "ids": [str(a.id) for a in found],
        "request": turn.text[:300],  # "…para el jueves" still counts once the one is chosen
    }
    verb = "cancelar" if action == "cancel" else "cambiar"
    turn.say(lead + replies.choose_appointment([line(turn, a) for a in found], verb))


def _act_on(
    turn: Turn, action: str, appointment: Appointment, lead: str = "", *, request: str = ""
) -> None:
    """Asks to confirm a cancellation, or offers new slots for a move (at the moment the
    request named: "¿la podemos pasar para el martes?")."""
    if action == "cancel":
        loss = bool(_LOSS.search(normalize(f"{request} {turn.text}")))
        turn.data["pending"] = {
            "kind": "confirm_cancel",
            "appointment_id": str(appointment.id),
            "version": appointment.version,
            "loss": loss,
        }
        sorry = "Lo sentimos muchísimo 💙.\n" if loss else ""
        turn.say(lead + sorry + replies.confirm_cancel(line(turn, appointment)))
        return
    turn.data.pop("pending", None)
    booking_flow.forget_when(turn)
    turn.data.update(
        {
            "flow": "reschedule",
            "appointment_id": str(appointment.id),
            "appointment_version": appointment.version,
            "doctor_id": str(appointment.doctor_id),
            "reason": appointment.reason,
            "seen": [],
        }
    )
    moment = booking_flow.moment_in(turn, _new_moment_in(turn, appointment, request))
    if moment is not None and not moment.times and _SAME_TIME.search(normalize(request)):
        moment = replace(moment, times=(turn.local(appointment.start_at).time(),), hours=None)
    if moment is not None:
        if not moment.days:  # "cambiar la hora… mejor en la tarde": the same day, another time
            booking_flow.remember_hint(
                turn, WhenHint(days=(turn.local(appointment.start_at).date(),))
            )
        booking_flow.remember_hint(turn, moment)
    booking_flow.offer_slots(
        turn,
        lead=lead
        + f"Claro, cambiemos tu cita {line(turn, appointment, with_doctor=False)}. Tengo disponibilidad:",
        exclude=(appointment.start_at,),
    )


def _new_moment_in(turn: Turn, appointment: Appointment, text: str) -> str:
    """The new moment a move request names: what follows "para" ("ya no puedo ir mañana, ¿la
    pasamos para el martes?"); without one, the text unless it only names the current day."""
    if not text.strip():
        return ""
    found = list(_NEW_MOMENT_LEAD.finditer(text))
    if found:
        return text[found[-1].end() :]
    hint = booking_flow.moment_in(turn, text)
    if hint is not None and turn.local(appointment.start_at).date() in hint.days:
        return ""  # "cambiar mi cita de mañana": that is the appointment, not the new day
    return text


def handle_pending(turn: Turn) -> bool:
    """Answers to a question asked in INTENT_DETECTION; False when the message is about something else."""
    pending = turn.data.get("pending")
    if not isinstance(pending, dict):
        return False
    kind = pending.get("kind")
    answer = turn.understanding.yes_no
    if kind == "offer_booking":
        turn.data.pop("pending", None)
        if turn.understanding.intent == Intent.THANKS:  # "ya, gracias" is a goodbye, not a yes
            turn.quiet()
            turn.say(replies.thanks_reply())
            return True
        if answer == YesNo.YES:
            booking_flow.start(turn, text=turn.text)
            return True
        if answer == YesNo.NO:
            turn.quiet()
            turn.say(replies.goodbye())
            return True
        return False
    if kind == "confirm_cancel":
        appointment = turn.session.get(Appointment, uuid_or_none(pending.get("appointment_id")))
        if appointment is None:
            turn.data.pop("pending", None)
            return False
        if answer == YesNo.YES:
            turn.data.pop("pending", None)
            _cancel(turn, appointment, pending.get("version"), loss=bool(pending.get("loss")))
            return True
        if answer == YesNo.NO:
            turn.data.pop("pending", None)
            turn.quiet()
            turn.say(replies.kept(line(turn, appointment, with_doctor=False)))
            return True
        turn.say(
            f"¿Confirmas que quieres cancelar tu cita {line(turn, appointment, with_doctor=False)}? "
            "Responde Sí o No."
        )
        return True
    if kind == "choose_appointment":
        ids = [uuid_or_none(i) for i in pending.get("ids", [])]
        found = [a for a in (turn.session.get(Appointment, i) for i in ids if i) if a is not None]
        action = pending.get("action", "cancel")
        if action == "cancel" and len(found) > 1 and _ALL.search(normalize(turn.text)):
            _ask_cancel_all(turn, found)
            return True
        index = (
            turn.understanding.choice([a.start_at for a in found], now=turn.now, tz=turn.tz)
            if found
            else None
        )
        named = _named(turn, found) if index is None and found else found
        if index is None and len(named) == 1:  # "la de Luna", "la del viernes"
            index = found.index(named[0])
        if index is None:
            if answer == YesNo.NO:
                turn.data.pop("pending", None)
                turn.quiet()
                turn.say(replies.goodbye())
                return True
            turn.say("¿Cuál de tus citas? Respóndeme con el número (1, 2…) o con el día.")
            return True
        turn.data.pop("pending", None)
        _act_on(turn, action, found[index], request=str(pending.get("request") or ""))
        return True
    if kind == "confirm_cancel_all":
        ids = [uuid_or_none(i) for i in pending.get("ids", [])]
        chosen = [a for a in (turn.session.get(Appointment, i) for i in ids if i) if a is not None]
        if answer == YesNo.YES:
            turn.data.pop("pending", None)
            _cancel_all(turn, chosen, pending.get("versions", {}))
            return True
        if answer == YesNo.NO:
            turn.data.pop("pending", None)
            turn.quiet()
            turn.say("Entendido, tus citas siguen en pie. ¡Te esperamos! 🐾")
            return True
        turn.say(f"¿Confirmas que quieres cancelar tus {len(chosen)} citas? Responde Sí o No.")
        return True
    turn.data.pop("pending", None)
    return False


def _cancelled(turn: Turn, appointment: Appointment, version: object) -> bool:
    """Cancels it at the version the client saw; False when it changed meanwhile."""
    try:
        with turn.session.begin_nested():
            booking.cancel(
                turn.session,
                tenant=turn.tenant,
                actor=turn.actor,
                notify_client=False,  # this chat tells the client itself
                appointment_id=appointment.id,
                expected_version=version if isinstance(version, int) else None,
                reason="Cancelada por el cliente por WhatsApp",
            )
    except DomainError:
        return False
    return True


def _cancel(turn: Turn, appointment: Appointment, version: object, *, loss: bool = False) -> None:
    text = line(turn, appointment, with_doctor=False)
    if not _cancelled(turn, appointment, version):
        turn.say(
            "No pude cancelar la cita porque cambió hace un momento. "
            f"Por favor llama al consultorio ({turn.clinic_phone}) y lo revisamos."
        )
        return
    if loss or _LOSS.search(normalize(turn.text)):  # "…se murió mi gatito": no new date offered
        turn.quiet()
        turn.say(replies.cancelled_after_loss(text))
        return
    turn.data["pending"] = {"kind": "offer_booking"}
    turn.say(replies.cancelled(text))
