"""Booking (and moving) an appointment by chat: reason → offers → choice → summary → "sí".

Only an explicit yes writes, and it writes through `services.booking` like
every other channel (source whatsapp, status confirmed, the assistant as
actor, the conversation linked). If the slot went to someone else meanwhile,
the client gets an apology and fresh offers.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from backend.domain.appointment_rules import Source, Status
from backend.domain.conversation_states import State
from backend.domain.errors import DomainError, StaleVersion
from backend.domain.language import YesNo, extract_pet, normalize, parse_when
from backend.domain.language.normalize import TYPOS
from backend.domain.language.when import Shift, WhenHint
from backend.domain.service_matching import BookableService
from backend.models import Appointment, StaffUser
from backend.services.assistant import replies, slots
from backend.services.assistant.context import Turn, uuid_or_none
from backend.services.assistant.flows import identity
from backend.services.assistant.slots import Offer
from backend.services.patients import clients
from backend.services.scheduling import booking, services_catalog

_BECAUSE = re.compile(
    r"\b(?:porque|por que|xq|pq|x q|ya que|es que|debido a que)\s+(?P<reason>.{6,})$",
    re.IGNORECASE,
)
_CONTROL_OF = re.compile(
    r"\b(?:control|chequeo) (?:de|del) (?:la |el |los |las |su |sus )?(?P<what>\w+)"
    r"|\brevision (?:de|del) (?:la |el |los |las |su |sus )(?P<part>\w+)"
)
_ROUTINE = frozenset("rutina general anual peso vacunas vacuna sano cachorro cachorros".split())
_REASON_LEAD = re.compile(r"\s(?:que|para|pa|porque|pq|xq)\s", re.IGNORECASE)
_SERVICES = (
    (
        re.compile(r"\bcontrol (?:post|pos|postoperatorio|posoperatorio|despues de)\b"),
        "Control posoperatorio",
    ),
    (
        re.compile(r"\b(?:corte|cortar|cortarle|corten|cortada) (?:de |las |sus )?unas\b"),
        "Corte de uñas",
    ),
    (re.compile(r"\bdesparasit"), "Desparasitación"),
    (re.compile(r"\b(?:esteril|castra|castre|castrar)"), "Esterilización"),
    (re.compile(r"\bbano medicad[oa]\b"), "Baño medicado"),
    (re.compile(r"\b(?:bano|banar|peluqueria|motilar|corte de pelo)\b"), "Baño y peluquería"),
    (re.compile(r"\b(?:limpieza dental|profilaxis)\b"), "Limpieza dental"),
    (re.compile(r"\b(?:control|chequeo|valoracion general)\b"), "Control general"),
    (
        re.compile(
            r"\b(?:su|una|la|para|de) (?:revision|revisada|revisadita)\b|\brevision general\b"
            r"|\b(?:revision|revisada|revisadita)(?: general)?$"
        ),
        "Revisión general",
    ),
)
_SERVICE_LABELS = frozenset(label for _, label in _SERVICES)
_CLAUSES = re.compile(r"[,.;?!¿¡\n]+")
_SHORT_SYMPTOM = frozenset(
    "tiene esta anda no vomita cojea tose sangra le se amanecio lleva sigue trae".split()
)
_SYMPTOM_WORDS = re.compile(
    r"\b(?:tiene|tien|esta|anda|trae|amanecio|sigue|lleva|le (?:pica|duele|sale|salio|sangra)|"
    r"se (?:rasca|queja|lame|cayo)|no (?:come|quiere|puede|camina|se)|vomit\w*|diarrea|cojea\w*|"
    r"tos|tose|sangr\w*|pica|rasca|herida|bolita|ojo|ojito|oreja|piel|pulgas|garrapatas|decaid\w*|"
    r"fiebre|dolor|inflamad\w*|hinchad\w*|estornud\w*|mocos|llaga|roncha|caida|pelo|"
    r"(?:le |la |lo )?(?:revisen|revise|miren|mire|vean|chequeen|examinen) (?:los|las|el|la|su|sus)|"
    r"dientes|muela\w*|encias|boca|oidos?|ojos|nariz|patas?|patita\w*|cola|unas|panza|barriga|"
    r"estomago|lunar|verruga|revisarle|revisarlo|revisarla|chequearle|ronchas?|ronchitas?|"
    r"no quiere|decaid\w*|triste|rasca\w*)\b"
)
_NOT_A_REASON = re.compile(
    r"^(?:(?:mira|mire|oye|oiga|fijate|fijese)?\s*(?:te|le|les) (?:cuento|comento|escribo)|"
    r"(?:que )?pena(?: con usted| molestar| la hora)?|disculp\w*|perdon\w*|molestar\w*|"
    r"(?:no es|no creo que sea) (?:nada |una |un )?(?:grave|urgente|urgencia|emergencia)|"
    r"(?:el|la|mi) \w+ (?:esta|sigue) bien|\w+ respira bien|todo bien|"
    r"(?:podria|puede|seria|sera|puedo) (?:ser|ir|llevarlo|llevarla|pedir)\b)"
)
"""A two-word clause is a reason when it starts like a symptom ("tiene diarrea", "no come")."""
_REQUEST_WORDS = re.compile(
    r"\b(?:cita|citas|turno|agendar|agenda|reservar|reserva|consulta|hola|buenas|buenos|gracias|"
    r"favor|porfa|quiero|necesito|quisiera|necesitamos|queremos|podrian|pueden|tienen)\b"
)
_JUST_WHO = re.compile(
    r"^(?:(?:es |son )?(?:para|de) |(?:es|son) (?:mi|mis|el|la|nuestro|nuestra) |mi nombre|"
    r"me llamo|soy |te habla|le habla|les habla|habla |"
    r"el (?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)|hoy|manana|pasado manana|"
    r"esta semana|la proxima|el proximo|en la (?:manana|tarde|noche)|a las? )"
)
_BARE_NO = re.compile(
    r"^(?:no|nop|nope|nel|naa|no gracias|no por ahora|no todavia|no aun|ahora no|"
    r"no mejor no|no ya no|mejor no|no no)$"
)
_BARE_OPTION = re.compile(
    r"^(?:(?:la|el|opcion|option|numero|n)\s+)?(?:\d|primera|primero|segunda|segundo|tercera|"
    r"tercero|ultima|ultimo|uno|una|dos|tres)$"
)
_VACCINE = re.compile(r"\b(?:vacun\w*|bacun\w*)")
_VACCINE_NAMES = re.compile(
    r"\b(?:rabia|rabica|antirrabica|multiple|quintuple|sextuple|octuple|cuadruple|polivalente|"
    r"leishmania|giardia|triple felina|triple|leucemia|parvo\w*|"
    r"moquillo|tos de las perreras|bordetella|puppy|refuerzo)\b"
)


_VACCINE_GIVEN = re.compile(
    r"\b(?:desde|despues de|tras|luego de)\s+(?:\w+\s+){0,2}?(?:vacun\w*|bacun\w*)"
)
"""A vaccine told as what happened ("vomita desde la vacuna de ayer"), not asked for."""
_VACCINE_ALONE = re.compile(
    r"\b(?:antirrabica|antirabica|quintuple|sextuple|octuple|polivalente|triple felina)\b"
)
"""A vaccine's own name, which asks for it without the word "vacuna"."""


