"""What the assistant says, in Colombian Spanish.

Dates and times are spelled by `backend.domain.spanish_dates` ("9:00 AM",
"4:30 PM", in the clinic's zone); this module places them in sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

from backend.domain import spanish_dates
from backend.domain.language.emergency import CATEGORY_LABELS
from backend.domain.spanish_dates import WEEKDAYS, at_time, clock_time

EMERGENCY_LABELS = CATEGORY_LABELS
SPECIES_LABELS = {
    "perro": "Perro",
    "gato": "Gato",
    "ave": "Ave",
    "conejo": "Conejo",
    "hamster": "Hámster",
    "cobayo": "Cobayo",
    "huron": "Hurón",
    "tortuga": "Tortuga",
    "pez": "Pez",
    "reptil": "Reptil",
}


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def long_date(day: date) -> str:
    """ "Viernes 29 de enero", for the start of a line."""
    return spanish_dates.long_date(day).capitalize()


def relative_day(day: date, today: date) -> str:
    """ "hoy", "mañana" or "el viernes 29 de enero"."""
    if day == today:
        return "hoy"
    if (day - today).days == 1:
        return "mañana"
    return "el " + spanish_dates.long_date(day)


def offer_label(moment: datetime, today: date) -> str:
    """One line of the slot list: "Hoy 4:30 PM", "Mañana 9:00 AM", "Lunes 1 de febrero, 2:00 PM"."""
    day = moment.date()
    if day == today:
        return f"Hoy {clock_time(moment)}"
    if (day - today).days == 1:
        return f"Mañana {clock_time(moment)}"
    return f"{long_date(day)}, {clock_time(moment)}"


def when_sentence(moment: datetime, today: date) -> str:
    """ "mañana a las 9:00 AM", "el lunes 1 de febrero a las 2:00 PM"."""
    return f"{relative_day(moment.date(), today)} {at_time(moment)}"


def first_name(name: str | None) -> str | None:
    return name.split()[0] if name and name.strip() else None


def reason_label(reason: str) -> str:
    """The client's reason as one clean line for summaries (first letter up, no final dot)."""
    text = " ".join(reason.split()).strip(" .")
    if text.isupper():  # written in capitals: "NO QUIERE COMER" reads "No quiere comer"
        text = text.lower()
    if len(text) > 120:
        text = text[:117].rsplit(" ", 1)[0] + "…"
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- greeting and intents


def welcome(clinic: str, name: str | None = None) -> str:
    who = f", {first_name(name)}" if first_name(name) else ""
    return f"Hola{who}, bienvenido a {clinic}."


def nice_to_meet(name: str | None) -> str:
    return f"Mucho gusto, {first_name(name)}." if first_name(name) else "Gracias."


def how_can_i_help() -> str:
    return (
        "¿En qué te puedo ayudar? Puedo agendar una cita, cambiarla o cancelarla, "
        "o contarte cuándo es tu próxima cita."
    )


def did_not_understand() -> str:
    return (
        "Disculpa, no te entendí bien 🙈. Puedo ayudarte a agendar, cambiar o cancelar una cita, "
        "o decirte cuándo es tu próxima cita. ¿Qué necesitas?"
    )


def price_redirect(clinic_phone: str) -> str:
    return (
        "Para información sobre precios, te recomiendo llamar directamente al consultorio: "
        f"{clinic_phone}.\n\n"
        "¿Hay algo más en lo que pueda ayudarte? Por ejemplo, ¿necesitas agendar una cita?"
    )


def question_redirect(clinic_phone: str) -> str:
    return (
        "Esa consulta te la resuelven mejor en el consultorio: llama al "
        f"{clinic_phone}.\n\n"
        "¿Hay algo más en lo que pueda ayudarte? Por ejemplo, ¿necesitas agendar una cita?"
    )


def map_link(address: str) -> str:
    """A Google Maps search for the clinic's address: opens the map app on a phone."""
    return "https://www.google.com/maps/search/?api=1&query=" + quote_plus(address)


