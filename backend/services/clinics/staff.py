"""The clinic's team: invite by e-mail, deactivate and reactivate, reset a password.

A new person, or one who forgot their password, gets a one-time set-password link
(`/activar/<token>`, valid LINK_HOURS): only the token's SHA-256 is stored, a newer
link replaces the older ones, and using it ends every session of the user. The link
goes out by e-mail through the alert transport; the manager also sees it, because
the embedded default has no SMTP server. A deactivated person cannot log in, and
their open sessions end at once (`auth.identify` checks `is_active` on every event).

There is no general audit table (`AuditLog` is per appointment), so every action is
one structured log line with who did what to whom.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.integrations.alerts import DeliveryFailed, get_alert_transport
from backend.models import DoctorSchedule, StaffInvite, StaffSession, StaffUser, Tenant
from backend.services.actors import Actor
from backend.services.clinics import auth
from backend.services.clinics.clinic_directory import get_clinic

log = logging.getLogger(__name__)

INVITABLE_ROLES = ("doctor", "support", "manager")
LINK_HOURS = 72
LINK_PATH = "/activar/"


@dataclass(frozen=True)
class StaffMember:
    id: uuid.UUID
    full_name: str
    email: str
    role: str
    is_active: bool
    has_password: bool  # False until the invitation's link is used


@dataclass(frozen=True)
class SetPasswordLink:
    """A link just made: shown once to the manager, e-mailed when a transport is set up."""

    url: str
    email: str
    emailed: bool
    expires_at: datetime


@dataclass(frozen=True)
class LinkHolder:
    """Whom a live link belongs to, for the set-password page."""

    full_name: str
    email: str
    clinic_name: str
    purpose: str


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def team_of(tenant_id: uuid.UUID) -> list[StaffMember]:
    """The clinic's staff, active first, then by name."""
    with session_scope(read_only=True) as session:
        users = session.exec(
            select(StaffUser)
            .where(StaffUser.tenant_id == tenant_id)
            .order_by(col(StaffUser.is_active).desc(), col(StaffUser.full_name))
        ).all()
        return [
            StaffMember(
                id=u.id,
                full_name=u.full_name,
                email=u.email,
                role=u.role,
                is_active=u.is_active,
                has_password=bool(u.password_hash),
            )
            for u in users
        ]


def invite(
    *, tenant_id: uuid.UUID, actor: Actor, full_name: str, email: str, role: str
) -> SetPasswordLink:
    """Adds a person without a password and sends them a link to set one.

    Doctors get the default weekly plan, so the settings show what is stored;
    they take no appointments from the assistant until the manager allows it.

    Raises:
        ValidationFailed: no name, not an e-mail, an e-mail already in use, unknown role.
    """
    name = full_name.strip()[:200]
    address = email.strip().lower()
    if not name:
        raise ValidationFailed("the person needs a name", field="fullName")
    if "@" not in address or "." not in address.rsplit("@", 1)[-1] or " " in address:
        raise ValidationFailed("not an e-mail address", field="email")
    if role not in INVITABLE_ROLES:
        raise ValidationFailed(f"role must be one of {', '.join(INVITABLE_ROLES)}", field="role")
    with session_scope(write=True) as session:
        tenant = get_clinic(session, tenant_id)
        if session.exec(select(StaffUser.id).where(StaffUser.email == address)).first():
            raise ValidationFailed(
                "a user with this e-mail exists", field="email", code="email_taken"
            )
        user = StaffUser(
            tenant_id=tenant.id, email=address, password_hash="", full_name=name, role=role
        )
        session.add(user)
        session.flush()
        if role == "doctor":
            session.add(DoctorSchedule(tenant_id=tenant.id, doctor_id=user.id))
        token, expires_at = _new_link(session, user, actor, purpose="invite")
        clinic_name = tenant.name
    _audit("staff_invited", actor, user.id, role=role)
    return _deliver(token, expires_at, address, name, clinic_name, purpose="invite")


def reset_password(*, tenant_id: uuid.UUID, actor: Actor, user_id: uuid.UUID) -> SetPasswordLink:
    """A new set-password link for a person of the clinic (older links stop working).

    The current password keeps working until the link is used.
    """
    with session_scope(write=True) as session:
        tenant = get_clinic(session, tenant_id)
        user = _member(session, tenant.id, user_id)
        purpose = "reset" if user.password_hash else "invite"
        token, expires_at = _new_link(session, user, actor, purpose=purpose)
        email, name, clinic_name = user.email, user.full_name, tenant.name
    _audit("staff_password_link", actor, user_id, purpose=purpose)
    return _deliver(token, expires_at, email, name, clinic_name, purpose=purpose)


def set_active(*, tenant_id: uuid.UUID, actor: Actor, user_id: uuid.UUID, active: bool) -> None:
    """Deactivates (no login; open sessions end now) or reactivates a person.

    Raises:
        ValidationFailed: a manager deactivating themself (the clinic would lose its
            only way back in).
    """
    with session_scope(write=True) as session:
        user = _member(session, tenant_id, user_id)
        if not active and actor.type == "user" and actor.id == str(user.id):
            raise ValidationFailed(
                "you cannot deactivate yourself", field="userId", code="self_deactivation"
            )
        user.is_active = active
        session.add(user)
        if not active:
            _end_sessions(session, user.id)
    _audit("staff_activated" if active else "staff_deactivated", actor, user_id)


