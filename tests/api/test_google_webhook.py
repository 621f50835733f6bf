"""POST /webhooks/google/calendar: Google's push notifications, answered by status code."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from backend.core.db import session_scope
from backend.models import DoctorCalendar
from backend.services.calendar_sync import push
from tests.api.conftest import build_clinic

URL = "/webhooks/google/calendar"
CHANNEL = "0b9e5f0c-5d1c-4a52-9a8e-8c1c2f0d9a11"
TOKEN = "tok-" + "a" * 40
RESOURCE = "res-0123456789abcdef"


@pytest.fixture
def channel(db, http):
    clinic = build_clinic("patitas", "+14155550100", http)
    with session_scope(write=True) as session:
        session.add(
            DoctorCalendar(
                tenant_id=clinic.tenant.id,
                doctor_id=clinic.doctor.id,
                calendar_id="ana@example.com",
                channel_id=CHANNEL,
                channel_token=TOKEN,
                channel_resource_id=RESOURCE,
                channel_calendar_id="ana@example.com",
            )
        )
    return clinic


def headers(**overrides: str) -> dict[str, str]:
    base = {
        "X-Goog-Channel-ID": CHANNEL,
        "X-Goog-Channel-Token": TOKEN,
        "X-Goog-Channel-Expiration": "Mon, 07 Dec 2026 16:00:00 GMT",
        "X-Goog-Resource-ID": RESOURCE,
        "X-Goog-Resource-URI": "https://www.googleapis.com/calendar/v3/calendars/ana/events",
        "X-Goog-Resource-State": "exists",
        "X-Goog-Message-Number": "2",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v}


def message_number() -> int | None:
    with session_scope(read_only=True) as session:
        return session.exec(select(DoctorCalendar.channel_message_number)).one()


def test_notification_is_accepted_with_an_empty_200(channel, http):
    response = http.post(URL, headers=headers())
    assert response.status_code == 200 and response.content == b""
    assert message_number() == 2


def test_sync_and_repeated_notifications_answer_200_and_change_nothing(channel, http):
    assert http.post(URL, headers=headers(**{"X-Goog-Resource-State": "sync"})).status_code == 200
    assert message_number() is None
    http.post(URL, headers=headers(**{"X-Goog-Message-Number": "5"}))
    assert http.post(URL, headers=headers(**{"X-Goog-Message-Number": "5"})).status_code == 200
    assert message_number() == 5


def test_wrong_token_is_403_json(channel, http):
    response = http.post(URL, headers=headers(**{"X-Goog-Channel-Token": "tok-other"}))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert message_number() is None


def test_resource_of_another_channel_is_403(channel, http):
    response = http.post(URL, headers=headers(**{"X-Goog-Resource-ID": "res-other"}))
    assert response.status_code == 403


def test_unknown_channel_is_404_json(channel, http):
    response = http.post(URL, headers=headers(**{"X-Goog-Channel-ID": "no-such-channel"}))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "header, value",
    [
        ("X-Goog-Channel-ID", ""),
        ("X-Goog-Channel-Token", ""),
        ("X-Goog-Resource-ID", ""),
        ("X-Goog-Resource-State", ""),
        ("X-Goog-Message-Number", ""),
        ("X-Goog-Message-Number", "dos"),
        ("X-Goog-Message-Number", "-3"),
        ("X-Goog-Message-Number", "9" * 30),
        ("X-Goog-Channel-ID", "x" * 400),
        ("X-Goog-Channel-Token", "two words"),
    ],
)
def test_missing_or_garbled_header_is_400_json(channel, http, header, value):
    response = http.post(URL, headers=headers(**{header: value}))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert message_number() is None


def test_database_failure_is_503_not_500(channel, http, monkeypatch):
    def down(**_):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(push, "receive_notification", down)
    response = http.post(URL, headers=headers())
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