def where_we_are(address: str) -> str:
    return f"📍 Estamos en {address}\n🗺️ Cómo llegar: {map_link(address)}"


def address_answer(address: str) -> str:
    return (
        f"{where_we_are(address)}\n\n"
        "¿Hay algo más en lo que pueda ayudarte? Por ejemplo, ¿necesitas agendar una cita?"
    )


def hours_answer(lines: Sequence[str]) -> str:
    return (
        "Nuestro horario de atención es:\n" + "\n".join(lines) + "\n\n"
        "¿Te gustaría agendar una cita?"
    )


def thanks_reply() -> str:
    return "¡Con mucho gusto! 🐾 Si necesitas algo más, aquí estoy."


def goodbye() -> str:
    return "Listo. Si necesitas algo más, escríbenos cuando quieras 🐾"


# ---------------------------------------------------------------- booking


def ask_reason() -> str:
    return "¿Cuál es el motivo de la consulta?"


def ask_reason_again() -> str:
    return "¿Me cuentas en pocas palabras el motivo de la consulta? Así te busco el horario."


def ask_vaccine() -> str:
    return "¿Qué vacuna necesita? (Ej: rabia, múltiple, desparasitación)"


def start_booking() -> str:
    return "Con gusto te ayudo a agendar."


def slot_list(labels: Sequence[str]) -> str:
    return "\n".join(f"{i}. {label}" for i, label in enumerate(labels, start=1))


def offer(labels: Sequence[str], *, lead: str = "Tengo disponibilidad:") -> str:
    return f"{lead}\n\n{slot_list(labels)}\n\n¿Cuál te funciona mejor?"


def no_slots(clinic_phone: str) -> str:
    return (
        "Lo siento, por este medio no tengo horarios disponibles en los próximos días 😔. "
        f"Llama al consultorio ({clinic_phone}) y te buscamos un espacio."
    )


def selection_not_understood(count: int) -> str:
    options = ", ".join(str(i) for i in range(1, count)) + f" o {count}" if count > 1 else "1"
    return (
        "No logré identificar el horario 🙈. Respóndeme con el número de la opción "
        f'({options}) o escríbeme el día y la hora, por ejemplo: "mañana a las 9".'
    )


def booking_summary(
    when: datetime,
    doctor: str | None,
    reason: str | None,
    pet: str | None,
    *,
    ask_name: bool = False,
    ask_pet: Sequence[str] = (),
    service: str | None = None,
) -> str:
    """The appointment to confirm; a client without a name on file is asked it here, once,
    and a client with several pets which one it is for. `service` is the service's name
    and length ("Vacunación (15 min)"); the reason is left out when it only repeats it."""
    lines = [
        "Perfecto. Confirmo tu cita:",
        "",
        f"📅 {long_date(when.date())}",
        f"🕘 {clock_time(when)}",
    ]
    if doctor:
        lines.append(f"🩺 {doctor}")
    if pet:
        lines.append(f"🐾 {pet}")
    if service:
        lines.append(f"📋 {service}")
    if reason and not (service and service.startswith(reason_label(reason) + " (")):
        lines.append(f"📝 {reason_label(reason)}")
    if ask_name:
        lines += [
            "",
            "¿A nombre de quién la dejo? Escríbeme tu nombre y queda confirmada (o Sí/No).",
        ]
    elif ask_pet:
        names = ", ".join(ask_pet[:-1]) + f" o para {ask_pet[-1]}"
        lines += ["", f"¿Es para {names}? Dime cuál y queda confirmada."]
    else:
        lines += ["", "¿Confirmas esta cita? (Sí/No)"]
    return "\n".join(lines)


def confirm_again(kind: str = "cita") -> str:
    if kind == "cambio":
        return "¿Confirmas el cambio de tu cita? Responde Sí o No."
    return "¿Confirmas esta cita? Responde Sí o No."


def booked(when: datetime, today: date) -> str:
    return (
        "✓ Cita confirmada.\n\n"
        f"Te esperamos {when_sentence(when, today)}.\n"
        "Si necesitas cancelar o cambiar, escríbenos con tiempo."
    )


