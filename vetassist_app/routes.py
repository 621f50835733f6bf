"""Route constants, who may open each page, and the sidebar's entries."""

from __future__ import annotations

from dataclasses import dataclass

LOGIN = "/login"
HOME = "/"
AGENDA = "/agenda"
AGENDA_PRINT = "/agenda/imprimir"  # a doctor's day on paper, without the portal around it
APPOINTMENT = "/citas/[cita_id]"
EMERGENCIES = "/emergencias"
CHATS = "/conversaciones"
FOLLOW_UPS = "/seguimientos"
CLIENTS = "/clientes"
PETS = "/mascotas"
PET = "/mascotas/[mascota_id]"
SETTINGS = "/configuracion"
SANDBOX = "/sandbox"
ANALYTICS = "/analitica"
ACTIVATE = "/activar/[codigo]"  # public: set a password with a one-time link
NOT_FOUND = "404"  # Reflex serves this page for every unknown path

ALL_STAFF = frozenset({"doctor", "manager", "support", "admin"})
CLINICAL = frozenset({"doctor", "manager", "admin"})
MANAGEMENT = frozenset({"manager", "admin"})

# Who may open each page. Handlers check their own (often narrower) roles too.
PAGE_ROLES: dict[str, frozenset[str]] = {
    AGENDA: ALL_STAFF,
    AGENDA_PRINT: ALL_STAFF,
    APPOINTMENT: ALL_STAFF,
    EMERGENCIES: ALL_STAFF,
    CHATS: ALL_STAFF,
    FOLLOW_UPS: ALL_STAFF,
    CLIENTS: ALL_STAFF,
    PET: ALL_STAFF,
    SANDBOX: ALL_STAFF,
    SETTINGS: MANAGEMENT,
    ANALYTICS: MANAGEMENT,
}


def appointment_url(appointment_id: str) -> str:
    return f"/citas/{appointment_id}"


def pet_url(pet_id: str) -> str:
    return f"{PETS}/{pet_id}"


def home_for(role: str) -> str:
    """Where a user lands after logging in."""
    return CHATS if role == "support" else AGENDA


@dataclass(frozen=True)
class NavItem:
    route: str
    label: str
    icon: str
    roles: frozenset[str]


NAV: tuple[NavItem, ...] = (
    NavItem(AGENDA, "Agenda", "calendar_days", ALL_STAFF),
    NavItem(EMERGENCIES, "Emergencias", "siren", ALL_STAFF),
    NavItem(CHATS, "Conversaciones", "messages_square", ALL_STAFF),
    NavItem(FOLLOW_UPS, "Seguimientos", "heart_pulse", ALL_STAFF),
    NavItem(CLIENTS, "Clientes y mascotas", "paw_print", ALL_STAFF),
    NavItem(ANALYTICS, "Analítica", "chart_column", MANAGEMENT),
    NavItem(SANDBOX, "Probar WhatsApp", "smartphone", ALL_STAFF),
    NavItem(SETTINGS, "Configuración", "settings", MANAGEMENT),
)
