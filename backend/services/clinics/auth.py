"""Passwords, API keys and portal sessions.

API keys and session tokens are random and long, so a fast SHA-256 is enough
to store them; passwords are human and get bcrypt (rules in `passwords`).

Logins go through `login`, the one place a password is checked: it is
throttled per account and per client address (`login_throttle`) and every
outcome is logged (never the password). A portal session ends when it is
revoked, after SESSION_IDLE_MINUTES without an authenticated action, or
SESSION_TTL_HOURS after login, whichever comes first. The session row's
`expires_at` slides: min(last action + idle timeout, login + absolute limit).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from backend.core.clock import utcnow
from backend.core.config import settings
from backend.core.db import session_scope
from backend.domain.errors import DomainError, NotFound, ValidationFailed
from backend.models import ApiKey, StaffSession, StaffUser, Tenant
from backend.services.actors import Actor
from backend.services.clinics import login_throttle, passwords

log = logging.getLogger(__name__)

ROLES = ("doctor", "manager", "support", "admin")
API_KEY_PREFIX = "va_"


class LoginThrottled(DomainError):
    """Too many failed logins for this account or from this address: wait, then retry."""

    code = "login_throttled"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many login attempts; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


def hash_password(password: str) -> str:
    """A bcrypt hash (no rules: callers setting a new password check it first)."""
    return passwords.hash_password(password)


def verify_password(password: str, password_hash: str) -> bool:
    return passwords.verify_password(password, password_hash)


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
    check_new_password(password, tenant, email, full_name)
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


def check_new_password(password: str, tenant: Tenant, *personal: str) -> None:
    """The rules for a new password (`passwords.check_new_password`).

    The one exception is the demo clinic (`is_demo`): its staff share a password
    published in the README and in `make run`'s ready line (`demo1234`), so a rule
    would protect nothing there and would break the documented first login.
    """
    if tenant.is_demo:
        return
    passwords.check_new_password(password, personal=[*personal, tenant.name, tenant.slug])


def change_password(
    session: Session, *, user_id: uuid.UUID, current_password: str, new_password: str
) -> StaffUser:
    """Sets a new password after checking the current one, under the rules for new
    passwords. Every session of the user ends (ASVS V3.3.3): a stolen session does
    not outlive the change, and the user logs in again with the new password.

    Raises:
        ValidationFailed: wrong current password, or a new one the rules refuse.
    """
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFound("user not found")
    if not verify_password(current_password, user.password_hash):
        raise ValidationFailed("the current password is wrong", field="currentPassword")
    tenant = session.get(Tenant, user.tenant_id)
    if tenant is None:
        raise NotFound("clinic not found")
    check_new_password(new_password, tenant, user.email, user.full_name)
    user.password_hash = hash_password(new_password)
    session.add(user)
    session.exec(
        update(StaffSession)
        .where(col(StaffSession.user_id) == user.id, col(StaffSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
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


KEY_CACHE_SECONDS = 1.0
"""How long a process trusts a key it looked up: a revocation made anywhere (another app
process, the portal, the CLI) refuses the key everywhere within this time. One indexed read
per key per second per process costs nothing next to the request it authenticates."""
_key_cache: dict[str, tuple[float, ApiKey, Tenant]] = {}
_key_cache_lock = threading.Lock()


def resolve_api_key(secret: str) -> tuple[ApiKey, Tenant] | None:
    """The live key and its clinic, cached in this process for a few seconds.

    Every API request authenticates; a busy integration's requests share one
    database read a second. A revocation takes effect at once in this process
    and within KEY_CACHE_SECONDS (1 s) in the others.
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


def session_cookie_name() -> str:
    """The portal's session cookie: `__Host-` over https, where the browser then insists
    on Secure, Path=/ and no Domain (the portal sets it, the API's OAuth callback reads it)."""
    return "__Host-va_session" if settings.serves_https else "va_session"


