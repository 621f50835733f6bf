"""SQLModel tables shared by API, portal and workers. Importing this registers them all."""

from backend.models.appointments import Appointment, AuditLog, OutboxEvent
from backend.models.clients import Client, Pet
from backend.models.conversations import Conversation, Message, SlotHold
from backend.models.emergencies import Alert, AlertDelivery, EmergencyEvent
from backend.models.followups import (
    DeadLetter,
    FollowUp,
    FollowUpProtocol,
    FollowUpResponse,
    ProcessedEvent,
    Reminder,
)
from backend.models.scheduling import DoctorSchedule, TimeOff
from backend.models.tenancy import ApiKey, EscalationContact, StaffSession, StaffUser, Tenant

__all__ = [
    "Alert",
    "AlertDelivery",
    "ApiKey",
    "Appointment",
    "AuditLog",
    "Client",
    "Conversation",
    "DeadLetter",
    "DoctorSchedule",
    "EmergencyEvent",
    "EscalationContact",
    "FollowUp",
    "FollowUpProtocol",
    "FollowUpResponse",
    "Message",
    "OutboxEvent",
    "Pet",
    "ProcessedEvent",
    "Reminder",
    "SlotHold",
    "StaffSession",
    "StaffUser",
    "Tenant",
    "TimeOff",
]
