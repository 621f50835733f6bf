"""Spanish text for the domain's errors, as staff should read them."""

from __future__ import annotations

from backend.domain.errors import DomainError, StaleVersion

CONFLICT_CODES = frozenset({"stale_version", "slot_taken", "illegal_transition"})

_BY_CODE = {
    "stale_version": (
        "Otra persona modificó esta cita mientras la tenías abierta. "
        "Recargamos los datos actuales: revísalos y vuelve a intentarlo."
    ),
    "slot_taken": (
        "Ese horario acaba de ser ocupado por otra cita. "
        "Actualizamos la agenda: elige otro horario."
    ),
    "illegal_transition": "Esta acción ya no es posible con el estado actual de la cita.",
    "not_found": "No encontramos ese registro en tu clínica.",
    "forbidden": "Tu rol no tiene permiso para esta acción.",
    "outside_working_hours": "Ese horario está fuera del horario de trabajo del médico.",
    "in_past": "Ese horario ya pasó.",
    "inside_min_notice": "Ese horario está dentro del tiempo mínimo de anticipación.",
    "beyond_horizon": "Ese horario está más allá de lo que se puede agendar.",
    "blocked": "El médico no está disponible a esa hora (ausencia o bloqueo).",
}

_BY_FIELD = {
    "messages": "Revisa los mensajes: uno por cada hora indicada, sin dejar ninguno vacío.",
    "scheduleHours": "Las horas van en orden creciente, mayores que cero y hasta 90 días.",
    "hours": "Escribe horas enteras separadas por comas (ej.: 24, 48).",
    "reminders": "Escribe horas enteras separadas por comas (ej.: 24, 2).",
    "reminderOffsetsHours": "Los recordatorios van de 1 a 336 horas antes, máximo 5.",
    "slotMinutes": "La duración de la cita va de 5 a 240 minutos.",
    "bufferMinutes": "El margen entre citas va de 0 a 120 minutos.",
    "minNoticeMinutes": "La anticipación mínima va de 0 minutos a 7 días.",
    "horizonDays": "La agenda abierta va de 1 a 366 días.",
    "channels": "Elige al menos un canal de alerta.",
    "whatsappPhone": "Las alertas por WhatsApp necesitan un número.",
    "name": "Falta el nombre.",
    "startAt": "Revisa la fecha y la hora.",
    "time": "Revisa la fecha y la hora.",
    "procedureType": "Elige el tipo de procedimiento.",
    "body": "El mensaje está vacío.",
    "phone": "El número de teléfono no es válido.",
    "petName": "La mascota necesita un nombre.",
    "password": "La contraseña necesita de 12 a 128 caracteres y no puede ser fácil de adivinar.",
    "email": "Revisa el correo electrónico.",
    "doctorId": "El médico no existe o no atiende citas.",
    "endAt": "Revisa la duración de la cita.",
}


def is_conflict(exc: DomainError) -> bool:
    """A change lost a race (stale view, slot taken meanwhile): reload and tell the user."""
    return isinstance(exc, StaleVersion) or exc.code in CONFLICT_CODES


def spanish(exc: DomainError) -> str:
    """A clear Spanish sentence for a domain error."""
    if exc.code in _BY_CODE:
        return _BY_CODE[exc.code]
    if exc.field in _BY_FIELD:
        return _BY_FIELD[exc.field]
    field = (exc.field or "").split(".")[0]
    if field.startswith("day_") or field in ("periods", "businessHours"):
        return "Revisa los horarios: periodos como 08:00-12:30, que terminen después de empezar y sin cruzarse."
    return f"No se pudo completar la acción: {exc.message}"