def reason_in(text: str) -> tuple[str | None, bool]:
    """(reason the booking request already states, whether it is an unspecified vaccine)."""
    normalized = normalize(text)
    asked = len(_VACCINE.findall(normalized)) > len(_VACCINE_GIVEN.findall(normalized))
    if asked or _VACCINE_ALONE.search(normalized):
        named = list(dict.fromkeys(_VACCINE_NAMES.findall(normalized)))  # "refuerzo", "rabia"
        return (f"Vacunación ({', '.join(named)})", False) if named else (None, True)
    checked = _CONTROL_OF.search(normalized)  # "control de la pata": the part checked is the reason
    if checked and (checked.group("what") or checked.group("part")) not in _ROUTINE:
        return replies.reason_label(checked.group(0)), False
    for pattern, label in _SERVICES:
        if pattern.search(normalized):
            return label, False
    because = _BECAUSE.search(text.strip())
    if because:
        return replies.reason_label(because.group("reason")), False
    return _symptom_clause(text), False


def _symptom_clause(text: str) -> str | None:
    """The clause of the request that describes the problem ("…, está estornudando mucho").

    Courtesies ("qué pena molestar"), reassurances ("el perro está bien") and
    moments ("¿podría ser mañana?") are no reason; a clause with a symptom wins
    over one without, and "un turno para el perro que le pica la oreja" gives
    its tail after "que".
    """
    candidates: list[str] = []
    for clause in _CLAUSES.split(text):
        clause = clause.strip()
        normalized = normalize(clause)
        canonical = " ".join(TYPOS.get(w, w) for w in normalized.split())  # "nesecito una sita"
        if _REQUEST_WORDS.search(canonical) or _JUST_WHO.match(canonical):
            # "…una cita para mi gato QUE NO QUIERE COMER", "…para revisarle los oídos a Coco"
            tails = [clause[m.end() :] for m in _REASON_LEAD.finditer(clause)]
            tail = next((t for t in reversed(tails) if _SYMPTOM_WORDS.search(normalize(t))), None)
            if tail is None:
                continue
            clause, normalized = tail.strip(), normalize(tail)
        words = normalized.split()
        if len(words) < 2 or (len(words) == 2 and words[0] not in _SHORT_SYMPTOM):
            continue
        if _NOT_A_REASON.match(normalized):
            continue
        if not _SYMPTOM_WORDS.search(normalized) and _names_a_moment(clause):
            continue  # "el día de mañana a las diez", "¿hay algo a las 3?"
        candidates.append(clause)
    for clause in candidates:
        if _SYMPTOM_WORDS.search(normalize(clause)):
            return replies.reason_label(clause)
    return replies.reason_label(candidates[0]) if candidates else None


