"""One gateway per account and thread: a job costs its calendar call, not also a token request."""

from __future__ import annotations

import threading
import uuid

import pytest

from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN, FakeGoogle
from backend.integrations.google_calendar.gateway import ConnectionBroken
from backend.integrations.google_calendar.google_client import gateway_for

CALENDAR = "dr.reuso@example.com"


@pytest.fixture(scope="module")
def fake():
    server = FakeGoogle().serve()
    yield server
    server.shutdown()


def account(fake, refresh_token: str = DEFAULT_REFRESH_TOKEN):
    return gateway_for(
        refresh_token=refresh_token,
        client_id="client",
        client_secret="secret",
        base_url=fake.base_url,
        token_uri=fake.token_uri,
    )


def event(hour: int) -> dict:
    return {
        "id": uuid.uuid4().hex,
        "summary": "🐾 Toby",
        "start": {"dateTime": f"2027-03-01T{hour:02d}:00:00-05:00"},
        "end": {"dateTime": f"2027-03-01T{hour:02d}:30:00-05:00"},
    }


def test_repeated_jobs_of_one_account_ask_for_a_token_once(fake):
    # given
    before = fake.token_requests
    # when
    for hour in (8, 9, 10):
        account(fake).insert_event(CALENDAR, event(hour))
    # then
    assert fake.token_requests - before == 1
    assert len(fake.events(CALENDAR)) >= 3


def test_another_refresh_token_gets_its_own_gateway(fake):
    # given
    other = fake.grant_refresh_token()
    # then
    assert account(fake, other) is not account(fake)
    assert account(fake, other) is account(fake, other)


def test_each_thread_builds_its_own_gateway(fake):
    # given
    mine = account(fake)
    theirs: list[object] = []
    # when
    worker = threading.Thread(target=lambda: theirs.append(account(fake)))
    worker.start()
    worker.join()
    # then
    assert theirs and theirs[0] is not mine


def test_a_revoked_account_is_refused_even_with_a_cached_access_token(fake):
    # given
    token = fake.grant_refresh_token()
    account(fake, token).insert_event(CALENDAR, event(11))
    # when
    fake.revoke(token)
    # then
    with pytest.raises(ConnectionBroken):
        account(fake, token).insert_event(CALENDAR, event(12))