def session_key(token: str) -> str:
    """What the server keeps of a session token (its SHA-256), and all the portal sees of it."""
    return _sha256(token)


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def login(
    session: Session, *, email: str, password: str, address: str | None = None
) -> tuple[StaffUser, str] | None:
    """A new session token for valid, active credentials; None otherwise.

    `address` is the client's IP. See `check_credentials` for the throttle and the log.

    Raises:
        LoginThrottled: too many recent failures for the account or the address.
    """
    user = check_credentials(session, email=email, password=password, address=address)
    if user is None:
        return None
    return user, open_session(session, user)


def check_credentials(
    session: Session, *, email: str, password: str, address: str | None = None
) -> StaffUser | None:
    """The active user with this e-mail and password, or None: the one place a password
    is checked.

    Attempts are throttled per account and per client `address` (`login_throttle`); a
    refused attempt does not even reach the password. Every outcome is logged as one
    structured line with the e-mail's digest, the address and the user id when known.

    Raises:
        LoginThrottled: too many recent failures for the account or the address.
    """
    email = email.strip().lower()
    throttle = login_throttle.current()
    account = login_throttle.account_key(email)
    refusal = throttle.admit(account, address)
    if refusal is not None:
        _log_login(
            "throttled", email, address, scope=refusal.scope, retry_after_s=refusal.retry_after_s
        )
        raise LoginThrottled(refusal.retry_after_s)
    user = session.exec(select(StaffUser).where(StaffUser.email == email)).first()
    if user is None:
        passwords.spend_like_a_check(password)
        reason = "unknown_email"
    elif not user.password_hash:
        passwords.spend_like_a_check(password)
        reason = "no_password_yet"  # invited, set-password link not used yet
    elif not verify_password(password, user.password_hash):
        reason = "bad_password"
    elif not user.is_active:
        reason = "inactive"
    else:
        throttle.succeeded(account)
        _log_login("succeeded", email, address, user_id=user.id)
        return user
    throttle.failed(account, address)
    _log_login("failed", email, address, reason=reason, user_id=user.id if user else None)
    return None