@lru_cache(maxsize=4096)
def _names_a_moment(text: str) -> bool:
    return parse_when(text, now=_ANY_DAY, tz="UTC") is not None


_ANY_DAY = datetime(2000, 1, 3, 12, tzinfo=UTC)  # only whether a moment is named matters


def _remember_pet(turn: Turn, text: str | None = None) -> None:
    mention = turn.understanding.pet if text in (None, turn.text) else extract_pet(text)
    if mention is None or not mention.name:
        if identity.pet_named_in(turn, turn.text if text is None else text):
            return
    if mention is None:
        return
    if mention.species:
        turn.data["pet_species"] = mention.species
    if mention.name:
        turn.data["pet_name"] = mention.name
        client = turn.ensure_client()
        pet = clients.add_pet(turn.session, client, name=mention.name, species=mention.species)
        turn.data["pet_id"] = str(pet.id)


def start(turn: Turn, *, text: str, prefix: str = "") -> None:
    """From INTENT_DETECTION: ask the reason, or offer at once when it was already given."""
    for key in (
        "flow",
        "reason",
        "reason_text",
        "offers",
        "choice",
        "appointment_id",
        "appointment_version",
        "doctor_id",
        "awaiting_vaccine",
        "pending",
        "when_text",
        "pet_asked",
        "awaiting_pet",
    ):
        turn.data.pop(key, None)
    turn.data["flow"] = "book"
    forget_when(turn)
    remember_when(turn, text)
    _remember_pet(turn, text)
    if not turn.move(State.ASK_REASON):
        return
    reason, vaccine = reason_in(text)
    if reason is None and not vaccine and text == turn.text:
        reason = turn.understanding.reason_summary
    opening = (prefix + " " if prefix else "") + replies.start_booking()
    if vaccine:
        turn.data["awaiting_vaccine"] = True
        turn.say(f"{opening}\n{replies.ask_vaccine()}")
    elif reason:
        turn.data["reason"] = reason
        turn.data["reason_text"] = text[:500]
        opening = (prefix + " " if prefix else "") + "Con gusto te ayudo a agendar"
        if reason in _SERVICE_LABELS or reason.startswith("Vacunación"):
            what = f": {reason[:1].lower() + reason[1:]}"
        else:
            what = f" la cita de {turn.data['pet_name']}" if turn.data.get("pet_name") else ""
        offer_slots(turn, lead=f"{opening}{what}.\nTengo disponibilidad:")
    else:
        turn.say(f"{opening}\n{replies.ask_reason()}")


def on_reason(turn: Turn) -> None:
    """ASK_REASON: the client's answer is the reason (or a yes/no to "¿agendamos?")."""
    text = turn.text.strip()
    answer = turn.understanding.yes_no
    if turn.data.pop("pending", None) == "offer_regular":
        if answer == YesNo.YES:
            turn.data["reason"] = turn.data.get("emergency", {}).get("description") or "Revisión"
            offer_slots(turn, lead="Con gusto.\nTengo disponibilidad:")
            return
        if answer == YesNo.NO:
            turn.quiet()
            turn.say(replies.goodbye())
            return
    bare_option = bool(_BARE_OPTION.match(normalize(text)))
    if not text or (bare_option and not turn.data.get("awaiting_vaccine")):  # no offers yet
        turn.say(replies.ask_reason_again())
        return
    if answer == YesNo.NO and _BARE_NO.match(normalize(text)):  # not "no quiere comer"
        turn.quiet()
        turn.say(replies.goodbye())
        return
    awaiting_vaccine = bool(turn.data.get("awaiting_vaccine"))
    if remember_when(turn, text) is not None and not awaiting_vaccine:
        reason, vaccine = reason_in(text)
        if reason is None and not vaccine:  # only the moment ("para el jueves", "en la tarde")
            turn.say("Perfecto, lo tengo en cuenta. ¿Cuál es el motivo de la consulta?")
            return
    if turn.data.pop("awaiting_vaccine", False):
        named = _VACCINE_NAMES.findall(normalize(text))
        if named:
            reason = f"Vacunación ({', '.join(dict.fromkeys(named))})"
        elif (
            answer != YesNo.UNCLEAR or _names_a_moment(text) or _BARE_OPTION.match(normalize(text))
        ):
            reason = "Vacunación"  # "no sé", "la de las 10": not a vaccine's name, not asked again
        else:
            reason = f"Vacunación ({replies.reason_label(text).lower()})"
    elif (
        answer == YesNo.YES
        and len(text.split()) <= 4
        and not _SYMPTOM_WORDS.search(normalize(text))
    ):
        turn.say(replies.ask_reason_again())  # "Sí, por favor" is no reason
        return
    else:
        reason = replies.reason_label(text)
    _remember_pet(turn)
    turn.data["reason"] = reason[:500]
    turn.data["reason_text"] = text[:500]
    summary = turn.understanding.reason_summary
    lead = f"Entendido, {summary[:1].lower() + summary[1:]}." if summary else "Entendido."
    offer_slots(turn, lead=f"{lead}\nTengo disponibilidad:")


