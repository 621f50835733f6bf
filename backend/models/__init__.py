"""SQLModel tables shared by API, portal and workers. Importing this registers them all."""

from backend.models.appointments import Appointment, AuditLog, OutboxEvent
from backend.models.calendar_sync import CalendarBusyBlock, DoctorCalendar, GoogleConnection
from backend.models.clients import Client, ClientPhone, Pet, PetVaccine
from backend.models.clinic_calendar import ClinicClosure, OnCallShift
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
from backend.models.inbox import (
    CannedReply,
    ConversationAssignment,
    ConversationNote,
    ConversationRead,
)
from backend.models.scheduling import DoctorSchedule, TimeOff
from backend.models.services import Service, ServiceDoctor
from backend.models.staff_invites import StaffInvite
from backend.models.tenancy import ApiKey, EscalationContact, StaffSession, StaffUser, Tenant

__all__ = [
    "Alert",
    "AlertDelivery",
    "ApiKey",
    "Appointment",
    "AuditLog",
    "CalendarBusyBlock",
    "CannedReply",
    "Client",
    "ClientPhone",
    "ClinicClosure",
    "Conversation",
    "ConversationAssignment",
    "ConversationNote",
    "ConversationRead",
    "DeadLetter",
    "DoctorCalendar",
    "DoctorSchedule",
    "EmergencyEvent",
    "EscalationContact",
    "FollowUp",
    "FollowUpProtocol",
    "FollowUpResponse",
    "GoogleConnection",
    "Message",
    "OnCallShift",
    "OutboxEvent",
    "Pet",
    "PetVaccine",
    "ProcessedEvent",
    "Reminder",
    "Service",
    "ServiceDoctor",
    "SlotHold",
    "StaffInvite",
    "StaffSession",
    "StaffUser",
    "Tenant",
    "TimeOff",
]