def link_holder(token: str) -> LinkHolder | None:
    """Who a link is for, while it is live (unused, not replaced, not expired); else None."""
    with session_scope(read_only=True) as session:
        found = _live_link(session, token)
        if found is None:
            return None
        invite_row, user, tenant = found
        return LinkHolder(
            full_name=user.full_name,
            email=user.email,
            clinic_name=tenant.name,
            purpose=invite_row.purpose,
        )


def set_password_with_link(*, token: str, password: str, repeated: str) -> str:
    """Sets the password of the link's holder and uses the link up: their e-mail.

    Every session of the user ends, as after any password change.

    Raises:
        NotFound: the link is unknown, used, replaced or expired (code "link_invalid").
        ValidationFailed: the two passwords differ, or the rules refuse the password.
    """
    if password != repeated:
        raise ValidationFailed(
            "the passwords differ", field="repeatPassword", code="passwords_differ"
        )
    with session_scope(read_only=True) as session:
        found = _live_link(session, token)
        if found is None:
            raise NotFound("the link is invalid or expired", code="link_invalid")
        _, user, tenant = found
        auth.check_new_password(password, tenant, user.email, user.full_name)
    password_hash = auth.hash_password(password)  # bcrypt: outside the write transaction
    with session_scope(write=True) as session:
        found = _live_link(session, token)
        if found is None:
            raise NotFound("the link is invalid or expired", code="link_invalid")
        invite_row, user, _ = found
        now = utcnow()
        invite_row.used_at = now
        user.password_hash = password_hash
        session.add(invite_row)
        session.add(user)
        _end_sessions(session, user.id)
        email = user.email
    _audit("staff_password_set", Actor(type="user", id=str(user.id), label=email), user.id)
    return email


def _member(session: Session, tenant_id: uuid.UUID, user_id: uuid.UUID) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None or user.tenant_id != tenant_id:
        raise NotFound("staff member not found", field="userId")
    return user


def _new_link(
    session: Session, user: StaffUser, actor: Actor, *, purpose: str
) -> tuple[str, datetime]:
    """A fresh token for `user`; their older live links are revoked."""
    now = utcnow()
    session.exec(
        update(StaffInvite)
        .where(
            col(StaffInvite.user_id) == user.id,
            col(StaffInvite.used_at).is_(None),
            col(StaffInvite.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=LINK_HOURS)
    session.add(
        StaffInvite(
            tenant_id=user.tenant_id,
            user_id=user.id,
            token_hash=_sha256(token),
            purpose=purpose,
            created_by=actor.display[:200],
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return token, expires_at


def _live_link(session: Session, token: str) -> tuple[StaffInvite, StaffUser, Tenant] | None:
    if not token or len(token) > 200:
        return None
    row = session.exec(select(StaffInvite).where(StaffInvite.token_hash == _sha256(token))).first()
    if (
        row is None
        or row.used_at is not None
        or row.revoked_at is not None
        or row.expires_at <= utcnow()
    ):
        return None
    user = session.get(StaffUser, row.user_id)
    tenant = session.get(Tenant, row.tenant_id)
    if user is None or tenant is None or not user.is_active:
        return None
    return row, user, tenant


def _end_sessions(session: Session, user_id: uuid.UUID) -> None:
    session.exec(
        update(StaffSession)
        .where(col(StaffSession.user_id) == user_id, col(StaffSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


def link_url(token: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + LINK_PATH + token


def _deliver(
    token: str, expires_at: datetime, email: str, name: str, clinic_name: str, *, purpose: str
) -> SetPasswordLink:
    """E-mails the link (after the commit); a missing or failing transport is not an error:
    the manager copies the link from the portal instead."""
    url = link_url(token)
    if purpose == "invite":
        subject = f"Te invitaron al portal de {clinic_name}"
        opening = f"{clinic_name} te invitó al portal de VetAssist."
    else:
        subject = f"Nueva contraseña para el portal de {clinic_name}"
        opening = f"{clinic_name} te envió un enlace para crear una nueva contraseña."
    body = (
        f"Hola, {name}:\n\n{opening}\n\n"
        f"Crea tu contraseña aquí (el enlace sirve una sola vez, durante {LINK_HOURS} horas):\n"
        f"{url}\n\nSi no esperabas este correo, ignóralo."
    )
    try:
        get_alert_transport().send_email(to=email, subject=subject, body=body)
        emailed = True
    except DeliveryFailed as exc:
        log.warning("set-password link for %s not e-mailed: %s", _digest(email), exc)
        emailed = False
    return SetPasswordLink(url=url, email=email, emailed=emailed, expires_at=expires_at)


def _digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def _audit(event: str, actor: Actor, user_id: uuid.UUID, **details: object) -> None:
    fields = {"event": event, "actor": actor.display, "user_id": user_id, **details}
    log.info(" ".join(f"{k}={v}" for k, v in fields.items()), extra={"staff": fields})