def _merge_when(old: WhenHint, new: WhenHint) -> WhenHint:
    """The booking's moment so far, updated by what the client just said.

    A new day replaces the day and keeps the time or part of day asked before
    ("a las 10" … "mejor el martes": the martes at 10); a new time or part of
    day keeps the day ("para el jueves" … "a las 10": the jueves at 10).
    """
    days = new.days or old.days
    day_range = new.day_range if new.days else old.day_range
    if new.times or new.hours is not None:
        return replace(new, days=days, day_range=day_range)
    return replace(
        new,
        days=days,
        day_range=day_range,
        times=old.times,
        hours=old.hours,
        part_of_day=old.part_of_day,
    )


def moment_in(turn: Turn, text: str) -> WhenHint | None:
    """The moment `text` names: the turn's full reading (Claude's too) for the message itself,
    the rules for any other text (a request remembered from earlier, part of a sentence)."""
    if text == turn.text:
        return turn.understanding.moment(now=turn.now, tz=turn.tz)
    return parse_when(text, now=turn.now, tz=turn.tz)


def draft_when(turn: Turn) -> WhenHint | None:
    """Every moment the client named in this booking, merged in order."""
    hints = [WhenHint.from_json(h) for h in turn.data.get("when_hints", [])]
    for text in turn.data.get("when_texts", []):  # drafts stored before hints were
        hint = parse_when(str(text), now=turn.now, tz=turn.tz)
        if hint is not None:
            hints.append(hint)
    merged: WhenHint | None = None
    for hint in hints:
        merged = hint if merged is None else _merge_when(merged, hint)
    return merged


def forget_when(turn: Turn) -> None:
    """Starts the booking's moment afresh (a new booking, a move of another appointment)."""
    turn.data.pop("when_hints", None)
    turn.data.pop("when_texts", None)


def remember_when(turn: Turn, text: str) -> WhenHint | None:
    """Adds what `text` says about the moment to the booking's draft; the merged moment."""
    hint = moment_in(turn, text)
    return None if hint is None else remember_hint(turn, hint)


def remember_hint(turn: Turn, hint: WhenHint) -> WhenHint | None:
    """Adds a moment to the booking's draft; the merged moment."""
    turn.data["when_hints"] = [*turn.data.get("when_hints", []), hint.to_json()][-5:]
    return draft_when(turn)


def _doctor_name(turn: Turn, doctor_id: object) -> str | None:
    doctor = turn.session.get(StaffUser, doctor_id) if doctor_id else None
    return doctor.full_name if doctor else None


def offer_slots(
    turn: Turn,
    *,
    lead: str,
    hint: WhenHint | None = None,
    exclude: tuple = (),
    empty_reply: str | None = None,
) -> bool:
    """Finds, holds and lists up to three slots; moves to OFFER_SLOTS. False when none are free."""
    doctors = slots.offer_doctors(turn.session, turn.tenant, _preferred_doctor(turn))
    seen = list(turn.data.get("seen", []))
    excluded = [datetime.fromisoformat(s) for s in seen] + list(exclude)
    preferred = hint
    if preferred is None:  # every moment named in this booking so far
        preferred = draft_when(turn)
    offers = _find(
        turn,
        doctors=doctors,
        hint=preferred,
        exclude=excluded,
    )
    if not offers and preferred is not None and hint is None:
        if preferred.days and (preferred.times or preferred.hours):  # that day, nearest times
            offers = _find(turn, doctors=doctors, hint=preferred, exclude=excluded, nearest=True)
        if not offers:
            offers = _find(turn, doctors=doctors, exclude=excluded)
        if offers:
            lead = lead.replace(
                "Tengo disponibilidad:",
                f"{_why_not(turn, preferred)} Las opciones más cercanas son:",
            )
    if not offers and excluded and hint is None:  # everything was seen: start over
        offers = _find(turn, doctors=doctors)
        seen = []
    if not offers:
        turn.quiet()
        turn.say(empty_reply or replies.no_slots(turn.clinic_phone))
        return False
    if hint is None and _exactly(turn, preferred, offers[0]):  # "el viernes 5 a las 10": free
        slots.hold(turn.session, turn.tenant, turn.conversation, offers[:1], now=turn.now)
        if turn.state == State.OFFER_SLOTS or turn.route_to(
            State.OFFER_SLOTS, avoid=(State.CONFIRM_EMERGENCY,)
        ):
            turn.move(State.AWAIT_SELECTION)
            opening = lead.replace("Tengo disponibilidad:", "").strip()
            _choose(turn, offers[:1], 0, opening=opening)
        return True
    if turn.state != State.OFFER_SLOTS and not turn.route_to(
        State.OFFER_SLOTS, avoid=(State.CONFIRM_EMERGENCY,)
    ):
        return False
    slots.hold(turn.session, turn.tenant, turn.conversation, offers, now=turn.now)
    turn.data["offers"] = [o.to_json() for o in offers]
    turn.data["seen"] = (seen + [o.start.isoformat() for o in offers])[-30:]
    turn.data.pop("choice", None)
    labels = [replies.offer_label(turn.local(o.start), turn.today) for o in offers]
    turn.say(f"{lead}\n\n{replies.slot_list(labels)}\n\n¿Cuál te funciona mejor?")
    return True