def slot_lost(labels: Sequence[str]) -> str:
    return offer(
        labels,
        lead="Lo siento mucho 😔, ese horario se acaba de ocupar. Te comparto otras opciones:",
    )


def declined_offer(labels: Sequence[str]) -> str:
    if not labels:
        return "Entendido, no agendé nada. " + goodbye()
    return (
        "Entendido, no la agendé. Si te sirve otro horario, tengo estos:\n\n"
        f"{slot_list(labels)}\n\n"
        "Si prefieres dejarlo para otro momento, no hay problema."
    )


def other_slots(labels: Sequence[str]) -> str:
    return offer(labels, lead="Claro, mira estas otras opciones:")


# ---------------------------------------------------------------- existing appointments


def appointment_line(when: datetime, today: date, doctor: str | None, reason: str | None) -> str:
    text = f"{when_sentence(when, today)}"
    if doctor:
        text += f" con {doctor}"
    if reason:
        text += f" ({reason_label(reason)})"
    return text


def upcoming(lines: Sequence[str]) -> str:
    if len(lines) == 1:
        return f"Tu próxima cita es {lines[0]}.\n\n¿Te puedo ayudar en algo más?"
    listed = "\n".join(f"• {line[:1].upper() + line[1:]}" for line in lines)
    return f"Estas son tus próximas citas:\n\n{listed}\n\n¿Te puedo ayudar en algo más?"


def no_upcoming() -> str:
    return "No encuentro citas próximas a tu nombre. ¿Quieres que agendemos una?"


def choose_appointment(lines: Sequence[str], action: str) -> str:
    listed = "\n".join(
        f"{i}. {line[:1].upper() + line[1:]}" for i, line in enumerate(lines, start=1)
    )
    return f"Tienes varias citas próximas. ¿Cuál quieres {action}?\n\n{listed}"


def confirm_cancel(line: str) -> str:
    return f"Tienes una cita {line}.\n\n¿Confirmas que quieres cancelarla? (Sí/No)"


def cancelled(line: str) -> str:
    return f"Listo, tu cita {line} quedó cancelada.\n\n¿Quieres agendar una nueva fecha?"


def cancelled_after_loss(line: str) -> str:
    return (
        f"Lo sentimos muchísimo 💙. Cancelé tu cita {line}.\n"
        "Te acompañamos en este momento; aquí estamos para lo que necesites."
    )


def kept(line: str) -> str:
    return f"Perfecto, tu cita {line} sigue en pie. ¡Te esperamos!"


def reschedule_offer(line: str, labels: Sequence[str]) -> str:
    return offer(labels, lead=f"Claro, cambiemos tu cita {line}. Tengo disponibilidad:")


def reschedule_summary(old: datetime, new: datetime, doctor: str | None) -> str:
    lines = [
        "Perfecto. Cambio tu cita:",
        "",
        f"Antes: {long_date(old.date())}, {clock_time(old)}",
        f"📅 Nueva fecha: {long_date(new.date())}",
        f"🕘 {clock_time(new)}",
    ]
    if doctor:
        lines.append(f"🩺 {doctor}")
    lines += ["", "¿Confirmas el cambio? (Sí/No)"]
    return "\n".join(lines)


def rescheduled(when: datetime, today: date) -> str:
    return (
        f"✓ Listo, tu cita quedó para {when_sentence(when, today)}.\n"
        "Si necesitas algo más, escríbenos."
    )


def appointment_changed() -> str:
    return (
        "Tu cita cambió mientras hablábamos, así que no la moví. Te muestro los horarios de nuevo:"
    )


# ---------------------------------------------------------------- emergencies


def confirm_emergency() -> str:
    return (
        "Entiendo que es una emergencia.\n"
        "Para confirmar: ¿la vida de tu mascota está en riesgo en este momento?\n\n"
        "Responde Sí o NO"
    )


def confirm_emergency_again(clinic_phone: str) -> str:
    return (
        "Por favor responde Sí o NO: ¿la vida de tu mascota está en riesgo en este momento?\n"
        f"Si es urgente, también puedes llamar ya mismo al consultorio: {clinic_phone}."
    )


