"""Login throttling: per account and per address, lockouts that grow, on a fake clock."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import redis

from backend.core.clock import clock
from backend.services.clinics.login_throttle import LoginThrottle, Refusal, account_key

ANA = account_key("ana@patitas.co")
BETO = account_key("beto@patitas.co")
HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.9"


def _fail(throttle: LoginThrottle, account: str, address: str = HOME) -> Refusal | None:
    refusal = throttle.admit(account, address)
    if refusal is None:
        throttle.failed(account, address)
    return refusal


def test_admit_refuses_sixth_attempt_within_15_minutes(throttle: LoginThrottle) -> None:
    # given
    for _ in range(5):
        assert _fail(throttle, ANA) is None
        clock.advance(timedelta(seconds=30))

    # when
    refusal = throttle.admit(ANA, HOME)

    # then: until the first failure is 15 minutes old
    assert refusal == Refusal(retry_after_s=15 * 60 - 5 * 30, scope="account")
    assert throttle.admit(BETO, HOME) is None  # another account is not locked


def test_admit_lockout_grows_from_15_minutes_to_an_hour_to_a_day(throttle: LoginThrottle) -> None:
    waits = []
    for _ in range(4):
        while _fail(throttle, ANA, address=f"198.51.100.{len(waits)}") is None:
            pass
        refusal = throttle.admit(ANA, HOME)
        assert refusal is not None
        waits.append(refusal.retry_after_s)
        clock.advance(timedelta(seconds=refusal.retry_after_s + 1))

    # 5 failures → 15 min; 10 in the hour → until the hour's first is an hour old;
    # 20 in the day → until the day's first is a day old
    assert waits[0] == 15 * 60
    assert 15 * 60 < waits[1] <= 3600
    assert waits[3] > 3600 * 12


def test_admit_refused_attempts_do_not_extend_the_lockout(throttle: LoginThrottle) -> None:
    # given
    for _ in range(5):
        _fail(throttle, ANA)

    # when: the attacker keeps trying during the lockout
    for _ in range(50):
        clock.advance(timedelta(seconds=10))
        assert throttle.admit(ANA, HOME) is not None

    # then: the lockout ends 15 minutes after the failures, as announced
    clock.advance(timedelta(seconds=15 * 60 + 1 - 500))
    assert throttle.admit(ANA, HOME) is None


def test_succeeded_clears_the_account(throttle: LoginThrottle) -> None:
    for _ in range(4):
        _fail(throttle, ANA)

    assert throttle.admit(ANA, HOME) is None
    throttle.succeeded(ANA)

    for _ in range(4):
        assert _fail(throttle, ANA) is None


def test_admit_counts_an_attempt_before_the_password_is_checked(throttle: LoginThrottle) -> None:
    """Parallel requests are admitted one window slot each, never more than the limit."""
    admitted = [throttle.admit(ANA, HOME) for _ in range(8)]

    assert admitted[:5] == [None] * 5
    assert all(isinstance(r, Refusal) for r in admitted[5:])


def test_admit_refuses_an_address_trying_many_accounts(throttle: LoginThrottle) -> None:
    # given: 20 failures from one address, over 20 accounts
    for n in range(20):
        assert _fail(throttle, account_key(f"user{n}@patitas.co")) is None

    # when
    refusal = throttle.admit(account_key("new@patitas.co"), HOME)

    # then
    assert refusal is not None and refusal.scope == "address"
    assert throttle.admit(account_key("new@patitas.co"), ELSEWHERE) is None


def test_admit_ignores_successes_from_an_address(throttle: LoginThrottle) -> None:
    for n in range(40):  # a clinic behind one address: all its staff log in, often
        account = account_key(f"user{n % 10}@patitas.co")
        assert throttle.admit(account, HOME) is None
        throttle.succeeded(account)


def _redis_or_skip() -> str:
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return url


def test_redis_throttle_is_shared_between_processes() -> None:
    # given: two throttles (two app processes) on one Redis
    url = _redis_or_skip()
    prefix = f"test-login-{uuid.uuid4().hex[:8]}"
    first, second = LoginThrottle(url, key_prefix=prefix), LoginThrottle(url, key_prefix=prefix)
    try:
        # when
        for _ in range(3):
            _fail(first, ANA)
        for _ in range(2):
            _fail(second, ANA)

        # then
        refusal = first.admit(ANA, HOME)
        assert refusal is not None and 0 < refusal.retry_after_s <= 15 * 60
    finally:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


def test_redis_down_falls_back_to_this_process(caplog: pytest.LogCaptureFixture) -> None:
    # given: nothing listens on port 1
    throttle = LoginThrottle("redis://127.0.0.1:1/0")

    # when
    for _ in range(5):
        _fail(throttle, ANA)

    # then: still throttled, and said so in the log
    assert throttle.admit(ANA, HOME) is not None
    assert "this process counts attempts itself" in caplog.text
