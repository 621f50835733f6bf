"""Fixtures for staff login tests: a login throttle on the test clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import limits.storage.memory
import pytest

from backend.core.clock import clock
from backend.services.clinics import login_throttle
from backend.services.clinics.login_throttle import LoginThrottle


class ClockTime:
    """Stands in for the `time` module inside limits' memory storage: it follows `clock`."""

    @staticmethod
    def time() -> float:
        return clock.now().timestamp()


@pytest.fixture
def throttle(frozen_clock: datetime, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoginThrottle]:
    """A fresh in-memory throttle whose windows move with `clock.advance` (no sleeping)."""
    monkeypatch.setattr(limits.storage.memory, "time", ClockTime)
    fresh = LoginThrottle("memory://", now=ClockTime.time)
    login_throttle.use(fresh)
    yield fresh
    login_throttle.use(None)