def emergency_registered(
    first_aid: Sequence[str], *, alerting: bool, clinic_phone: str, address: str | None
) -> str:
    """The answer to a confirmed emergency. It never says the vet was notified: that
    is only known once an alert is delivered (`emergency_vet_notified` follows then).
    With nobody to alert, it sends the client to the phone at once."""
    steps = "\n".join(f"- {step}" for step in first_aid)
    if alerting:
        news = (
            "Estoy avisando ahora mismo al veterinario; te confirmo por aquí en cuanto "
            "reciba el aviso.\n"
            f"Si empeora o nadie te contacta en 10 minutos, llama al {clinic_phone}."
        )
    else:
        news = (
            "No pude avisar al veterinario por este medio. "
            f"Por favor llama ya mismo al consultorio: {clinic_phone}."
        )
    where = f"{where_we_are(address)}\n\n" if address else ""
    return (
        f"🚨 EMERGENCIA REGISTRADA\n\n{news}\n\n"
        f"Mientras tanto:\n{steps}\n\n"
        f"{where}"
        "¿En qué dirección te encuentras? Se lo paso al veterinario."
    )


def emergency_vet_notified(clinic_phone: str) -> str:
    """Sent once an emergency alert has reached at least one of the clinic's contacts."""
    return (
        "✅ El veterinario ha sido notificado y te contactará en los próximos minutos.\n"
        f"Si la situación empeora, llama al {clinic_phone}."
    )


def emergency_vet_unreachable(clinic_phone: str) -> str:
    """Sent when every delivery of an emergency alert failed."""
    return (
        "⚠️ No logramos hacer llegar el aviso al veterinario. "
        f"Por favor llama ya mismo al consultorio: {clinic_phone}."
    )


def false_alarm() -> str:
    return "Entendido. ¿Te gustaría agendar una cita regular para revisión?"


def emergency_restricted(clinic_phone: str) -> str:
    return (
        "Lo siento, el acceso a emergencias está restringido para este número. "
        f"Por favor llama directamente al consultorio: {clinic_phone}."
    )


def emergency_unconfirmed(clinic_phone: str) -> str:
    return (
        "No recibí tu confirmación. Si tu mascota está en peligro, llama ya mismo al consultorio: "
        f"{clinic_phone}."
    )


def escalation_ack(address: str | None, clinic_phone: str) -> str:
    where = f"\n{where_we_are(address)}" if address else ""
    return (
        "Gracias, se lo estoy pasando al veterinario." + where + "\n"
        f"Si la situación empeora, llama de inmediato al {clinic_phone}."
    )


def emergency_alert(
    phone: str, species: str | None, description: str, keywords: Sequence[str]
) -> str:
    """The vet's alert, in the spec's format (002 §5.2)."""
    return (
        "🚨 EMERGENCIA\n\n"
        f"📞 {phone}\n"
        f"🐾 {SPECIES_LABELS.get(species or '', species or 'Mascota')}\n"
        f"⚠️ {description[:100]}\n\n"
        f"Palabras clave: {', '.join(keywords[:3])}\n\n"
        "Responde a este mensaje para confirmar recepción."
    )


def emergency_alert_title(category: str | None, species: str | None, phone: str) -> str:
    label = EMERGENCY_LABELS.get(category or "", "Emergencia")
    pet = SPECIES_LABELS.get(species or "", species or "Mascota")
    return f"🚨 EMERGENCIA: {label} - {pet} - {phone}"


def emergency_update_alert(phone: str, text: str) -> str:
    return f"🚨 Emergencia de {phone} — el cliente escribe:\n«{text[:500]}»"


def alert_acknowledged(phone: str) -> str:
    return f"✓ Recepción confirmada. Emergencia de {phone}. Gracias."


def follow_up_more() -> str:
    return (
        "Gracias por la información. Es normal algo de molestia los primeros días.\n\n"
        "¿Es algo constante o solo pasa en ciertos momentos o movimientos?"
    )


# ---------------------------------------------------------------- timeouts


