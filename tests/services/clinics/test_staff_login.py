"""Staff login and portal sessions: throttle and log, idle and absolute limits, password rules."""

from __future__ import annotations

import logging
from datetime import timedelta

import bcrypt
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from backend.core.clock import clock
from backend.core.db import session_scope
from backend.domain.errors import ValidationFailed
from backend.models import StaffSession, StaffUser, Tenant
from backend.services.clinics import auth, clinic_setup
from backend.services.clinics.login_throttle import LoginThrottle
from tests.factories import make_tenant

PASSWORD = "caballo bateria grapa"
EMAIL = "ana@patitas.co"
ADDRESS = "203.0.113.7"


@pytest.fixture
def tenant(db: Engine, throttle: LoginThrottle) -> Tenant:
    """A clinic with Ana (doctor); cheap bcrypt rounds, the rules are tested on their own."""
    with session_scope(write=True) as session:
        tenant = make_tenant(session, slug="patitas")
        session.add(
            StaffUser(
                tenant_id=tenant.id,
                email=EMAIL,
                password_hash=bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode(),
                full_name="Dra. Ana Ruiz",
                role="doctor",
            )
        )
    return tenant


def _sign_in(password: str = PASSWORD, email: str = EMAIL) -> str | None:
    return auth.sign_in(email=email, password=password, address=ADDRESS)


def _key() -> str:
    token = _sign_in()
    assert token is not None
    return auth.session_key(token)


# ------------------------------------------------------------------ throttle and log


def test_sign_in_failure_is_logged_without_the_password(
    tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="backend.services.clinics.auth")

    assert _sign_in("a wrong guess") is None
    assert _sign_in(email="nadie@patitas.co") is None

    failed = [r for r in caplog.records if "outcome=failed" in r.getMessage()]
    assert [r.login["reason"] for r in failed] == ["bad_password", "unknown_email"]  # type: ignore[attr-defined]
    assert all(r.levelno == logging.WARNING and f"ip={ADDRESS}" in r.getMessage() for r in failed)
    assert "email_sha256=" in failed[0].getMessage()
    assert "a wrong guess" not in caplog.text and EMAIL not in caplog.text


def test_sign_in_sixth_attempt_is_throttled_even_with_the_right_password(
    tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    for _ in range(5):
        assert _sign_in("a wrong guess") is None

    # when
    with pytest.raises(auth.LoginThrottled) as exc:
        _sign_in()

    # then
    assert exc.value.retry_after_s == 15 * 60
    assert "outcome=throttled" in caplog.text and "scope=account" in caplog.text
    clock.advance(timedelta(minutes=15, seconds=1))
    assert _sign_in() is not None


def test_sign_in_success_is_logged_and_forgets_the_failures(
    tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="backend.services.clinics.auth")
    for _ in range(4):
        _sign_in("a wrong guess")

    assert _sign_in() is not None
    for _ in range(4):
        assert _sign_in("a wrong guess") is None  # a fresh allowance of failures

    assert "outcome=succeeded" in caplog.text


# ------------------------------------------------------------------ idle and absolute limits


def test_identify_ends_a_session_idle_for_30_minutes(tenant: Tenant) -> None:
    # given
    key = _key()

    # when: activity every 29 minutes keeps it alive
    for _ in range(3):
        clock.advance(timedelta(minutes=29))
        assert auth.identify(key) is not None

    # then: 30 idle minutes end it
    clock.advance(timedelta(minutes=30))
    assert auth.identify(key) is None


def test_identify_without_touch_does_not_keep_the_session_alive(tenant: Tenant) -> None:
    key = _key()

    clock.advance(timedelta(minutes=20))
    assert auth.identify(key, touch=False) is not None  # a background refresh
    clock.advance(timedelta(minutes=11))

    assert auth.identify(key, touch=False) is None


def test_identify_ends_a_busy_session_after_12_hours(tenant: Tenant) -> None:
    key = _key()

    for _ in range(12 * 3 - 1):
        clock.advance(timedelta(minutes=20))
        assert auth.identify(key) is not None
    clock.advance(timedelta(minutes=20))

    assert auth.identify(key) is None


def test_identify_writes_last_activity_at_most_once_a_minute(tenant: Tenant) -> None:
    def expires_at() -> object:
        with session_scope(read_only=True) as session:
            return session.exec(select(StaffSession.expires_at)).one()

    key = _key()
    first = expires_at()

    clock.advance(timedelta(seconds=50))
    auth.identify(key)
    assert expires_at() == first

    clock.advance(timedelta(seconds=20))
    auth.identify(key)
    assert expires_at() == first + timedelta(seconds=70)  # type: ignore[operator]


def test_sign_out_revokes_by_session_key(tenant: Tenant) -> None:
    key = _key()

    auth.sign_out(key)

    assert auth.identify(key) is None


# ------------------------------------------------------------------ password rules


def test_create_user_refuses_a_short_or_common_password(tenant: Tenant) -> None:
    for weak in ("secreta123", "password1234", "patitas12345678"):
        with pytest.raises(ValidationFailed) as exc, session_scope(write=True) as session:
            clinic_setup.add_doctor(
                session, tenant=tenant, email="beto@patitas.co", full_name="Dr. Beto", password=weak
            )
        assert exc.value.field == "password"


def test_create_user_in_the_demo_clinic_keeps_the_published_password(db: Engine) -> None:
    with session_scope(write=True) as session:
        demo = make_tenant(session, slug="demo", is_demo=True)
        user = auth.create_user(
            session,
            tenant=demo,
            email="gerente@demo.test",
            password="demo1234",
            full_name="Gerente Demo",
            role="manager",
        )

    assert auth.verify_password("demo1234", user.password_hash)


def test_change_password_checks_the_rules_and_ends_every_session(tenant: Tenant) -> None:
    # given
    key = _key()
    with session_scope(read_only=True) as session:
        user_id = session.exec(select(StaffUser.id)).one()

    # when: wrong current password, then a weak new one, then a good one
    for current, new in ((PASSWORD + "x", "otra frase larga y rara"), (PASSWORD, "password1234")):
        with pytest.raises(ValidationFailed), session_scope(write=True) as session:
            auth.change_password(
                session, user_id=user_id, current_password=current, new_password=new
            )
    with session_scope(write=True) as session:
        auth.change_password(
            session,
            user_id=user_id,
            current_password=PASSWORD,
            new_password="otra frase larga y rara",
        )

    # then
    assert auth.identify(key) is None
    assert _sign_in() is None
    assert _sign_in("otra frase larga y rara") is not None