def open_session(session: Session, user: StaffUser) -> str:
    """A new portal session for `user` (credentials already checked): its token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        StaffSession(
            user_id=user.id,
            token_hash=session_key(token),
            created_at=now,
            expires_at=_sliding_expiry(created_at=now, now=now),
        )
    )
    session.flush()
    return token


def _log_login(outcome: str, email: str, address: str | None, **details: object) -> None:
    """One structured line per login attempt: key=value text plus the same fields as `extra`."""
    fields: dict[str, object] = {
        "event": "staff_login",
        "outcome": outcome,
        "email_sha256": _email_digest(email),
        "ip": address or "-",
        **{k: v for k, v in details.items() if v is not None},
    }
    line = " ".join(f"{k}={v}" for k, v in fields.items())
    level = logging.INFO if outcome == "succeeded" else logging.WARNING
    log.log(level, line, extra={"login": fields})


def _sliding_expiry(*, created_at: datetime, now: datetime) -> datetime:
    return min(
        now + timedelta(minutes=settings.SESSION_IDLE_MINUTES),
        created_at + timedelta(hours=settings.SESSION_TTL_HOURS),
    )


TOUCH_EVERY = timedelta(minutes=1)


def live_session(session: Session, key: str | None) -> StaffSession | None:
    """The session with this key unless revoked, idle too long or past the absolute limit."""
    if not key:
        return None
    staff_session = session.exec(select(StaffSession).where(StaffSession.token_hash == key)).first()
    if staff_session is None or not _is_live(
        staff_session.created_at, staff_session.expires_at, staff_session.revoked_at, utcnow()
    ):
        return None
    return staff_session


def _is_live(
    created_at: datetime, expires_at: datetime, revoked_at: datetime | None, now: datetime
) -> bool:
    """Not revoked, not idle past its deadline, not past the absolute limit."""
    return (
        revoked_at is None
        and expires_at > now
        and created_at + timedelta(hours=settings.SESSION_TTL_HOURS) > now
    )


def revoke_session(session: Session, key: str) -> None:
    staff_session = session.exec(select(StaffSession).where(StaffSession.token_hash == key)).first()
    if staff_session is not None and staff_session.revoked_at is None:
        staff_session.revoked_at = utcnow()
        session.add(staff_session)


def _keep_alive(session_id: uuid.UUID, created_at: datetime, expires_at: datetime) -> None:
    """Moves the idle deadline on from now: at most one write a minute per session."""
    now = utcnow()
    renewed = _sliding_expiry(created_at=created_at, now=now)
    if abs(renewed - expires_at) < TOUCH_EVERY:
        return
    with session_scope(write=True) as session:
        session.exec(
            update(StaffSession)
            .where(col(StaffSession.id) == session_id, col(StaffSession.revoked_at).is_(None))
            .values(expires_at=renewed)
        )


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


def identify(key: str | None, *, touch: bool = True) -> StaffIdentity | None:
    """Who holds the portal session with this key (`session_key(token)`); None when it is
    unknown, revoked, idle too long or past its absolute limit, or the user or the clinic
    is gone.

    `touch` (every action a person takes) keeps the session alive; the portal's own
    background refreshes pass False, so an open tab nobody uses still times out.
    """
    if not key:
        return None
    with session_scope(read_only=True) as session:
        row = session.exec(_IDENTITY, params={"key": key}).first()  # type: ignore[call-overload]
    if (
        row is None
        or not row.is_active
        or not _is_live(row.created_at, row.expires_at, row.revoked_at, utcnow())
    ):
        return None
    if touch:
        _keep_alive(row.session_id, row.created_at, row.expires_at)
    return StaffIdentity(
        user_id=row.user_id,
        tenant_id=row.tenant_id,
        role=row.role,
        full_name=row.full_name,
        email=row.email,
        tenant_name=row.tenant_name,
        timezone=row.timezone,
        country=row.country,
        whatsapp_number=row.whatsapp_numbers[0] if row.whatsapp_numbers else None,
    )


_IDENTITY = (
    select(  # type: ignore[call-overload]
        col(StaffSession.id).label("session_id"),
        StaffSession.created_at,
        StaffSession.expires_at,
        StaffSession.revoked_at,
        col(StaffUser.id).label("user_id"),
        StaffUser.tenant_id,
        StaffUser.role,
        StaffUser.full_name,
        StaffUser.email,
        StaffUser.is_active,
        col(Tenant.name).label("tenant_name"),
        Tenant.timezone,
        Tenant.country,
        Tenant.whatsapp_numbers,
    )
    .join(StaffUser, col(StaffUser.id) == StaffSession.user_id)
    .join(Tenant, col(Tenant.id) == StaffUser.tenant_id)
    .where(StaffSession.token_hash == sa.bindparam("key"))
)
"""Who is behind a session key, in one read: every portal event asks."""


def sign_in(*, email: str, password: str, address: str | None = None) -> str | None:
    """A new portal session for valid, active credentials: its token; None otherwise.

    Raises:
        LoginThrottled: too many recent failures (see `login`).
    """
    if not email.strip() or not password:
        return None
    # bcrypt takes a quarter of a second: check outside the write transaction
    # (SQLite's write lock is taken at BEGIN), then open the session in a short one.
    with session_scope(read_only=True) as session:
        user = check_credentials(session, email=email, password=password, address=address)
    if user is None:
        return None
    with session_scope(write=True) as session:
        return open_session(session, user)


def sign_out(key: str) -> None:
    """Revokes a portal session server-side (by its key), so the token is useless even if kept."""
    if not key:
        return
    with session_scope(write=True) as session:
        revoke_session(session, key)