def _exactly(turn: Turn, moment: WhenHint | None, offer: Offer) -> bool:
    """Whether the offer is the one day and clock time the client asked for."""
    if moment is None or len(moment.days) != 1 or not moment.times:
        return False
    return moment.matches(turn.local(offer.start))


def _why_not(turn: Turn, hint: WhenHint) -> str:
    """Why nothing fits the moment asked for: closed that day, already past, or full."""
    hours = turn.tenant.business_hours or {}
    days = [d for d in hint.days if d >= turn.today]
    if days and all(not hours.get(str(d.weekday())) for d in days):
        if len(days) == 1:
            return f"El {replies.WEEKDAYS[days[0].weekday()]} no atendemos 😔."
        return "Esos días no atendemos 😔."
    if hint.days and not days:
        return "Esa fecha ya pasó 😔."
    if len(days) == 1 and (hint.times or hint.hours) and not _inside_opening(turn, days[0], hint):
        return replies.hours_on(hours, days[0], turn.today).replace(".", " 😔.", 1)
    if days == [turn.today]:
        local_now = turn.local(turn.now).time()
        periods = hours.get(str(turn.today.weekday())) or []
        opening = [t for t in hint.times if any(a <= t.strftime("%H:%M") < b for a, b in periods)]
        if opening and all(t <= local_now for t in opening):  # "a las 10" is 10 AM, not 10 PM
            return "Esa hora ya pasó 😔."
        closing = max((end for _, end in periods), default=None)
        if closing is not None and local_now.strftime("%H:%M") >= closing:
            return "Hoy ya cerramos 😔."
    return "Para ese momento ya no tengo espacio 😔."


def _inside_opening(turn: Turn, day: date, hint: WhenHint) -> bool:
    """Whether the time, or most of the hours, asked for lie within the clinic's opening hours
    that day (when not, the reply says them: "El sábado atendemos de 9:00 AM a 1:00 PM")."""
    periods = (turn.tenant.business_hours or {}).get(str(day.weekday())) or []
    if hint.times:
        return any(a <= t.strftime("%H:%M") < b for t in hint.times for a, b in periods)
    low, high = hint.hours or (0, 24)
    low, high = max(low, 7) * 60, max(min(high, 21), max(low, 7) + 1) * 60  # a waking day

    def minutes(clock: str) -> int:
        return int(clock[:2]) * 60 + int(clock[3:5])

    open_minutes = sum(max(0, min(high, minutes(b)) - max(low, minutes(a))) for a, b in periods)
    return open_minutes * 2 >= high - low  # mostly open: the time is taken, not closed


def _find(turn: Turn, **criteria: Any) -> list[Offer]:
    """Free slots for this chat (`slots.find_offers` with the turn's clinic, chat and clock),
    as long as the service asked for."""
    return slots.find_offers(
        turn.session,
        turn.tenant,
        turn.conversation,
        now=turn.now,
        service=_service(turn),
        **criteria,
    )


def _service(turn: Turn) -> BookableService | None:
    """The service being booked: the one the reason names, else the clinic's default; when
    moving an appointment, its own (still active) service."""
    if turn.data.get("flow") == "reschedule":
        appointment_id = uuid_or_none(turn.data.get("appointment_id"))
        current = turn.session.get(Appointment, appointment_id) if appointment_id else None
        if current is None or current.service_id is None:
            return None
        active = services_catalog.bookable_services(turn.session, turn.tenant.id)
        return next((s for s in active if s.id == current.service_id), None)
    reason = services_catalog.service_for_reason(
        turn.session, turn.tenant.id, turn.data.get("reason")
    )
    if reason is not None and not reason.is_default:
        return reason
    # the reason as summed up may drop what was asked for ("una ecografía, está preñada"
    # → "Está preñada"): the client's own words of it say it
    return (
        services_catalog.service_for_reason(
            turn.session, turn.tenant.id, turn.data.get("reason_text")
        )
        or reason
    )


def _offers(turn: Turn) -> list[Offer]:
    return [Offer.from_json(o) for o in turn.data.get("offers", [])]


