"""Login throttling per account and per client address (ASVS V2.2.1), on `limits`.

Each account has stacked moving windows (by default 5 attempts in 15 minutes,
10 in an hour, 20 in a day): once one is full, that account's logins are
refused until its oldest attempt leaves the window, so a lockout grows from
minutes to an hour to a day while failures go on. A successful login clears
the account's windows. Each client address has wider windows of its own
(20 failures in 15 minutes, 100 a day) against one machine trying many
accounts; successes never count there, so a clinic behind one address is not
locked out by its own staff logging in.

An account's attempt is counted before the password is checked, atomically,
so parallel requests cannot slip more guesses in than the window allows.

The windows live in Redis when REDIS_URL is set (shared by every process) and
in this process's memory in the embedded default (one process). When Redis
does not answer, the process falls back to its own memory (and logs it) rather
than refusing every login or admitting every guess.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from backend.core.config import settings

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Refusal:
    """Too many attempts: wait this long (whole seconds, at least 1) before the next one."""

    retry_after_s: int
    scope: str  # "account" or "address"


def account_key(email: str) -> str:
    """The account's key: a digest of the normalised e-mail (no address kept in Redis)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


class LoginThrottle:
    """The attempt windows of every account and client address.

    Args:
        storage_uri: a `limits` storage ("memory://", "redis://host:6379/0").
        account_limits: the account's windows, e.g. "5/15 minutes;10/hour;20/day".
        address_limits: the address's windows.
        key_prefix: prefix of the Redis keys.
        now: the clock the storage uses (tests move the memory storage's clock).
    """

    def __init__(
        self,
        storage_uri: str = "memory://",
        *,
        account_limits: str = "5/15 minutes;10/hour;20/day",
        address_limits: str = "20/15 minutes;100/day",
        key_prefix: str = "login",
        now: Callable[[], float] = time.time,
    ) -> None:
        self._specs = (account_limits, address_limits)
        self.account_limits: Sequence[RateLimitItem] = parse_many(account_limits)
        self.address_limits: Sequence[RateLimitItem] = parse_many(address_limits)
        self._now = now
        self._uri = storage_uri
        options: dict[str, float | str] = {}
        if not storage_uri.startswith("memory"):
            options = {"key_prefix": key_prefix, "socket_timeout": 1, "socket_connect_timeout": 1}
        storage = storage_from_string(storage_uri, wrap_exceptions=True, **options)
        assert isinstance(storage, Storage)  # a synchronous scheme
        self._limiter = MovingWindowRateLimiter(storage)
        self._fallback: LoginThrottle | None = None

    def admit(self, account: str, address: str | None) -> Refusal | None:
        """Counts one attempt on the account; None when it may be checked, else the wait."""
        return self._guarded(lambda limiter: limiter._admit(account, address))

    def failed(self, account: str, address: str | None) -> None:
        """A wrong password: counts against the client address (the account counted at admit)."""
        self._guarded(lambda limiter: limiter._failed(address))

    def succeeded(self, account: str) -> None:
        """A right password: the account's windows start again."""
        self._guarded(lambda limiter: limiter._succeeded(account))

    # ------------------------------------------------------------------ internals

    def _admit(self, account: str, address: str | None) -> Refusal | None:
        key = ("account", account)
        waits = [self._wait(limit, key) for limit in self.account_limits]
        waits += [
            self._wait(limit, ("address", address)) for limit in self.address_limits if address
        ]
        refused = max(waits, default=0)
        if refused:
            scope = "account" if max(waits[: len(self.account_limits)], default=0) else "address"
            return Refusal(retry_after_s=refused, scope=scope)
        for limit in self.account_limits:
            if not self._limiter.hit(limit, *key):  # lost a race with a parallel attempt
                return Refusal(retry_after_s=max(1, self._wait(limit, key)), scope="account")
        return None

    def _failed(self, address: str | None) -> None:
        if address:
            for limit in self.address_limits:
                self._limiter.hit(limit, "address", address)

    def _succeeded(self, account: str) -> None:
        for limit in self.account_limits:
            self._limiter.clear(limit, "account", account)

    def _wait(self, limit: RateLimitItem, key: tuple[str, str]) -> int:
        """Seconds until `limit` has room for one more attempt under `key` (0: room now)."""
        if self._limiter.test(limit, *key):
            return 0
        reset_at, _ = self._limiter.get_window_stats(limit, *key)
        return max(1, math.ceil(reset_at - self._now()))

    def _guarded(self, operation: Callable[[LoginThrottle], T]) -> T:
        try:
            return operation(self)
        except StorageError as exc:
            if self._fallback is None:
                account_limits, address_limits = self._specs
                self._fallback = LoginThrottle(
                    account_limits=account_limits, address_limits=address_limits, now=self._now
                )
            log.error(
                "login throttle storage %s failed (%s); this process counts attempts itself",
                self._uri.split("@")[-1],
                exc,
            )
            return operation(self._fallback)


_throttle: LoginThrottle | None = None


def current() -> LoginThrottle:
    """The process's throttle, built from the settings on first use."""
    global _throttle
    if _throttle is None:
        _throttle = LoginThrottle(
            settings.REDIS_URL or "memory://",
            account_limits=settings.LOGIN_ACCOUNT_LIMITS,
            address_limits=settings.LOGIN_ADDRESS_LIMITS,
            key_prefix=f"{settings.CELERY_QUEUE}:login",
        )
    return _throttle


def use(throttle: LoginThrottle | None) -> None:
    """Replaces the process's throttle (tests); None rebuilds it from the settings."""
    global _throttle
    _throttle = throttle
