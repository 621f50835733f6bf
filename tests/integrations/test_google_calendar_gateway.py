"""The real Google SDK (`GoogleCalendarGateway`) against the local fake of Google Calendar."""

from __future__ import annotations

import uuid

import pytest

from backend.integrations.google_calendar.fake_server import (
    ACCOUNT_EMAIL,
    DEFAULT_REFRESH_TOKEN,
    FakeGoogle,
)
from backend.integrations.google_calendar.gateway import (
    AlreadyExists,
    CalendarError,
    ConnectionBroken,
    SyncTokenExpired,
    is_gone,
)
from backend.integrations.google_calendar.google_client import GoogleCalendarGateway

CALENDAR = "dra.prueba@example.com"


@pytest.fixture(scope="module")
def fake():
    server = FakeGoogle().serve()
    yield server
    server.shutdown()


@pytest.fixture(autouse=True)
def clean(fake):
    fake.reset()
    yield


def gateway(fake, refresh_token: str = DEFAULT_REFRESH_TOKEN) -> GoogleCalendarGateway:
    return GoogleCalendarGateway(
        refresh_token=refresh_token,
        client_id="client",
        client_secret="secret",
        base_url=fake.base_url,
        token_uri=fake.token_uri,
        timeout_s=2,
    )


def body(event_id: str | None = None, hour: int = 9) -> dict:
    event = {
        "summary": "🐾 Luna (gato) · Camila Rodríguez",
        "start": {"dateTime": f"2027-02-01T{hour:02d}:00:00-05:00", "timeZone": "America/Bogota"},
        "end": {"dateTime": f"2027-02-01T{hour:02d}:30:00-05:00", "timeZone": "America/Bogota"},
    }
    if event_id:
        event["id"] = event_id
    return event


def test_insert_get_patch_delete_round_trip(fake):
    # given
    google = gateway(fake)
    event_id = uuid.uuid4().hex
    # when
    created = google.insert_event(CALENDAR, body(event_id))
    google.patch_event(CALENDAR, event_id, {**body(hour=11), "summary": "movida"})
    fetched = google.get_event(CALENDAR, event_id)
    google.delete_event(CALENDAR, event_id)
    # then
    assert created["id"] == event_id
    assert fetched["summary"] == "movida"
    assert fetched["start"]["dateTime"] == "2027-02-01T11:00:00-05:00"
    assert google.get_event(CALENDAR, event_id)["status"] == "cancelled"
    assert fake.events(CALENDAR) == []


def test_insert_with_a_taken_id_raises_already_exists(fake):
    google = gateway(fake)
    event_id = uuid.uuid4().hex
    google.insert_event(CALENDAR, body(event_id))
    with pytest.raises(AlreadyExists) as caught:
        google.insert_event(CALENDAR, body(event_id))
    assert caught.value.status == 409
    assert len(fake.events(CALENDAR)) == 1


def test_deleting_twice_or_an_unknown_event_is_gone(fake):
    google = gateway(fake)
    event_id = uuid.uuid4().hex
    google.insert_event(CALENDAR, body(event_id))
    google.delete_event(CALENDAR, event_id)
    with pytest.raises(CalendarError) as second:
        google.delete_event(CALENDAR, event_id)
    with pytest.raises(CalendarError) as unknown:
        google.delete_event(CALENDAR, uuid.uuid4().hex)
    assert (second.value.status, unknown.value.status) == (410, 404)
    assert is_gone(second.value) and is_gone(unknown.value)
    assert not second.value.retryable


def test_incremental_list_returns_only_changes_since_the_sync_token(fake):
    # given: three events listed in pages of two
    google = gateway(fake)
    ids = [uuid.uuid4().hex for _ in range(3)]
    for event_id in ids:
        google.insert_event(CALENDAR, body(event_id))
    first = google.list_events(CALENDAR)
    assert len(first.items) == 3 and first.next_sync_token
    # when: one moved, one deleted
    google.patch_event(CALENDAR, ids[0], body(hour=15))
    google.delete_event(CALENDAR, ids[1])
    changes = google.list_events(CALENDAR, sync_token=first.next_sync_token)
    # then
    assert {e["id"]: e["status"] for e in changes.items} == {
        ids[0]: "confirmed",
        ids[1]: "cancelled",
    }
    assert changes.next_sync_token


def test_list_pages_until_the_sync_token(fake, monkeypatch):
    google = gateway(fake)
    for _ in range(5):
        google.insert_event(CALENDAR, body(uuid.uuid4().hex))
    monkeypatch.setattr("backend.integrations.google_calendar.fake_server.DEFAULT_PAGE_SIZE", 2)
    seen, page_token, pages = [], None, 0
    while True:
        page = google.list_events(CALENDAR, page_token=page_token)
        pages += 1
        seen += [e["id"] for e in page.items]
        if page.next_page_token is None:
            assert page.next_sync_token
            break
        assert page.next_sync_token is None
        page_token = page.next_page_token
    assert pages == 3
    assert len(set(seen)) == 5


