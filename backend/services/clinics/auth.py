"""Passwords, API keys and portal sessions.

API keys and session tokens are random and long, so a fast SHA-256 is enough
to store them; passwords are human and get bcrypt.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import bcrypt
from sqlmodel import Session, col, select, update

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import ApiKey, StaffSession, StaffUser, Tenant
from backend.services.actors import Actor

ROLES = ("doctor", "manager", "support", "admin")
API_KEY_PREFIX = "va_"


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise ValidationFailed("the password needs at least 8 characters", field="password")
    return bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt()).decode()


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode()[:72], password_hash.encode())
    except ValueError:
        return False


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    *,
    tenant: Tenant,
    email: str,
    password: str,
    full_name: str,
    role: str,
    speciality: str | None = None,
    active_for_ai_booking: bool = False,
    alert_phone: str | None = None,
) -> StaffUser:
    if role not in ROLES:
        raise ValidationFailed(f"role must be one of {', '.join(ROLES)}", field="role")
    email = email.strip().lower()
    if "@" not in email:
        raise ValidationFailed("not an e-mail address", field="email")
    if session.exec(select(StaffUser).where(StaffUser.email == email)).first():
        raise ValidationFailed("a user with this e-mail exists", field="email")
    user = StaffUser(
        tenant_id=tenant.id,
        email=email,
        password_hash=hash_password(password),
        full_name=full_name,
        role=role,
        speciality=speciality,
        active_for_ai_booking=active_for_ai_booking,
        alert_phone=alert_phone,
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class NewApiKey:
    key: ApiKey
    secret: str  # shown once, never stored


def create_api_key(session: Session, *, tenant_id: uuid.UUID, name: str) -> NewApiKey:
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(tenant_id=tenant_id, name=name, prefix=secret[:10], key_hash=_sha256(secret))
    session.add(key)
    session.flush()
    return NewApiKey(key=key, secret=secret)


def find_api_key(session: Session, secret: str) -> ApiKey | None:
    """The live key for `secret`, or None (unknown or revoked)."""
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == _sha256(secret))).first()
    if key is None or key.revoked_at is not None:
        return None
    return key


KEY_CACHE_SECONDS = 30.0
_key_cache: dict[str, tuple[float, ApiKey, Tenant]] = {}
_key_cache_lock = threading.Lock()


def resolve_api_key(secret: str) -> tuple[ApiKey, Tenant] | None:
    """The live key and its clinic, cached in this process for a few seconds.

    Every API request authenticates, so this saves a database round trip per
    request. A revocation takes effect at once in this process and within
    KEY_CACHE_SECONDS in the others.
    """
    digest = _sha256(secret)
    now = time.monotonic()
    with _key_cache_lock:
        hit = _key_cache.get(digest)
    if hit is not None and hit[0] > now:
        return hit[1], hit[2]
    with session_scope(read_only=True) as session:
        key = find_api_key(session, secret)
        tenant = session.get(Tenant, key.tenant_id) if key is not None else None
    if key is None or tenant is None:
        return None
    with _key_cache_lock:
        if len(_key_cache) > 10_000:
            _key_cache.clear()
        _key_cache[digest] = (now + KEY_CACHE_SECONDS, key, tenant)
    return key, tenant


LAST_USED_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Principal:
    """The caller: one clinic and the key acting for it."""

    tenant: Tenant
    actor: Actor


def authenticate_api_key(secret: str) -> Principal | None:
    """The clinic and actor of a live API key, or None (unknown or revoked).

    The key comes from the cache of `resolve_api_key`; its `last_used_at` is
    written in a separate short unit of work, at most every LAST_USED_EVERY
    per key (the cached key remembers the time, so hits within the cache
    window write nothing).
    """
    resolved = resolve_api_key(secret)
    if resolved is None:
        return None
    key, tenant = resolved
    _note_use(key)
    return Principal(tenant=tenant, actor=Actor(type="api_key", id=str(key.id), label=key.name))


def _note_use(key: ApiKey) -> None:
    now = utcnow()
    if key.last_used_at is not None and now - key.last_used_at <= LAST_USED_EVERY:
        return
    key.last_used_at = now
    with session_scope(write=True) as session:
        session.exec(update(ApiKey).where(col(ApiKey.id) == key.id).values(last_used_at=now))


def forget_cached_keys() -> None:
    with _key_cache_lock:
        _key_cache.clear()


def revoke_api_key(session: Session, *, tenant_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None or key.tenant_id != tenant_id:
        raise NotFound("API key not found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
    forget_cached_keys()
    return key


def login(session: Session, *, email: str, password: str) -> tuple[StaffUser, str] | None:
    """A new session token for valid, active credentials; None otherwise."""
    user = session.exec(select(StaffUser).where(StaffUser.email == email.strip().lower())).first()
    if user is None or not user.is_active or not verify_password(password, user.password_hash):
        return None
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            user_id=user.id,
            token_hash=_sha256(token),
            expires_at=utcnow() + timedelta(hours=settings.SESSION_TTL_HOURS),
        )
    )
    session.flush()
    return user, token


def user_for_token(session: Session, token: str | None) -> StaffUser | None:
    """The active user of a live session token, or None."""
    if not token:
        return None
    staff_session = session.exec(
        select(StaffSession).where(StaffSession.token_hash == _sha256(token))
    ).first()
    if (
        staff_session is None
        or staff_session.revoked_at is not None
        or staff_session.expires_at <= utcnow()
    ):
        return None
    user = session.get(StaffUser, staff_session.user_id)
    return user if user is not None and user.is_active else None


def logout(session: Session, token: str) -> None:
    staff_session = session.exec(
        select(StaffSession).where(StaffSession.token_hash == _sha256(token))
    ).first()
    if staff_session is not None and staff_session.revoked_at is None:
        staff_session.revoked_at = utcnow()
        session.add(staff_session)


# ------------------------------------------------------------ portal sessions


@dataclass(frozen=True)
class StaffIdentity:
    """The staff member behind a live portal session, with their clinic, as plain values."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: str
    full_name: str
    email: str
    tenant_name: str
    timezone: str
    country: str
    whatsapp_number: str | None  # the clinic's first WhatsApp number, if it has one


def identify(token: str | None) -> StaffIdentity | None:
    """Who holds this portal session token; None when it is unknown, revoked or expired,
    or the user or the clinic is gone."""
    if not token:
        return None
    with session_scope(read_only=True) as session:
        user = user_for_token(session, token)
        tenant = session.get(Tenant, user.tenant_id) if user is not None else None
        if user is None or tenant is None:
            return None
        return StaffIdentity(
            user_id=user.id,
            tenant_id=tenant.id,
            role=user.role,
            full_name=user.full_name,
            email=user.email,
            tenant_name=tenant.name,
            timezone=tenant.timezone,
            country=tenant.country,
            whatsapp_number=tenant.whatsapp_numbers[0] if tenant.whatsapp_numbers else None,
        )


def sign_in(*, email: str, password: str) -> str | None:
    """A new portal session for valid, active credentials: its token; None otherwise."""
    if not email.strip() or not password:
        return None
    with session_scope(write=True) as session:
        result = login(session, email=email, password=password)
    return result[1] if result is not None else None


def sign_out(token: str) -> None:
    """Revokes a portal session server-side, so the token is useless even if kept."""
    if not token:
        return
    with session_scope(write=True) as session:
        logout(session, token)