def _choose(turn: Turn, offers: list[Offer], index: int, opening: str = "") -> None:
    """AWAIT_SELECTION → CONFIRM_BOOKING with the summary of the chosen slot."""
    turn.data["offers"] = [o.to_json() for o in offers]
    turn.data["choice"] = index
    offer = offers[index]
    if turn.state != State.CONFIRM_BOOKING and not turn.move(State.CONFIRM_BOOKING):
        return
    when = turn.local(offer.start)
    doctor = _doctor_name(turn, offer.doctor_id)
    if turn.data.get("flow") == "reschedule":
        appointment = turn.session.get(Appointment, uuid_or_none(turn.data.get("appointment_id")))
        old = turn.local(appointment.start_at) if appointment else when
        turn.say(
            (opening + "\n" if opening else "") + replies.reschedule_summary(old, when, doctor)
        )
        return
    _remember_pet(turn)  # "la primera, es para Toby"
    ask_name = turn.client is None or not turn.client.name
    if ask_name:
        ask_name = not turn.data.get("name_asked")
        turn.data["name_asked"] = True
    turn.data["awaiting_name"] = ask_name
    which_pet = [] if ask_name else _pets_to_ask(turn)
    turn.data["awaiting_pet"] = bool(which_pet)
    summary = replies.booking_summary(
        when,
        doctor,
        turn.data.get("reason"),
        turn.data.get("pet_name"),
        ask_name=ask_name,
        ask_pet=which_pet,
        service=service.label if (service := _service(turn)) else None,
    )
    if opening:  # "Con gusto te ayudo a agendar: control general.\nConfirmo tu cita:"
        summary = opening + "\n" + summary.removeprefix("Perfecto. ")
    turn.say(summary)


def _pets_to_ask(turn: Turn) -> list[str]:
    """The client's pets to choose from when the booking does not say which (asked once)."""
    if turn.client is None or turn.data.get("pet_id") or turn.data.get("pet_asked"):
        return []
    pets = clients.pets_of(turn.session, turn.client.id)
    species = turn.data.get("pet_species")
    candidates = [p for p in pets if p.species == species] if species else pets
    if len(candidates) < 2:
        return []
    turn.data["pet_asked"] = True
    return [p.name for p in candidates]


def on_selection(turn: Turn) -> None:
    """OFFER_SLOTS / AWAIT_SELECTION: which slot the client picked (or what else they want)."""
    if turn.state == State.OFFER_SLOTS and not turn.move(State.AWAIT_SELECTION):
        return
    offers = _offers(turn)
    understanding = turn.understanding
    if not offers:
        offer_slots(turn, lead="Te muestro los horarios disponibles:")
        return
    shift = understanding.shift if turn.text.strip() else None
    moment = understanding.moment(now=turn.now, tz=turn.tz) if shift is not None else None
    if shift is not None and (moment is None or not (moment.times or moment.hours)):
        if moment is not None:  # "¿algo más tarde hoy?": that day, after what was offered on it
            remember_hint(turn, moment)
        _offer_shifted(turn, offers, shift)
        return
    index = (
        understanding.slot_choice(offers, now=turn.now, tz=turn.tz) if turn.text.strip() else None
    )
    if index is not None:
        _choose(turn, offers, index)
        return
    if _takes_the_offer(turn):  # "sí", "dale", "esa me sirve"
        if len(offers) == 1:
            _choose(turn, offers, 0)
        else:
            choices = ", ".join(str(n) for n in range(1, len(offers))) + f" o {len(offers)}"
            turn.say(f"¡Perfecto! ¿Cuál de las opciones te sirve: {choices}?")
        return
    if understanding.wants_other_slots or understanding.rejects_offers:
        moment = remember_when(turn, turn.text)  # "no, mejor el miércoles", "¿otra el jueves?"
        if moment is not None:
            _offer_requested(turn, moment)
            return
    if understanding.wants_other_slots:
        offer_slots(turn, lead="Claro, mira estas otras opciones:")
        return
    if understanding.rejects_offers:
        turn.quiet()
        offer_slots(
            turn,
            lead="Sin problema. Si te sirve, también tengo estos horarios:",
            empty_reply=replies.goodbye(),
        )
        return
    hint = remember_when(turn, turn.text) if turn.text.strip() else None
    if hint is not None:
        _offer_requested(turn, hint)
        return
    if _WHICH_FREE.search(normalize(turn.text)):  # "¿qué días tienen disponibles?"
        offer_slots(turn, lead="Claro, estos son los próximos horarios libres:")
        return
    if _pet_changed(turn):  # "ay perdón, es para Luna, no para Toby"
        labels = [replies.offer_label(turn.local(o.start), turn.today) for o in offers]
        turn.say(
            f"Listo, la cita es para {turn.data['pet_name']}. Estos son los horarios:\n\n"
            f"{replies.slot_list(labels)}\n\n¿Cuál te funciona mejor?"
        )
        return
    turn.say(replies.selection_not_understood(len(offers)))


_WHICH_FREE = re.compile(
    r"\b(?:que|k|q|cuales|cuantos) (?:dias|horarios|horas|fechas)\b|\bcuando (?:hay|tienen|tenes)\b"
)
_THAT_ONE = re.compile(
    r"^(?:si\s*,?\s*)?(?:esa|ese|esa misma|ese mismo|esa hora|ese horario)"
    r"(?:\s+(?:me sirve|me queda bien|esta bien|porfa|por favor|gracias|po|nomas))?$"
    r"|^(?:me sirve|me queda bien|me va bien|perfecto|listo|de una|va|vale|ok|okay|dale)$"
)


