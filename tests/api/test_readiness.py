"""/readyz: 200 when the database and Redis (when configured) answer, 503 naming what does not."""

from __future__ import annotations

from fastapi.testclient import TestClient

from backend.api.main import create_app
from backend.core.config import settings


def test_ready_when_the_database_answers(db):
    answer = TestClient(create_app()).get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok"}


def test_not_ready_while_redis_is_unreachable(db, monkeypatch):
    monkeypatch.setattr(settings, "REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens there
    answer = TestClient(create_app()).get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}