def test_expired_sync_token_raises_sync_token_expired(fake):
    google = gateway(fake)
    token = google.list_events(CALENDAR).next_sync_token
    fake.expire_sync_tokens()
    with pytest.raises(SyncTokenExpired):
        google.list_events(CALENDAR, sync_token=token)


def test_rate_limit_403_is_retryable_but_a_400_is_not(fake):
    google = gateway(fake)
    fake.fail_next(403, reason="rateLimitExceeded")
    with pytest.raises(CalendarError) as limited:
        google.insert_event(CALENDAR, body(uuid.uuid4().hex))
    fake.fail_next(400)
    with pytest.raises(CalendarError) as bad:
        google.insert_event(CALENDAR, body(uuid.uuid4().hex))
    fake.fail_next(403, reason="forbidden")
    with pytest.raises(CalendarError) as forbidden:
        google.insert_event(CALENDAR, body(uuid.uuid4().hex))
    assert limited.value.retryable and limited.value.reason == "rateLimitExceeded"
    assert not bad.value.retryable
    assert not forbidden.value.retryable


@pytest.mark.parametrize("status", [429, 500, 503])
def test_server_errors_and_429_are_retryable(fake, status):
    google = gateway(fake)
    fake.fail_next(status)
    with pytest.raises(CalendarError) as caught:
        google.get_event(CALENDAR, uuid.uuid4().hex)
    assert caught.value.status == status and caught.value.retryable


def test_slow_answer_is_a_retryable_timeout(fake):
    google = gateway(fake)
    fake.delay_next(3)
    with pytest.raises(CalendarError) as caught:
        google.list_events(CALENDAR)
    assert caught.value.retryable


def test_expired_access_token_is_refreshed_transparently(fake):
    google = gateway(fake)
    google.list_events(CALENDAR)
    before = fake.token_requests
    fake.expire_access_tokens()
    google.insert_event(CALENDAR, body(uuid.uuid4().hex))
    assert fake.token_requests == before + 1
    assert len(fake.events(CALENDAR)) == 1


def test_revoked_refresh_token_raises_connection_broken(fake):
    token = fake.grant_refresh_token()
    google = gateway(fake, token)
    google.list_events(CALENDAR)
    fake.revoke(token)
    fake.expire_access_tokens()
    with pytest.raises(ConnectionBroken) as caught:
        google.list_events(CALENDAR)
    assert not caught.value.retryable


def test_unknown_refresh_token_raises_connection_broken(fake):
    with pytest.raises(ConnectionBroken):
        gateway(fake, "never-granted").get_event(CALENDAR, uuid.uuid4().hex)


def test_watch_stop_and_free_busy(fake):
    google = gateway(fake)
    google.insert_event(CALENDAR, body(uuid.uuid4().hex, hour=9))
    transparent = {**body(uuid.uuid4().hex, hour=10), "transparency": "transparent"}
    google.insert_event(CALENDAR, transparent)
    channel = google.watch(
        CALENDAR, channel_id="ch-1", address="https://x.test/hook", token="t", ttl_s=60
    )
    busy = google.free_busy(
        [CALENDAR], time_min="2027-02-01T00:00:00Z", time_max="2027-02-02T00:00:00Z"
    )
    google.stop_channel(channel.id, channel.resource_id)
    assert channel.expiration_ms and "ch-1" not in fake.channels
    assert busy == {
        CALENDAR: [{"start": "2027-02-01T14:00:00.000Z", "end": "2027-02-01T14:30:00.000Z"}]
    }


def test_list_calendars_reads_every_page_with_role_and_primary_flag(fake):
    # given: more calendars than one page of the calendar list holds
    for n in range(120):
        fake.add_calendar(f"c_{n:03d}@group.calendar.google.com", f"Sala {n:03d}", "writer")
    # when
    calendars = gateway(fake).list_calendars()
    # then
    assert len(calendars) == 3 + 120
    primary = [c for c in calendars if c.primary]
    assert [(c.id, c.access_role) for c in primary] == [(ACCOUNT_EMAIL, "owner")]
    by_id = {c.id: c for c in calendars}
    assert by_id["c_consultas@group.calendar.google.com"].summary == "Consultas"
    assert by_id["es.co#holiday@group.v.calendar.google.com"].access_role == "reader"
    assert by_id["c_119@group.calendar.google.com"].summary == "Sala 119"
