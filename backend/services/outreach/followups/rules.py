"""Follow-up statuses, the spec's default protocols (002 §6.1) and the limits every part shares."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

log = logging.getLogger(__name__)


class FollowUpStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    RESPONDED = "responded"
    ESCALATED = "escalated"
    CANCELLED = "cancelled"


S = FollowUpStatus

DEFAULT_PROTOCOLS: dict[str, dict[str, Any]] = {
    "surgery": {
        "label": "Cirugía",
        "schedule_hours": [24, 48, 72, 168],
        "messages": [
            "Hola, ¿cómo sigue {pet_name} después de la cirugía de ayer? ¿Ha comido y orinado con normalidad?",
            "Hola, segundo día post-operatorio. ¿Cómo va la recuperación de {pet_name}? ¿Alguna molestia o sangrado?",
            "Hola, ¿cómo sigue {pet_name}? ¿La herida se ve bien? ¿Ha tenido fiebre o dejado de comer?",
            "Hola, esta semana toca revisión de puntos para {pet_name}. ¿Quieres que agendemos la cita?",
        ],
        "escalation_keywords": [
            "sangre",
            "sangrado",
            "fiebre",
            "no come",
            "hinchado",
            "pus",
            "olor",
        ],
    },
    "vaccination": {
        "label": "Vacunación",
        "schedule_hours": [24],
        "messages": [
            "Hola, ¿cómo está {pet_name} después de la vacuna? Es normal algo de decaimiento. "
            "Si presenta vómito, diarrea o hinchazón en la cara, escríbenos de inmediato.",
        ],
        "escalation_keywords": ["vómito", "diarrea", "hinchazón", "cara hinchada", "no respira"],
    },
    "consultation": {
        "label": "Consulta",
        "schedule_hours": [48],
        "messages": ["Hola, ¿cómo sigue {pet_name}? ¿Ha mejorado con el tratamiento?"],
        "escalation_keywords": ["peor", "empeora", "no mejora", "igual"],
    },
}
"""Spec 002 §6.1, seeded per clinic; an unknown procedure type falls back to consultation."""

FALLBACK_PROCEDURE = "consultation"
MAX_SEND_ATTEMPTS = 3
SEND_BATCH = 100
PLACEHOLDERS = frozenset({"pet_name", "client_name", "clinic_name"})

REPLIES = {
    "continue_protocol": "¡Gracias por contarnos! Nos alegra que {pet_name} siga bien. "
    "Si notas algo raro, escríbenos por aquí.",
    "monitor": "Gracias por la información. Lo anotamos para el veterinario. "
    "Si {pet_name} empeora, deja de comer o ves sangrado, escríbenos de inmediato.",
    "alert_vet": "Gracias por avisarnos. Ya le informamos al veterinario y te contactará pronto. "
    "Si es urgente, llama a la clínica.",
}
"""What the assistant answers after filing a follow-up response, by recommendation."""
