"""Portal logic tests: a clinic with staff of every role, logged in, plus a second clinic.

The portal's state modules expose thin functions over the backend services
(`build_calendar`, `change_status`, `list_chats`…); tests call them as the
viewer a session token resolves to, and call the Reflex handlers themselves
through `call` on a real (unattached) state tree.
"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import bcrypt
import pytest
import reflex as rx
from reflex.event import EventHandler, EventSpec

from backend.core.db import session_scope
from backend.domain.appointment_rules import Source, Status
from backend.models import Appointment, Client, Pet, StaffUser, Tenant
from backend.services.actors import SYSTEM
from backend.services.clinics import auth, login_throttle
from backend.services.clinics.login_throttle import LoginThrottle
from backend.services.patients import clients
from backend.services.scheduling import booking
from tests.factories import make_doctor, make_tenant, weekday_periods
from vetassist_app import session_cookie
from vetassist_app.states.access import Viewer, require_user

PASSWORD = "secreto-123"
# Cheap rounds: the tests exercise the login path, not bcrypt's cost.
PASSWORD_HASH = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()

# FROZEN_NOW (tests/conftest.py) is Thursday 2027-01-28 10:00 in Bogotá.
FRIDAY_9AM = datetime(2027, 1, 29, 14, 0, tzinfo=UTC)  # 09:00 Bogotá
FRIDAY_10AM = datetime(2027, 1, 29, 15, 0, tzinfo=UTC)
THURSDAY_3PM = datetime(2027, 1, 28, 20, 0, tzinfo=UTC)  # 15:00 Bogotá, later today


@dataclass
class Staff:
    user: StaffUser
    token: str  # the session key, as the portal sees the cookie (the token's SHA-256)

    @property
    def viewer(self) -> Viewer:
        return require_user(self.token)


@dataclass
class PortalClinic:
    tenant: Tenant
    manager: Staff
    doctor: Staff
    colleague: Staff
    support: Staff
    client: Client
    pet: Pet
    appointment: Appointment  # doctor's, Friday 09:00, pending


def _user(session: Any, tenant: Tenant, *, email: str, name: str, role: str) -> StaffUser:
    user = StaffUser(
        tenant_id=tenant.id, email=email, password_hash=PASSWORD_HASH, full_name=name, role=role
    )
    session.add(user)
    session.flush()
    return user


def _doctor(session: Any, tenant: Tenant, name: str, email: str) -> StaffUser:
    doctor = make_doctor(
        session, tenant, name=name, email=email, periods=weekday_periods("08:00", "18:00")
    )
    doctor.password_hash = PASSWORD_HASH
    doctor.color = "#0d9488"
    session.add(doctor)
    return doctor


def _login(email: str) -> str:
    with session_scope(write=True) as session:
        result = auth.login(session, email=email, password=PASSWORD)
    assert result is not None
    return auth.session_key(result[1])


def logged_in_again(staff: Staff) -> Staff:
    """The same person with a fresh session (after a test moved the clock past the idle
    timeout, e.g. to the time of a visit)."""
    return Staff(staff.user, _login(staff.user.email))


@pytest.fixture(autouse=True)
def fresh_login_throttle() -> Iterator[None]:
    """Each test starts with no failed logins counted (the throttle outlives tests)."""
    login_throttle.use(LoginThrottle())
    yield
    login_throttle.use(None)


def build_portal_clinic(slug: str, whatsapp: str) -> PortalClinic:
    with session_scope(write=True) as session:
        tenant = make_tenant(session, slug=slug, whatsapp=whatsapp)
        manager = _user(
            session, tenant, email=f"gerente@{slug}.co", name="Marta Gerente", role="manager"
        )
        support = _user(
            session, tenant, email=f"soporte@{slug}.co", name="Sergio Soporte", role="support"
        )
        doctor = _doctor(session, tenant, "Dra. Ana Ruiz", f"ana@{slug}.co")
        colleague = _doctor(session, tenant, "Dr. Beto Mejía", f"beto@{slug}.co")
        client = clients.find_or_create(
            session, tenant, phone="+573001112233", name="Camila Rodríguez"
        )
        pet = clients.add_pet(session, client, name="Luna", species="gato")
        appointment = booking.create(
            session,
            tenant=tenant,
            actor=SYSTEM,
            data=booking.NewAppointment(
                doctor_id=doctor.id,
                client_id=client.id,
                pet_id=pet.id,
                start_at=FRIDAY_9AM,
                reason="Vacunación anual",
                source=Source.WHATSAPP,
                status=Status.PENDING,
            ),
        )
    return PortalClinic(
        tenant=tenant,
        manager=Staff(manager, _login(manager.email)),
        doctor=Staff(doctor, _login(doctor.email)),
        colleague=Staff(colleague, _login(colleague.email)),
        support=Staff(support, _login(support.email)),
        client=client,
        pet=pet,
        appointment=appointment,
    )


@pytest.fixture
def clinic(db, frozen_clock) -> PortalClinic:  # noqa: ANN001
    return build_portal_clinic("patitas", "+14155550101")


@pytest.fixture
def other_clinic(clinic) -> PortalClinic:  # noqa: ANN001
    return build_portal_clinic("garritas", "+14155550102")


# --------------------------------------------------------------- Reflex handlers


@pytest.fixture
def root_state() -> Iterator[rx.State]:
    """A whole state tree, unattached to any browser, for calling handlers directly."""
    yield rx.State(_reflex_internal_init=True)


def substate(root: rx.State, state_cls: type[rx.State], token: str = "") -> Any:
    """The state of `state_cls`, on a connection whose cookie carries the session key `token`."""
    state = root.get_substate(state_cls.get_full_name().split(".")[1:])
    _connect(state, "/", f"{session_cookie.cookie_name()}={token}" if token else "")
    return state


def at_url(state: Any, path: str) -> None:
    """Makes the state believe the browser is at `path` (as Reflex's router data would)."""
    _connect(state, path, state.router.headers.cookie)


def _connect(state: Any, path: str, cookie: str) -> None:
    headers = {"origin": "http://portal.test", "cookie": cookie}
    state.router = type(state.router).from_router_data(
        {"pathname": path.split("?")[0], "asPath": path, "headers": headers}
    )


def call(state: Any, handler: str, *args: Any) -> Any:
    """Runs an event handler the way Reflex would (its function, on this state).

    A background handler (`@rx.event(background=True)`) runs to its end; its
    events come back as a list. Unattached, `async with self` is a no-op.
    """
    result = type(state).event_handlers[handler].fn(state, *args)
    if inspect.isasyncgen(result):
        result = _run_in_own_loop(_drain(result))
    elif inspect.iscoroutine(result):
        result = _run_in_own_loop(result)
    _check_events(handler, result)
    return result


def _check_events(handler: str, result: Any) -> None:
    """What Reflex accepts from a handler: events, nothing else (it refuses the rest at
    run time, in the browser's session, with a TypeError)."""
    refused = [
        event
        for event in events_of(result)
        if event is not None and not isinstance(event, rx.event.Event | EventHandler | EventSpec)
    ]
    assert not refused, f"{handler} returned {refused!r}, which Reflex refuses"


def _run_in_own_loop(coroutine: Any) -> Any:
    """Runs a coroutine to its end in a thread of its own, so a loop already running in
    this one (Playwright's, when the browser tests ran first) does not get in the way."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _drain(events: AsyncIterator[Any]) -> list[Any]:
    return [event async for event in events]


def events_of(result: Any) -> list[Any]:
    if result is None:
        return []
    return list(result) if isinstance(result, list | tuple) else [result]


def redirected_to(result: Any) -> str | None:
    """The path of a redirect among the returned events, if any."""
    for event in events_of(result):
        handler = getattr(event, "handler", None)
        if handler is not None and handler.fn.__qualname__.endswith("_redirect"):
            for name, value in event.args:
                if getattr(name, "_js_expr", str(name)) == "path":
                    return str(getattr(value, "_var_value", value))
    return None


def toast_text(result: Any) -> str:
    return " ".join(str(getattr(e, "args", "")) for e in events_of(result))


def new_id() -> str:
    return str(uuid.uuid4())
