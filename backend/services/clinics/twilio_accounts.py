"""A clinic's own Twilio account (a subaccount of the install's, or its own).

Clinics on separate Twilio subaccounts send from their own account and sign
their webhooks with their own auth token; a clinic without one uses the
install's (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN). The token is stored
encrypted (`core.secrets`, SECRETS_KEY).
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass

from sqlmodel import Session, select

from backend.core.db import session_scope
from backend.core.secrets import SecretsUnavailable, decrypt, encrypt
from backend.domain.errors import NotFound, ValidationFailed
from backend.models import Tenant
from backend.services.clinics import clinic_directory

log = logging.getLogger(__name__)
_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_AUTH_TOKEN = re.compile(r"^[0-9a-zA-Z]{32}$")


@dataclass(frozen=True)
class TwilioAccount:
    account_sid: str
    auth_token: str


def account_of(tenant: Tenant) -> TwilioAccount | None:
    """The clinic's own account, if it has one (SecretsUnavailable without SECRETS_KEY)."""
    if not tenant.twilio_account_sid or not tenant.twilio_auth_token_encrypted:
        return None
    return TwilioAccount(tenant.twilio_account_sid, decrypt(tenant.twilio_auth_token_encrypted))


def account_for(session: Session, tenant_id: uuid.UUID) -> TwilioAccount | None:
    """The clinic's account to send through; None (the install's) when it has none, or when
    its token cannot be opened (logged: Twilio then refuses the clinic's number, visibly).
    Every reply sent asks, so the clinic comes from the process's cache."""
    try:
        return account_of(clinic_directory.clinic_to_read(session, tenant_id))
    except NotFound:
        return None
    except SecretsUnavailable as exc:
        log.error("clinic %s has its own Twilio account but %s", tenant_id, exc)
        return None


def webhook_tokens(number: str) -> list[str]:
    """The auth token of the clinic whose WhatsApp number a webhook is about, if it has one."""
    with session_scope(read_only=True) as session:
        tenant = clinic_directory.by_whatsapp_number(session, number)
        account = account_for(session, tenant.id) if tenant is not None else None
    return [account.auth_token] if account else []


def set_account(*, slug: str, account_sid: str, auth_token: str) -> None:
    """Gives the clinic its own Twilio account (the token is encrypted before it is stored).

    Raises:
        NotFound: no clinic with that slug.
        ValidationFailed: not a Twilio account SID (AC + 32 hex) or auth token (32 characters).
        SecretsUnavailable: SECRETS_KEY is not set.
    """
    if not _ACCOUNT_SID.match(account_sid):
        raise ValidationFailed("not a Twilio account SID (AC + 32 hex)", field="account_sid")
    if not _AUTH_TOKEN.match(auth_token):
        raise ValidationFailed("not a Twilio auth token (32 characters)", field="auth_token")
    token = encrypt(auth_token)
    with session_scope(write=True) as session:
        tenant = session.exec(select(Tenant).where(Tenant.slug == slug)).first()
        if tenant is None:
            raise NotFound(f"no clinic '{slug}'")
        tenant.twilio_account_sid = account_sid
        tenant.twilio_auth_token_encrypted = token
        session.add(tenant)
