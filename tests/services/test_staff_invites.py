"""Inviting staff by e-mail, set-password links, deactivation and password resets."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.integrations.alerts import MemoryTransport, set_alert_transport
from backend.models import DoctorSchedule, StaffInvite, StaffUser, Tenant
from backend.services.actors import Actor
from backend.services.clinics import auth, login_throttle, staff
from backend.services.clinics.login_throttle import LoginThrottle
from tests.factories import make_tenant

NEW_PASSWORD = "caballo bateria grapa correcta"


@pytest.fixture
def mail() -> Iterator[MemoryTransport]:
    transport = MemoryTransport()
    set_alert_transport(transport)
    yield transport
    set_alert_transport(None)


@pytest.fixture
def clinic(db: Engine, frozen_clock: datetime) -> Iterator[tuple[Tenant, StaffUser]]:
    """A clinic with its manager; a fresh login throttle so sign-ins are never refused."""
    login_throttle.use(LoginThrottle("memory://"))
    with session_scope(write=True) as session:
        tenant = make_tenant(session, slug="patitas")
        manager = StaffUser(
            tenant_id=tenant.id,
            email="gerente@patitas.co",
            password_hash=auth.hash_password("otra clave muy larga de gerente"),
            full_name="Marta Gerente",
            role="manager",
        )
        session.add(manager)
    yield tenant, manager
    login_throttle.use(None)


def _actor(user: StaffUser) -> Actor:
    return Actor(type="user", id=str(user.id), label=user.full_name)


def _token(link: staff.SetPasswordLink) -> str:
    return link.url.rsplit("/", 1)[-1]


def _invite(clinic: tuple[Tenant, StaffUser], role: str = "doctor") -> staff.SetPasswordLink:
    tenant, manager = clinic
    return staff.invite(
        tenant_id=tenant.id,
        actor=_actor(manager),
        full_name="Dr. Luis Pardo",
        email=" Luis.Pardo@Patitas.co ",
        role=role,
    )


def _user(email: str = "luis.pardo@patitas.co") -> StaffUser:
    with session_scope(read_only=True) as session:
        user = session.exec(select(StaffUser).where(StaffUser.email == email)).one()
        session.expunge(user)
        return user


def test_invite_creates_user_without_password_and_emails_a_link(clinic, mail):
    link = _invite(clinic)

    user = _user()
    assert user.password_hash == "" and user.role == "doctor" and user.is_active
    assert link.url.startswith("http://localhost:3000/activar/") and link.emailed
    assert [e.to for e in mail.emails] == ["luis.pardo@patitas.co"]
    assert link.url in mail.emails[0].body
    assert "72 horas" in mail.emails[0].body
    with session_scope(read_only=True) as session:
        row = session.exec(select(StaffInvite)).one()
        assert _token(link) not in row.token_hash  # only the digest is stored
        assert row.expires_at == clock.now() + timedelta(hours=72)
        assert session.exec(select(DoctorSchedule).where(DoctorSchedule.doctor_id == user.id)).one()


def test_invite_without_smtp_still_gives_the_manager_the_link(clinic):
    set_alert_transport(None)  # the embedded default: SMTP_HOST unset, every e-mail refused

    link = _invite(clinic)

    assert not link.emailed
    assert staff.link_holder(_token(link)) is not None


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [
        ("no-es-correo", "doctor", "email"),
        ("gerente@patitas.co", "doctor", "email"),
        ("nuevo@patitas.co", "admin", "role"),
    ],
)
def test_invite_refuses_bad_email_taken_email_and_unknown_role(clinic, mail, email, role, field):
    tenant, manager = clinic
    with pytest.raises(ValidationFailed) as refused:
        staff.invite(
            tenant_id=tenant.id, actor=_actor(manager), full_name="X Y", email=email, role=role
        )
    assert refused.value.field == field
    assert mail.emails == []


def test_invited_user_cannot_log_in_before_setting_a_password(clinic, mail):
    _invite(clinic)

    assert auth.sign_in(email="luis.pardo@patitas.co", password="") is None
    assert auth.sign_in(email="luis.pardo@patitas.co", password="anything at all") is None


def test_link_sets_the_password_once_and_the_person_logs_in(clinic, mail):
    token = _token(_invite(clinic))
    holder = staff.link_holder(token)
    assert holder is not None and holder.full_name == "Dr. Luis Pardo"

    email = staff.set_password_with_link(token=token, password=NEW_PASSWORD, repeated=NEW_PASSWORD)

    assert email == "luis.pardo@patitas.co"
    assert auth.sign_in(email=email, password=NEW_PASSWORD) is not None
    assert staff.link_holder(token) is None
    with pytest.raises(NotFound) as reused:
        staff.set_password_with_link(token=token, password=NEW_PASSWORD, repeated=NEW_PASSWORD)
    assert reused.value.code == "link_invalid"


def test_link_refuses_weak_or_mismatched_passwords_and_stays_usable(clinic, mail):
    token = _token(_invite(clinic))

    with pytest.raises(ValidationFailed) as short:
        staff.set_password_with_link(token=token, password="corta", repeated="corta")
    with pytest.raises(ValidationFailed) as differ:
        staff.set_password_with_link(token=token, password=NEW_PASSWORD, repeated="otra cosa")

    assert short.value.field == "password"
    assert differ.value.code == "passwords_differ"
    assert staff.link_holder(token) is not None


def test_link_expires_after_72_hours(clinic, mail):
    token = _token(_invite(clinic))

    clock.advance(timedelta(hours=72, seconds=1))

    assert staff.link_holder(token) is None
    with pytest.raises(NotFound):
        staff.set_password_with_link(token=token, password=NEW_PASSWORD, repeated=NEW_PASSWORD)


def test_unknown_token_is_refused(clinic):
    assert staff.link_holder("no-such-token") is None


def test_deactivated_user_cannot_log_in_and_their_sessions_end(clinic, mail):
    tenant, manager = clinic
    token = _token(_invite(clinic))
    staff.set_password_with_link(token=token, password=NEW_PASSWORD, repeated=NEW_PASSWORD)
    session_token = auth.sign_in(email="luis.pardo@patitas.co", password=NEW_PASSWORD)
    assert session_token is not None
    key = auth.session_key(session_token)
    assert auth.identify(key) is not None

    staff.set_active(tenant_id=tenant.id, actor=_actor(manager), user_id=_user().id, active=False)

    assert auth.identify(key) is None
    assert auth.sign_in(email="luis.pardo@patitas.co", password=NEW_PASSWORD) is None
    staff.set_active(tenant_id=tenant.id, actor=_actor(manager), user_id=_user().id, active=True)
    assert auth.sign_in(email="luis.pardo@patitas.co", password=NEW_PASSWORD) is not None


def test_manager_cannot_deactivate_themself(clinic):
    tenant, manager = clinic
    with pytest.raises(ValidationFailed) as refused:
        staff.set_active(
            tenant_id=tenant.id, actor=_actor(manager), user_id=manager.id, active=False
        )
    assert refused.value.code == "self_deactivation"


def test_reset_gives_a_new_link_and_the_old_one_stops_working(clinic, mail):
    tenant, manager = clinic
    first = _token(_invite(clinic))
    staff.set_password_with_link(token=first, password=NEW_PASSWORD, repeated=NEW_PASSWORD)
    unused = _token(
        staff.reset_password(tenant_id=tenant.id, actor=_actor(manager), user_id=_user().id)
    )

    second = _token(
        staff.reset_password(tenant_id=tenant.id, actor=_actor(manager), user_id=_user().id)
    )
    staff.set_password_with_link(
        token=second, password="otra frase larga distinta", repeated="otra frase larga distinta"
    )

    assert staff.link_holder(unused) is None
    assert "Nueva contraseña" in mail.emails[-1].subject
    assert auth.sign_in(email="luis.pardo@patitas.co", password=NEW_PASSWORD) is None
    assert auth.sign_in(email="luis.pardo@patitas.co", password="otra frase larga distinta")


def test_actions_on_another_clinics_staff_read_as_unknown(clinic, mail):
    _invite(clinic)
    with session_scope(write=True) as session:
        other = make_tenant(session, slug="otra", whatsapp="+14155550199")
    with pytest.raises(NotFound):
        staff.reset_password(tenant_id=other.id, actor=Actor(type="user"), user_id=_user().id)
    with pytest.raises(NotFound):
        staff.set_active(
            tenant_id=other.id, actor=Actor(type="user"), user_id=uuid.uuid4(), active=False
        )


def test_team_lists_pending_invitations(clinic, mail):
    _invite(clinic, role="support")
    team = {m.email: m for m in staff.team_of(clinic[0].id)}
    assert not team["luis.pardo@patitas.co"].has_password
    assert team["gerente@patitas.co"].has_password


def test_actions_are_logged_for_audit(clinic, mail, caplog):
    caplog.set_level(logging.INFO, logger="backend.services.clinics.staff")
    _invite(clinic)
    assert "event=staff_invited actor=user:Marta Gerente" in caplog.text
