"""GET /oauth/google/callback: always a redirect to Settings → Google Calendar with the outcome.

The app is served behind the portal's ASGI layer (`with_session_routes`), as in
production, so the session cookie arrives as the browser sends it.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from backend.api.main import app
from backend.core.clock import clock
from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.google_calendar.fake_server import FakeGoogle
from backend.models import GoogleConnection, StaffUser
from backend.services.calendar_sync import oauth
from backend.services.clinics import auth
from tests.google_fake import use_fake_google
from tests.services.test_google_oauth import add_staff, consent
from tests.workers.support import build_clinic
from vetassist_app.session_cookie import with_session_routes

CALLBACK = "/oauth/google/callback"


@pytest.fixture(scope="module")
def fake():
    server = FakeGoogle().serve()
    server.client_id = "client-id"
    yield server
    server.shutdown()


@pytest.fixture
def google(fake, monkeypatch):
    use_fake_google(monkeypatch, fake)
    monkeypatch.setattr(settings, "PUBLIC_BASE_URL", "http://localhost:3000")
    return fake


@pytest.fixture
def browser():
    client = TestClient(with_session_routes(app), follow_redirects=False)
    yield client
    client.close()


@pytest.fixture
def clinic(db, frozen_clock, google):
    built = build_clinic()
    built.manager = add_staff(built, "manager", "gerente@patitas.example.com")
    return built


def cookie_of(user: StaffUser) -> dict[str, str]:
    with session_scope(write=True) as session:
        token = auth.open_session(session, session.get(StaffUser, user.id))
    return {"cookie": f"va_session={token}"}


def outcome(answer) -> dict[str, str]:
    assert answer.status_code == 303, answer.text
    target = urlsplit(answer.headers["location"])
    assert target.path == "/configuracion/"
    return dict(parse_qsl(target.query))


def google_answer(clinic) -> dict[str, str]:
    return consent(oauth.authorization_url(clinic.tenant.id, clinic.manager.id))


def status_of(clinic) -> str | None:
    with session_scope(read_only=True) as session:
        connection = session.exec(
            select(GoogleConnection).where(GoogleConnection.tenant_id == clinic.tenant.id)
        ).first()
        return connection.status if connection else None


def test_callback_connects_the_clinic_and_returns_to_the_google_tab(clinic, browser):
    answer = browser.get(CALLBACK, params=google_answer(clinic), headers=cookie_of(clinic.manager))
    assert outcome(answer) == {"tab": "google", "google": "conectado"}
    assert answer.headers["cache-control"] == "no-store"
    assert status_of(clinic) == "connected"


def test_arriving_from_google_without_the_strict_cookie_reloads_from_our_origin(clinic, browser):
    # when: the cross-site navigation from Google's page carries no SameSite=Strict cookie
    params = google_answer(clinic)
    first = browser.get(CALLBACK, params=params)
    # then: a page that reloads the same URL (now same-site, so the cookie comes along)
    assert first.status_code == 200 and 'http-equiv="refresh"' in first.text
    assert first.headers["referrer-policy"] == "no-referrer"
    target = first.text.split("url=", 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert target.startswith(CALLBACK + "?") and "hop=1" in target
    again = browser.get(target, headers=cookie_of(clinic.manager))
    assert outcome(again)["google"] == "conectado"


def test_reloaded_without_any_session_asks_to_log_in(clinic, browser):
    params = {**google_answer(clinic), "hop": "1"}
    assert outcome(browser.get(CALLBACK, params=params)) == {
        "tab": "google",
        "google": "error",
        "motivo": "sesion",
    }
    assert status_of(clinic) is None


def test_cancel_on_googles_page_is_reported_as_cancelled(clinic, browser, google):
    google.deny_next_consent()
    answer = browser.get(CALLBACK, params=google_answer(clinic))
    assert outcome(answer)["motivo"] == "cancelado"


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"state": "basura", "code": "4/x"}, "invalido"),
        ({"code": "4/x"}, "invalido"),
        ({"error": "server_error"}, "google"),
    ],
)
def test_a_bad_answer_from_google_lands_on_settings_with_a_reason(clinic, browser, params, reason):
    answer = browser.get(CALLBACK, params=params, headers=cookie_of(clinic.manager))
    assert outcome(answer) == {"tab": "google", "google": "error", "motivo": reason}


def test_an_expired_state_lands_on_settings_as_expired(clinic, browser):
    params = google_answer(clinic)
    clock.advance(oauth.STATE_TTL * 2)
    cookie = cookie_of(clinic.manager)
    assert outcome(browser.get(CALLBACK, params=params, headers=cookie))["motivo"] == "vencido"


def test_another_staff_members_session_is_refused(clinic, browser):
    other = add_staff(clinic, "manager", "otro@patitas.example.com")
    answer = browser.get(CALLBACK, params=google_answer(clinic), headers=cookie_of(other))
    assert outcome(answer)["motivo"] == "otra-sesion"
    assert status_of(clinic) is None


def test_an_unexpected_failure_is_a_redirect_never_a_500(clinic, browser, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(oauth, "complete_authorization", explode)
    answer = browser.get(CALLBACK, params=google_answer(clinic), headers=cookie_of(clinic.manager))
    assert outcome(answer)["motivo"] == "google"