def _takes_the_offer(turn: Turn) -> bool:
    """A yes to what was offered, naming no other moment ("sí", "dale", "esa me sirve")."""
    if turn.understanding.moment(now=turn.now, tz=turn.tz) is not None:
        return False
    return turn.understanding.yes_no == YesNo.YES or bool(_THAT_ONE.match(normalize(turn.text)))


def _pet_changed(turn: Turn) -> bool:
    """Whether the message names a pet other than the booking's (and makes it the booking's)."""
    before = turn.data.get("pet_id"), turn.data.get("pet_name")
    _remember_pet(turn)
    return (
        bool(turn.data.get("pet_name"))
        and (
            turn.data.get("pet_id"),
            turn.data.get("pet_name"),
        )
        != before
    )


def _offer_shifted(turn: Turn, offers: list[Offer], shift: Shift) -> None:
    """ "¿Algo antes?" / "¿más tardecito?": free slots before the first or after the last offer."""
    earlier = shift == Shift.EARLIER
    day = draft_when(turn)
    on_day = replace(day, times=(), hours=None, part_of_day=None, shift=None) if day else None
    pool = offers
    if on_day is not None and on_day.days:
        pool = [o for o in offers if turn.local(o.start).date() in on_day.days]
    edge = (min if earlier else max)(o.start for o in pool) if pool else None
    doctors = slots.offer_doctors(turn.session, turn.tenant, _preferred_doctor(turn))
    found: list[Offer] = []
    for hint in (on_day, None) if on_day is not None else (None,):
        found = _find(
            turn,
            doctors=doctors,
            hint=hint,
            before=edge if earlier else None,
            after=None if earlier else edge,
        )
        if earlier:
            found = sorted(found, key=lambda o: o.start, reverse=True)[:3]
            found.sort(key=lambda o: o.start)
        if found:
            break
    if not found:
        edge = edge or max(o.start for o in offers)
        label = replies.offer_label(turn.local(edge), turn.today)
        choices = ", ".join(str(n) for n in range(1, len(offers))) + f" o {len(offers)}"
        turn.say(
            f"No tengo nada {'antes' if earlier else 'después'} de {label[:1].lower() + label[1:]} 😔. "
            f"¿Te sirve alguna de las opciones ({choices})?"
        )
        return
    slots.hold(turn.session, turn.tenant, turn.conversation, found, now=turn.now)
    turn.data["offers"] = [o.to_json() for o in found]
    turn.data["seen"] = (list(turn.data.get("seen", [])) + [o.start.isoformat() for o in found])[
        -30:
    ]
    labels = [replies.offer_label(turn.local(o.start), turn.today) for o in found]
    lead = "Claro, más temprano tengo:" if earlier else "Claro, más tarde tengo:"
    turn.say(f"{lead}\n\n{replies.slot_list(labels)}\n\n¿Cuál te funciona mejor?")


def _preferred_doctor(turn: Turn) -> uuid.UUID | None:
    """A move keeps the appointment's doctor (when still open to the assistant)."""
    return (
        uuid_or_none(turn.data.get("doctor_id")) if turn.data.get("flow") == "reschedule" else None
    )


def _offer_requested(turn: Turn, hint: WhenHint) -> None:
    """The client named a moment that was not offered: book it if free, else show that day."""
    doctors = slots.offer_doctors(turn.session, turn.tenant, _preferred_doctor(turn))
    found = _find(
        turn,
        doctors=doctors,
        hint=hint,
    )
    if found and getattr(hint, "times", None) and getattr(hint, "days", None):
        slots.hold(turn.session, turn.tenant, turn.conversation, found[:1], now=turn.now)
        _choose(turn, found[:1], 0)
        return
    if found:
        offer_slots(turn, lead="Para ese momento tengo:", hint=hint)
        return
    # Not free: the booking's moment (now `hint`) with its fallbacks, nearest on that day first
    offer_slots(turn, lead="Tengo disponibilidad:")


