"""The session cookie's endpoints and the layer in front of Reflex, over HTTP (no browser)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from backend.core.config import settings
from backend.services.clinics import auth
from tests.portal.conftest import PASSWORD
from vetassist_app import routes, session_cookie

PORTAL = "http://localhost:3000"  # the embedded default's PUBLIC_BASE_URL


async def echo_cookie(scope: Scope, receive: Receive, send: Send) -> None:
    """Stands in for Reflex and the API: answers with the Cookie header it was given."""
    cookie = dict(scope["headers"]).get(b"cookie", b"").decode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": json.dumps({"cookie": cookie}).encode()})


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(
        session_cookie.with_session_routes(echo_cookie), follow_redirects=False
    ) as client:
        yield client


def _log_in(client: TestClient, email: str, password: str = PASSWORD, origin: str = PORTAL):
    return client.post(
        session_cookie.LOGIN_PATH,
        data={"email": email, "password": password},
        headers={"Origin": origin},
    )


def test_log_in_sets_an_httponly_strict_cookie_and_goes_home(clinic, client) -> None:
    # when
    response = _log_in(client, clinic.support.user.email)

    # then
    assert response.status_code == 303
    assert response.headers["location"] == f"{PORTAL}{routes.CHATS}/"
    cookie = response.headers["set-cookie"]
    token = cookie.split(";")[0].removeprefix("va_session=")
    assert {"HttpOnly", "SameSite=strict", "Path=/", "Max-Age=43200"} <= {
        part.strip() for part in cookie.split(";")
    }
    assert "Secure" not in cookie  # plain http in the embedded default
    assert auth.identify(auth.session_key(token)).role == "support"


def test_log_in_over_https_sets_a_secure_host_only_cookie(clinic, client, monkeypatch) -> None:
    monkeypatch.setattr(settings, "PUBLIC_BASE_URL", "https://clinica.example.com")

    response = _log_in(client, clinic.doctor.user.email, origin="")

    assert response.headers["location"] == f"{routes.AGENDA}/"  # no Origin: same site
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("__Host-va_session=") and "Secure" in cookie


def test_log_in_with_a_wrong_password_goes_back_with_the_reason(clinic, client) -> None:
    response = _log_in(client, clinic.doctor.user.email, "incorrecta")

    assert response.headers["location"] == f"{PORTAL}{routes.LOGIN}/?error=invalid"
    assert "set-cookie" not in response.headers


def test_log_in_throttled_goes_back_with_the_minutes_to_wait(clinic, client) -> None:
    for _ in range(5):
        _log_in(client, clinic.doctor.user.email, "incorrecta")

    response = _log_in(client, clinic.doctor.user.email)

    assert response.headers["location"] == f"{PORTAL}{routes.LOGIN}/?error=throttled&minutes=15"
    assert "set-cookie" not in response.headers


def test_log_in_from_a_foreign_origin_is_refused(clinic, client) -> None:
    response = _log_in(client, clinic.doctor.user.email, origin="https://evil.example")

    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_reflex_and_api_see_the_session_key_never_the_token(clinic, client) -> None:
    token = "the-raw-session-token"

    seen = client.get("/", headers={"Cookie": f"theme=dark; va_session={token}; x=1"}).json()

    assert seen["cookie"] == f"theme=dark; va_session={auth.session_key(token)}; x=1"


def test_log_out_revokes_the_session_and_clears_the_cookie(clinic, client) -> None:
    # given
    token = _log_in(client, clinic.manager.user.email).cookies["va_session"]

    # when
    response = client.post(
        session_cookie.LOGOUT_PATH, headers={"Origin": PORTAL, "Cookie": f"va_session={token}"}
    )

    # then
    assert response.headers["location"] == f"{PORTAL}{routes.LOGIN}/"
    assert 'va_session=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert auth.identify(auth.session_key(token)) is None


@pytest.mark.parametrize(
    ("origin", "host", "accepted"),
    [
        (None, "localhost:3000", True),  # not a browser's cross-origin request
        ("http://localhost:3000", "localhost:3000", True),
        ("http://127.0.0.1:3000", "127.0.0.1:3000", True),
        ("http://192.168.1.10:3000", "192.168.1.10:3000", True),  # a phone on the LAN
        ("https://evil.example", "localhost:3000", False),
        ("http://localhost:3000.evil.example", "localhost:3000", False),
        ("null", "localhost:3000", False),
    ],
)
def test_accepts_origin(origin: str | None, host: str, accepted: bool) -> None:
    environ = {"HTTP_HOST": host, "wsgi.url_scheme": "http"}

    assert session_cookie.accepts_origin(origin, environ) is accepted
