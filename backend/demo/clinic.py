"""A demo clinic with a realistic week, its chats and follow-ups, so a new install has something to show.

Appointments go through the booking service like any other; the clock is moved
back while the past part of the week is booked.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from backend.core.clock import clock, utcnow
from backend.demo.conversations import seed_conversations
from backend.demo.follow_ups import seed_follow_ups
from backend.domain.appointment_rules import Source, Status
from backend.domain.errors import DomainError
from backend.models import (
    Client,
    DoctorSchedule,
    EscalationContact,
    Pet,
    Service,
    ServiceDoctor,
    StaffUser,
    Tenant,
)
from backend.services.actors import SYSTEM
from backend.services.clinics import auth
from backend.services.patients import clients
from backend.services.scheduling import booking, services_catalog
from backend.services.scheduling.availability import find_free_slots

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo1234"
DEMO_WHATSAPP = "+14155238886"
# A stand-in for the approved template a real clinic has, so the demo's reminders and
# alerts reach the sandbox instead of failing for want of one (Twilio would refuse it).
DEMO_TEMPLATE_SID = "HX" + "d" * 32

STAFF = [
    ("gerente@demo.vetassist.co", "Mariana Ospina", "manager", None, False, "#7c3aed"),
    (
        "ana.restrepo@demo.vetassist.co",
        "Dra. Ana Restrepo",
        "doctor",
        "Medicina general",
        True,
        "#0d9488",
    ),
    ("carlos.mejia@demo.vetassist.co", "Dr. Carlos Mejía", "doctor", "Cirugía", True, "#2563eb"),
    (
        "laura.gomez@demo.vetassist.co",
        "Dra. Laura Gómez",
        "doctor",
        "Dermatología",
        False,
        "#db2777",
    ),
    ("soporte@demo.vetassist.co", "Julián Torres", "support", None, False, "#64748b"),
]

CLIENTS: list[tuple[str, str, list[tuple[str, str, str | None]]]] = [
    ("+573001112233", "Camila Rodríguez", [("Luna", "gato", "Criollo")]),
    ("+573004445566", "Andrés Martínez", [("Max", "perro", "Labrador")]),
    ("+573007778899", "Valentina López", [("Coco", "perro", "Poodle"), ("Mia", "gato", "Siamés")]),
    ("+573102223344", "Santiago Gómez", [("Rocky", "perro", "Bulldog francés")]),
    ("+573115556677", "Daniela Herrera", [("Nala", "gato", "Persa")]),
    ("+573128889900", "Felipe Castro", [("Toby", "perro", "Beagle")]),
    ("+573133334455", "Isabella Vargas", [("Kiwi", "ave", "Periquito")]),
    ("+573146667788", "Mateo Jiménez", [("Bruno", "perro", "Pastor alemán")]),
    ("+573159990011", "Sofía Moreno", [("Pelusa", "conejo", None)]),
    ("+573161231234", "Juan Pablo Ríos", [("Simba", "gato", "Maine Coon")]),
    ("+573174564567", "Gabriela Silva", [("Lola", "perro", "Shih Tzu")]),
    ("+573187897890", "Nicolás Ramírez", [("Thor", "perro", "Husky")]),
]

REASONS = [
    "Vacunación anual",
    "Control general",
    "Revisión de piel, se rasca mucho",
    "Desparasitación",
    "Cojera en la pata trasera",
    "Control post-operatorio",
    "Vómito desde ayer",
    "Limpieza dental",
    "Revisión de oídos",
    "Esterilización",
    "Le salió una bolita en el cuello",
    "No quiere comer",
]


# (name, minutes, buffer, deposit, surgeons only, keywords the assistant matches)
DEMO_SERVICES = (
    ("Vacunación", 15, 0, False, False, ("vacuna", "vacunar", "refuerzo", "antirrábica")),
    (
        "Control post-operatorio",
        20,
        0,
        False,
        False,
        ("post operatorio", "postoperatorio", "puntos", "control de la cirugía"),
    ),
    (
        "Cirugía",
        120,
        30,
        False,
        True,
        ("cirugía", "operar", "operación", "castración", "castrar", "esterilizar"),
    ),
    (
        "Baño y peluquería",
        60,
        0,
        True,
        False,
        (
            "baño",
            "bañar",
            "peluquería",
            "motilar",
            "corte de pelo",
            "cortar el pelo",
            "corten el pelo",
            "grooming",
        ),
    ),
    ("Ecografía", 45, 0, False, False, ("ecografía", "ecográfia", "ultrasonido")),
)


def _seed_services(session: Session, tenant: Tenant, doctors: list[StaffUser]) -> None:
    """The default consultation plus the usual services; surgery only by the surgeon."""
    services_catalog.add_default_service(session, tenant.id)
    surgeons = [d for d in doctors if d.speciality == "Cirugía"]
    for name, minutes, buffer, deposit, surgeons_only, keywords in DEMO_SERVICES:
        service = Service(
            tenant_id=tenant.id,
            name=name,
            duration_minutes=minutes,
            buffer_minutes=buffer,
            deposit_required=deposit,
            keywords=list(keywords),
        )
        session.add(service)
        session.flush()
        for doctor in surgeons if surgeons_only else []:
            session.add(ServiceDoctor(service_id=service.id, doctor_id=doctor.id))


def demo_exists(session: Session) -> bool:
    return session.exec(select(Tenant).where(Tenant.slug == DEMO_SLUG)).first() is not None


def any_tenant(session: Session) -> bool:
    return session.exec(select(Tenant.id).limit(1)).first() is not None


def seed_demo(session: Session, *, seed: int = 7) -> Tenant:
    """Creates the demo clinic with staff, schedules, clients, pets and a week of appointments."""
    rng = random.Random(seed)
    tenant = Tenant(
        name="Clínica Veterinaria Patitas",
        slug=DEMO_SLUG,
        timezone="America/Bogota",
        country="CO",
        phone="+576014567890",
        address="Calle 85 # 15-20, Bogotá",
        whatsapp_numbers=[DEMO_WHATSAPP],
        whatsapp_template_sid=DEMO_TEMPLATE_SID,
        is_demo=True,
    )
    session.add(tenant)
    session.flush()
    doctors: list[StaffUser] = []
    for email, name, role, speciality, for_ai, color in STAFF:
        user = auth.create_user(
            session,
            tenant=tenant,
            email=email,
            password=DEMO_PASSWORD,
            full_name=name,
            role=role,
            speciality=speciality,
            active_for_ai_booking=for_ai,
            alert_phone="+573209876543" if role == "doctor" else None,
        )
        user.color = color
        if role == "doctor":
            doctors.append(user)
            session.add(DoctorSchedule(tenant_id=tenant.id, doctor_id=user.id))
    session.flush()
    _seed_services(session, tenant, doctors)
    session.add(
        EscalationContact(
            tenant_id=tenant.id,
            name="Dra. Ana Restrepo",
            whatsapp_phone="+573209876543",
            email="ana.restrepo@demo.vetassist.co",
            channels=["whatsapp"],
        )
    )
    session.flush()
    people: list[tuple[Client, list[Pet]]] = []
    for phone, name, pets in CLIENTS:
        client = clients.find_or_create(session, tenant, phone=phone, name=name)
        pet_rows = [
            clients.add_pet(session, client, name=n, species=s, breed=b) for n, s, b in pets
        ]
        people.append((client, pet_rows))
    _seed_week(session, tenant, doctors, people, rng)
    seed_conversations(session, tenant)
    seed_follow_ups(session, tenant)
    return tenant


def _seed_week(
    session: Session,
    tenant: Tenant,
    doctors: list[StaffUser],
    people: list[tuple[Client, list[Pet]]],
    rng: random.Random,
) -> None:
    """About four appointments per doctor per working day, from three days ago to a week ahead."""
    tz = ZoneInfo(tenant.timezone)
    real_now = utcnow()
    today = real_now.astimezone(tz).date()
    was_frozen = clock._frozen
    try:
        for offset in range(-3, 8):
            day: date = today + timedelta(days=offset)
            # book as if it were 07:00 of the day before, so every slot of the day is open
            clock.freeze(datetime.combine(day - timedelta(days=1), time(7), tz))
            slots = find_free_slots(
                session, tenant=tenant, doctors=doctors, start_day=day, now=utcnow(), limit=None
            )
            rng.shuffle(slots)
            for slot in slots[: 4 * len(doctors)]:
                client, pets = rng.choice(people)
                status = Status.CONFIRMED if rng.random() < 0.6 else Status.PENDING
                try:
                    appointment = booking.create(
                        session,
                        tenant=tenant,
                        actor=SYSTEM,
                        data=booking.NewAppointment(
                            doctor_id=slot.doctor_id,
                            client_id=client.id,
                            pet_id=rng.choice(pets).id,
                            start_at=slot.start,
                            end_at=slot.end,
                            reason=rng.choice(REASONS),
                            status=status,
                            source=rng.choice(
                                [Source.WHATSAPP, Source.PORTAL, Source.PORTAL, Source.API]
                            ),
                        ),
                    )
                except DomainError:
                    continue  # the buffer made a neighbouring random slot unavailable
                if slot.end < real_now:
                    clock.freeze(real_now)
                    outcome = Status.COMPLETED if rng.random() < 0.85 else Status.NO_SHOW
                    booking.change_status(
                        session,
                        tenant=tenant,
                        actor=SYSTEM,
                        appointment_id=appointment.id,
                        status=outcome,
                        expected_version=appointment.version,
                        procedure_type=rng.choice(["consultation", "vaccination", "surgery"])
                        if outcome == Status.COMPLETED
                        else None,
                    )
                    clock.freeze(datetime.combine(day - timedelta(days=1), time(7), tz))
    finally:
        if was_frozen is None:
            clock.unfreeze()
        else:
            clock.freeze(was_frozen)