def on_confirm(turn: Turn) -> None:
    """CONFIRM_BOOKING: only an explicit yes books (or moves) the appointment."""
    offers = _offers(turn)
    choice = turn.data.get("choice")
    if not offers or not isinstance(choice, int) or not 0 <= choice < len(offers):
        offer_slots(turn, lead="Te muestro los horarios disponibles:")
        return
    understanding = turn.understanding
    answer = understanding.yes_no
    if turn.data.pop("awaiting_name", False) and answer != YesNo.NO:
        name = understanding.client_name or identity.name_reply(turn, turn.text)
        if name:
            turn.ensure_client(name)
            answer = YesNo.YES  # the name is the confirmation asked for
    awaiting_pet = turn.data.pop("awaiting_pet", False)
    changed_pet = _pet_changed(turn)
    if changed_pet and awaiting_pet and answer != YesNo.NO:
        answer = YesNo.YES  # which pet was the question: the answer confirms
    elif changed_pet and answer != YesNo.YES:  # "perdón, no es Bobby, es para Canela"
        _choose(turn, offers, choice)
        return
    chosen = turn.local(offers[choice].start)
    moment = understanding.moment(now=turn.now, tz=turn.tz)
    if moment is not None and not moment.matches(chosen):  # "bueno, a las 11 entonces"
        _offer_requested(turn, remember_hint(turn, moment) or moment)
        return
    if answer == YesNo.YES:
        if turn.data.get("flow") == "reschedule":
            _reschedule(turn, offers[choice])
        else:
            _book(turn, offers[choice])
        return
    moment = remember_when(turn, turn.text) if answer != YesNo.YES else None
    if moment is not None:  # "no, mejor a las 11", "mejor el lunes": a new moment, not a no
        _offer_requested(turn, moment)
        return
    if answer == YesNo.NO:
        turn.quiet()
        offer_slots(
            turn,
            lead="Entendido, no la agendé. Si te sirve otro horario, tengo estos:",
            exclude=(offers[choice].start,),
            empty_reply=replies.goodbye(),
        )
        return
    index = (
        understanding.slot_choice(offers, now=turn.now, tz=turn.tz) if turn.text.strip() else None
    )
    if index is not None and index != choice:
        _choose(turn, offers, index)
        return
    if understanding.wants_other_slots:
        offer_slots(turn, lead="Claro, mira estas otras opciones:")
        return
    turn.say(replies.confirm_again("cambio" if turn.data.get("flow") == "reschedule" else "cita"))


def _pet_id(turn: Turn, client_id: object) -> object:
    pet_id = uuid_or_none(turn.data.get("pet_id"))
    if pet_id:
        return pet_id
    pets = clients.pets_of(turn.session, client_id)  # type: ignore[arg-type]
    species = turn.data.get("pet_species")
    candidates = [p for p in pets if p.species == species] if species else pets
    return candidates[0].id if len(candidates) == 1 else None


def _slot_lost(turn: Turn, offer: Offer) -> None:
    offer_slots(
        turn,
        lead="Lo siento mucho 😔, ese horario se acaba de ocupar. Te comparto otras opciones:",
        exclude=(offer.start,),
    )


def _book(turn: Turn, offer: Offer) -> None:
    client = turn.ensure_client()
    try:
        with turn.session.begin_nested():
            appointment = booking.create(
                turn.session,
                tenant=turn.tenant,
                actor=turn.actor,
                data=booking.NewAppointment(
                    doctor_id=offer.doctor_id,
                    client_id=client.id,
                    pet_id=_pet_id(turn, client.id),  # type: ignore[arg-type]
                    start_at=offer.start,
                    end_at=offer.end,
                    reason=turn.data.get("reason"),
                    service_id=service.id if (service := _service(turn)) else None,
                    source=Source.WHATSAPP,
                    status=Status.CONFIRMED,
                    conversation_id=turn.conversation.id,
                ),
            )
    except DomainError:
        _slot_lost(turn, offer)
        return
    slots.release(turn.session, turn.conversation.id)
    if not turn.move(State.COMPLETED):
        return
    turn.data["appointment_id"] = str(appointment.id)
    turn.data.pop("offers", None)
    turn.quiet()
    turn.say(replies.booked(turn.local(appointment.start_at), turn.today))


def _reschedule(turn: Turn, offer: Offer) -> None:
    appointment_id = uuid_or_none(turn.data.get("appointment_id"))
    current = turn.session.get(Appointment, appointment_id) if appointment_id else None
    if current is None:
        _book(turn, offer)
        return
    try:
        with turn.session.begin_nested():
            moved = booking.reschedule(
                turn.session,
                tenant=turn.tenant,
                actor=turn.actor,
                notify_client=False,  # this chat tells the client itself
                appointment_id=current.id,
                start_at=offer.start,
                end_at=offer.start + (current.end_at - current.start_at),
                doctor_id=offer.doctor_id if offer.doctor_id != current.doctor_id else None,
                expected_version=turn.data.get("appointment_version"),
            )
    except StaleVersion:
        fresh = turn.session.get(Appointment, current.id, populate_existing=True)
        turn.data["appointment_version"] = fresh.version if fresh else None
        offer_slots(turn, lead=replies.appointment_changed())
        return
    except DomainError:
        _slot_lost(turn, offer)
        return
    slots.release(turn.session, turn.conversation.id)
    if not turn.move(State.COMPLETED):
        return
    turn.data.pop("offers", None)
    turn.quiet()
    turn.say(replies.rescheduled(turn.local(moved.start_at), turn.today))


def resume(turn: Turn) -> None:
    """After a reminder: back to the booking the client left, with fresh offers."""
    if turn.data.get("reason"):
        if turn.move(State.ASK_REASON):
            offer_slots(turn, lead="¡Qué bueno que sigues por aquí! Tengo disponibilidad:")
        return
    if turn.move(State.ASK_REASON):
        text = turn.text.strip()
        if text and turn.understanding.yes_no == YesNo.UNCLEAR and len(text.split()) > 2:
            on_reason(turn)
        else:
            turn.say(replies.ask_reason())
