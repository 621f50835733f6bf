"""Google push for doctors' calendars: channels opened and renewed, notifications checked.

The fake Google posts its notifications over HTTP to the API served on a
local port (`tests.live_api`); the poll they trigger runs in-process, as in
the embedded app. The clock is the real one: the fake dates channels by it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from backend.core.clock import clock, utcnow
from backend.core.config import Settings, settings
from backend.core.db import session_scope
from backend.integrations.google_calendar.fake_server import DEFAULT_REFRESH_TOKEN, FakeGoogle
from backend.models import Alert, CalendarBusyBlock, DoctorCalendar, GoogleConnection
from backend.services.calendar_sync import connections, push
from backend.services.calendar_sync.inbound import poll_connected_calendars, poll_doctor_calendar
from backend.services.calendar_sync.push import ChannelOutcome, NotificationOutcome
from tests.chat import make_clinic
from tests.factories import make_doctor
from tests.google_fake import use_fake_google
from tests.live_api import LiveApi

CALENDAR = "ana@patitas.example.com"
OTHER_CALENDAR = "consultas@group.calendar.google.com"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGoogle]:
    server = FakeGoogle().serve()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def api() -> Iterator[LiveApi]:
    server = LiveApi().start()
    yield server
    server.stop()


@pytest.fixture
def google(fake, api, monkeypatch):
    use_fake_google(monkeypatch, fake)
    monkeypatch.setattr(settings, "GOOGLE_PUSH_URL", f"{api.url}/webhooks/google/calendar")
    yield fake
    fake.push.wait_idle()


@pytest.fixture
def clinic(db, google):
    built = make_clinic()
    connections.connect(slug=built.tenant.slug, refresh_token=DEFAULT_REFRESH_TOKEN)
    connections.set_doctor_calendar(
        slug=built.tenant.slug, doctor_email=built.doctor.email, calendar_id=CALENDAR
    )
    return built


def row(doctor_id: uuid.UUID) -> DoctorCalendar:
    with session_scope(read_only=True) as session:
        return session.exec(
            select(DoctorCalendar).where(DoctorCalendar.doctor_id == doctor_id)
        ).one()


def set_expiry(doctor_calendar_id: uuid.UUID, expires_at: datetime) -> None:
    with session_scope(write=True) as session:
        calendar = session.get(DoctorCalendar, doctor_calendar_id)
        calendar.channel_expires_at = expires_at
        session.add(calendar)


def blocks() -> list[CalendarBusyBlock]:
    with session_scope(read_only=True) as session:
        return list(session.exec(select(CalendarBusyBlock)).all())


def add_event(fake: FakeGoogle, calendar_id: str = CALENDAR) -> dict:
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    return fake.insert(
        calendar_id,
        {
            "summary": "Congreso",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(hours=2)).isoformat()},
        },
    )


def wait_for(predicate, *, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
    return value


def notify(calendar: DoctorCalendar, number: int, **overrides) -> NotificationOutcome:
    headers = {
        "channel_id": calendar.channel_id,
        "token": calendar.channel_token,
        "resource_id": calendar.channel_resource_id,
        "resource_state": "exists",
        "message_number": number,
        **overrides,
    }
    return push.receive_notification(**headers)


def list_calls(fake: FakeGoogle) -> int:
    return sum(1 for method, path in fake.calls if method == "GET" and path.endswith("/events"))


def test_open_channel_saves_the_channel_google_opened(clinic, google):
    # when
    outcome = push.open_channel(row(clinic.doctor.id).id)
    # then
    saved = row(clinic.doctor.id)
    assert outcome is ChannelOutcome.OPENED
    channel = google.channels[saved.channel_id]
    assert channel["resourceId"] == saved.channel_resource_id
    assert channel["token"] == saved.channel_token and len(saved.channel_token) >= 32
    assert channel["address"] == settings.GOOGLE_PUSH_URL
    assert saved.channel_calendar_id == CALENDAR
    assert abs(saved.channel_expires_at - (utcnow() + push.CHANNEL_TTL)) < timedelta(minutes=1)


def test_open_channel_does_nothing_without_a_push_url(clinic, google, monkeypatch):
    monkeypatch.setattr(settings, "GOOGLE_PUSH_URL", None)
    assert push.open_channel(row(clinic.doctor.id).id) is ChannelOutcome.SKIPPED
    assert push.renew_channels() == 0
    assert google.channels == {}


def test_renew_channels_opens_missing_ones_and_leaves_fresh_ones(clinic, google):
    assert push.renew_channels() == 1
    first = row(clinic.doctor.id).channel_id
    assert push.renew_channels() == 0
    assert row(clinic.doctor.id).channel_id == first


def test_renewal_before_expiry_saves_a_new_channel_and_stops_the_old(clinic, google):
    # given: a channel expiring in 12 hours
    calendar_id = row(clinic.doctor.id).id
    push.open_channel(calendar_id)
    old = row(clinic.doctor.id)
    set_expiry(calendar_id, utcnow() + timedelta(hours=12))
    # when
    renewed = push.renew_channels()
    # then
    new = row(clinic.doctor.id)
    assert renewed == 1
    assert new.channel_id != old.channel_id and new.channel_token != old.channel_token
    assert set(google.channels) == {new.channel_id}  # the old one was stopped
    assert new.channel_expires_at > utcnow() + timedelta(days=6)


def test_doctor_moved_to_another_calendar_gets_a_channel_on_it(clinic, google):
    push.open_channel(row(clinic.doctor.id).id)
    old = row(clinic.doctor.id).channel_id
    connections.set_doctor_calendar(
        slug=clinic.tenant.slug, doctor_email=clinic.doctor.email, calendar_id=OTHER_CALENDAR
    )
    # when
    push.renew_channels()
    # then
    new = row(clinic.doctor.id)
    assert new.channel_id != old and new.channel_calendar_id == OTHER_CALENDAR
    assert [c["_calendar"] for c in google.channels.values()] == [OTHER_CALENDAR]


def test_sync_message_is_ignored(clinic, google):
    push.open_channel(row(clinic.doctor.id).id)
    calls = list_calls(google)
    # when
    outcome = notify(row(clinic.doctor.id), 1, resource_state="sync")
    # then
    assert outcome is NotificationOutcome.IGNORED
    assert row(clinic.doctor.id).channel_message_number is None
    assert list_calls(google) == calls  # no poll


def test_repeated_or_older_message_numbers_are_ignored(clinic, google):
    push.open_channel(row(clinic.doctor.id).id)
    calendar = row(clinic.doctor.id)
    calls = list_calls(google)
    # when / then
    assert notify(calendar, 3) is NotificationOutcome.ACCEPTED
    assert notify(calendar, 3) is NotificationOutcome.IGNORED
    assert notify(calendar, 2) is NotificationOutcome.IGNORED
    assert notify(calendar, 4) is NotificationOutcome.ACCEPTED
    saved = row(clinic.doctor.id)
    assert saved.channel_message_number == 4 and saved.push_notified_at is not None
    assert list_calls(google) == calls + 2  # one poll per accepted notification


def test_wrong_token_resource_or_channel_is_refused(clinic, google):
    push.open_channel(row(clinic.doctor.id).id)
    calendar = row(clinic.doctor.id)
    assert notify(calendar, 2, token="x" + calendar.channel_token) is NotificationOutcome.REFUSED
    assert notify(calendar, 2, resource_id="res-other") is NotificationOutcome.REFUSED
    assert notify(calendar, 2, channel_id=str(uuid.uuid4())) is (
        NotificationOutcome.UNKNOWN_CHANNEL
    )
    assert row(clinic.doctor.id).channel_message_number is None


def test_a_change_in_google_reaches_busy_blocks_through_push(clinic, google):
    # given: an open channel and the calendar read once
    calendar_id = row(clinic.doctor.id).id
    push.open_channel(calendar_id)
    poll_doctor_calendar(calendar_id)
    google.push.wait_idle()
    # when: the doctor adds an event in Google, which posts "exists" to our webhook
    started = time.monotonic()
    event = add_event(google)
    stored = wait_for(blocks, what="the busy block from the notification's poll")
    lag = time.monotonic() - started
    # then
    assert [b.google_event_id for b in stored] == [event["id"]]
    google.push.wait_idle()
    posted = google.push.notifications(row(clinic.doctor.id).channel_id)
    assert [(n.state, n.number, n.status) for n in posted][-1] == ("exists", 2, 200)
    assert row(clinic.doctor.id).channel_message_number == 2
    assert lag < 5, f"push lag {lag:.2f}s"


def test_replayed_notification_does_not_poll_again(clinic, google):
    calendar_id = row(clinic.doctor.id).id
    push.open_channel(calendar_id)
    add_event(google)
    wait_for(blocks, what="the first poll")
    google.push.wait_idle()
    calls = list_calls(google)
    # when: Google posts the same notification again
    assert google.push.replay()
    google.push.wait_idle()
    # then: answered 200, nothing read
    assert google.push.notifications()[-1].replayed
    assert google.push.notifications()[-1].status == 200
    assert list_calls(google) == calls


def test_lost_notification_is_caught_by_the_safety_poll(clinic, google):
    # given: push watching, the calendar just read, and the next notification lost
    calendar_id = row(clinic.doctor.id).id
    push.open_channel(calendar_id)
    poll_doctor_calendar(calendar_id)
    google.push.drop_next()
    add_event(google)
    google.push.wait_idle()
    assert google.push.notifications()[-1].dropped
    # when: the poll sweep runs now, and again half an hour later
    first_pass = poll_connected_calendars()
    clock.freeze(utcnow() + push.SAFETY_POLL_EVERY + timedelta(seconds=1))
    try:
        later_pass = poll_connected_calendars()
    finally:
        clock.unfreeze()
    # then
    assert first_pass == 0  # push keeps it fresh: not polled every pass
    assert later_pass == 1 and len(blocks()) == 1


def test_without_push_the_sweep_polls_every_pass(clinic, google, monkeypatch):
    calendar_id = row(clinic.doctor.id).id
    push.open_channel(calendar_id)
    poll_doctor_calendar(calendar_id)
    monkeypatch.setattr(settings, "GOOGLE_PUSH_URL", None)
    assert poll_connected_calendars() == 1


def test_connection_broken_during_renewal_marks_it_broken_once(clinic, google):
    # given: two doctors with calendars, and the clinic's token revoked in Google
    with session_scope(write=True) as session:
        make_doctor(session, clinic.tenant, name="Dr. Luis Gómez", email="luis@patitas.example.com")
    connections.set_doctor_calendar(
        slug=clinic.tenant.slug, doctor_email="luis@patitas.example.com", calendar_id=OTHER_CALENDAR
    )
    google.revoke(DEFAULT_REFRESH_TOKEN)
    # when
    tried = push.renew_channels()
    # then
    assert tried == 2
    with session_scope(read_only=True) as session:
        connection = session.exec(select(GoogleConnection)).one()
        alerts = session.exec(select(Alert).where(Alert.kind == "calendar_connection")).all()
    assert connection.status == connections.BROKEN
    assert len(alerts) == 1
    assert google.channels == {}


def test_stop_channels_for_tenant_stops_and_forgets_them(clinic, google):
    push.open_channel(row(clinic.doctor.id).id)
    # when
    stopped = push.stop_channels_for_tenant(clinic.tenant.id)
    # then
    saved = row(clinic.doctor.id)
    assert stopped == 1
    assert google.channels == {}
    assert saved.channel_id is None and saved.channel_token is None
    assert saved.channel_expires_at is None


def test_settings_refuse_a_push_url_without_https():
    with pytest.raises(ValueError, match="GOOGLE_PUSH_URL"):
        Settings(GOOGLE_PUSH_URL="http://vet.example.com/webhooks/google/calendar")
    assert Settings(GOOGLE_PUSH_URL="https://vet.example.com/webhooks/google/calendar")
    assert Settings(GOOGLE_PUSH_URL="http://127.0.0.1:8000/webhooks/google/calendar")