def reminder(booking_pending: bool) -> str:
    if booking_pending:
        return (
            "Hola, ¿sigues ahí?\nQuedamos pendientes de agendar tu cita. ¿En qué te puedo ayudar?"
        )
    return "Hola, ¿sigues ahí?\nQuedo atento por si necesitas algo. ¿En qué te puedo ayudar?"


def day_hours(business_hours: dict[str, list[list[str]]], weekday: int) -> str:
    """ "8:00 AM a 12:30 PM y de 2:00 PM a 6:00 PM" for one weekday ("" when closed)."""
    periods = business_hours.get(str(weekday)) or []
    return " y de ".join(f"{_hhmm(a)} a {_hhmm(b)}" for a, b in periods)


def _hhmm(value: str) -> str:
    hour, minute = (int(p) for p in value.split(":"))
    return clock_time(datetime(2000, 1, 1, hour % 24, minute))


def hours_on(business_hours: dict[str, list[list[str]]], day: date, today: date) -> str:
    """Whether and when the clinic opens on `day`, in a sentence."""
    name = "Hoy" if day == today else "Mañana" if day == today + timedelta(days=1) else None
    label = name or long_date(day)
    hours = day_hours(business_hours, day.weekday())
    if not hours:
        return f"{label} no abrimos."
    return f"{label} atendemos de {hours}."


def phone_answer(clinic_phone: str) -> str:
    return (
        f"Nuestro teléfono es {clinic_phone}.\n\n"
        "¿Hay algo más en lo que pueda ayudarte? Por ejemplo, ¿necesitas agendar una cita?"
    )


def handoff(clinic: str, clinic_phone: str, opening: str) -> str:
    """To a client who asked for a person: who will answer, and the way to reach them now."""
    return (
        f"Claro 🙂 Dejé tu conversación en manos del equipo de {clinic}: una persona te "
        f"responderá por este mismo chat{opening}.\n"
        f"Si es urgente, llama al {clinic_phone}."
    )


def handoff_alert(who: str, text: str) -> str:
    return (
        f"🙋 {who} pide hablar con una persona del equipo.\n"
        f"Último mensaje: «{text[:300]}»\n\n"
        "Respóndele desde Conversaciones en el portal."
    )


def media_without_text(content_type: str) -> str:
    if content_type.startswith("audio"):
        return (
            "Recibí tu nota de voz 🎙️, pero todavía no puedo escuchar audios. "
            "¿Me escribes en un mensaje qué necesitas, por favor?"
        )
    if content_type.startswith("image") or content_type.startswith("video"):
        return (
            "Recibí tu imagen, pero no puedo verla 🙈. "
            "¿Me cuentas por escrito qué necesitas? Si es una emergencia, escríbeme qué le pasa."
        )
    return "Recibí tu archivo, pero no puedo abrirlo. ¿Me escribes en un mensaje qué necesitas?"


def later_reply() -> str:
    return "Claro, sin problema. Cuando quieras, escríbenos por aquí 🐾"


def hours_lines(business_hours: dict[str, list[list[str]]]) -> list[str]:
    """ "Lunes a viernes: 8:00 AM - 12:30 PM y 2:00 PM - 6:00 PM" grouped by equal days."""

    def fmt(hhmm: str) -> str:
        hour, minute = (int(p) for p in hhmm.split(":"))
        return clock_time(datetime(2000, 1, 1, hour % 24, minute))

    groups: list[tuple[list[int], str]] = []
    for weekday in range(7):
        periods = business_hours.get(str(weekday)) or []
        text = " y ".join(f"{fmt(a)} - {fmt(b)}" for a, b in periods) if periods else ""
        if groups and groups[-1][1] == text and groups[-1][0][-1] == weekday - 1:
            groups[-1][0].append(weekday)
        else:
            groups.append(([weekday], text))
    lines = []
    for days, text in groups:
        if not text:
            continue
        name = WEEKDAYS[days[0]].capitalize()
        if len(days) > 1:
            name += f" a {WEEKDAYS[days[-1]]}"
        lines.append(f"{name}: {text}")
    return lines
