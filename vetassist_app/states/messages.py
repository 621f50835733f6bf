"""Spanish text for the domain's errors, as staff should read them."""

from __future__ import annotations

from backend.domain.errors import DomainError, StaleVersion
from backend.domain.spanish_dates import WEEKDAYS

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
    "clinic_closed": "La clínica está cerrada ese día (festivo o cierre): elige otra fecha.",
    "doctor_busy": "El médico tiene ese horario ocupado en su Google Calendar: elige otro horario.",
    "closure_invalid": "Revisa las fechas del cierre: el final va después del inicio y dura máximo un año.",
    "shift_day": "Elige un día de la semana o una fecha para la guardia.",
    "link_invalid": "Este enlace ya no sirve: pide a la gerencia de tu clínica uno nuevo.",
    "passwords_differ": "Las dos contraseñas no coinciden.",
    "email_taken": "Ya hay una persona con ese correo en VetAssist.",
    "self_deactivation": "No puedes desactivar tu propio acceso.",
    "before_start": (
        "La cita todavía no empieza: podrás marcarla como completada o «no asistió» "
        "desde su hora de inicio."
    ),
    "nothing_to_undo": (
        "Ya no se puede deshacer: solo se deshace el último cambio (completada o "
        "«no asistió») durante las 24 horas siguientes."
    ),
    "phone_taken": "Ese número ya pertenece a otro cliente de la clínica.",
    "duplicate_shortcut": "Ya hay una respuesta rápida con ese atajo: elige otro.",
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
    "fullName": "Falta el nombre de la persona.",
    "closure": "Revisa las fechas y horas del cierre.",
    "onCallDate": "Revisa la fecha de la guardia.",
    "role": "Elige un rol: veterinario/a, soporte o gerencia.",
    "doctorId": "El médico no existe o no atiende citas.",
    "endAt": "Revisa la duración de la cita.",
    "birthDate": "Revisa la fecha de nacimiento: no puede ser futura.",
    "weightKg": "Escribe el peso en kilos, mayor que 0 (ej.: 12,5).",
    "vaccineName": "La vacuna necesita un nombre.",
    "givenOn": "Revisa la fecha de aplicación de la vacuna.",
    "dueOn": "La próxima dosis va después de la fecha de aplicación.",
    "mergeId": "Elige otro cliente: no se puede fusionar un cliente consigo mismo.",
    "shortcut": "El atajo lleva de 1 a 32 letras sin tildes, números, «-» o «_» (ej.: horario).",
    "title": "El título lleva de 1 a 100 caracteres.",
    "cannedBody": "El texto de la respuesta lleva de 1 a 1500 caracteres.",
    "note": "La nota es demasiado larga (máximo 4000 caracteres).",
    "staffUserId": "Esa persona no pertenece a la clínica o ya no está activa.",
    "cursor": "No pudimos cargar más conversaciones: recarga la página.",
    "filter": "Ese filtro no existe.",
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
    field, _, weekday = (exc.field or "").partition(".")
    if field in ("periods", "businessHours") and weekday.isdigit() and int(weekday) < 7:
        day = WEEKDAYS[int(weekday)]
        if exc.code == "period_reversed":
            return f"Revisa los horarios del {day}: un periodo termina antes de empezar."
        if exc.code == "periods_overlap":
            return f"Revisa los horarios del {day}: dos periodos se cruzan."
    if field == "onCall":
        return (
            "Revisa la guardia: termina después de empezar (00:00 es medianoche) "
            "y no se cruza con otra guardia ese día."
        )
    if field.startswith("day_") or field in ("periods", "businessHours"):
        return "Revisa los horarios: periodos como 08:00-12:30, que terminen después de empezar y sin cruzarse."
    return f"No se pudo completar la acción: {exc.message}"
