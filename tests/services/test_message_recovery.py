"""Outbound messages left `sending` by a dead worker: asked of the provider first, never lost,
never sent twice.

The real twilio SDK talks to the local fake of Twilio's Messages resource
(`tests.fakes.TwilioMessages`); a worker's death is a BaseException raised
inside `deliver_message`, which nothing in the send path catches, so what was
committed before it stays exactly as a SIGKILL would leave it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from backend.core.clock import clock
from backend.core.config import settings
from backend.core.db import session_scope
from backend.integrations.whatsapp import SandboxChannel, TwilioChannel, get_channel, set_channel
from backend.models import Message
from backend.services.chats import messaging
from backend.services.chats.messaging import Recovery
from backend.workers.sweeps import SWEEPS_BY_NAME
from tests.chat import make_clinic
from tests.fakes import FakeServer, Recorded, TwilioMessages, fake_server

CLIENT = "+573001112233"
ACCOUNT = "AC" + "0" * 32
TEMPLATE = "HX" + "4" * 32
PAST_THE_LEASE = messaging.SENDING_LEASE + timedelta(seconds=1)


class WorkerKilled(BaseException):
    """The worker process dies here: nothing after this point runs."""


@pytest.fixture
def clinic(db, frozen_clock, monkeypatch):
    monkeypatch.setattr(settings, "PUBLIC_BASE_URL", "https://vet.example.com")
    return make_clinic(contacts=False)


@pytest.fixture
def twilio(clinic) -> Iterator[tuple[TwilioMessages, FakeServer]]:
    messages = TwilioMessages(now=clock.now)
    with fake_server(messages.respond) as server:
        set_channel(TwilioChannel(ACCOUNT, "token", api_base_url=server.url))
        yield messages, server
    set_channel(None)


def _client_wrote(clinic) -> None:
    with session_scope(write=True) as session:
        session.add(
            Message(
                tenant_id=clinic.tenant.id,
                direction="inbound",
                author="client",
                from_phone=CLIENT,
                to_phone=clinic.number,
                body="hola",
                processed_at=clock.now(),
                created_at=clock.now() - timedelta(hours=1),
            )
        )


def _stored_without_hand_over(clinic, body: str) -> uuid.UUID:
    """A queued message whose DELIVER_MESSAGE job was not handed over (it is delivered by hand)."""
    with session_scope(write=True) as session:
        [message] = messaging.queue_text(session, tenant=clinic.tenant, to_phone=CLIENT, body=body)
        session.info.clear()
    return message.id


def _deliver_and_die(message_id: uuid.UUID, monkeypatch, *, after_the_provider: bool) -> None:
    """`deliver_message` claims the message, then its worker dies before or after the HTTP call."""
    channel = get_channel()
    send = channel.send

    def dying_send(**kwargs: Any) -> Any:
        if after_the_provider:
            send(**kwargs)
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr(channel, "send", dying_send)
        with pytest.raises(WorkerKilled):
            messaging.deliver_message(message_id)
    assert _get(message_id).status == "sending"


def _get(message_id: uuid.UUID) -> Message:
    with session_scope(read_only=True) as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message


def _posts(server: FakeServer) -> list[Recorded]:
    return [r for r in server.requests if r.method == "POST"]


def _lookups(server: FakeServer) -> list[Recorded]:
    return [r for r in server.requests if r.method == "GET"]


def run_recovery_sweep() -> int | None:
    return SWEEPS_BY_NAME["stuck-messages"]()


def test_message_abandoned_before_the_http_call_is_sent_once_by_the_sweep(
    clinic, twilio, monkeypatch
):
    # given: a worker claimed the message and died before calling Twilio
    messages, server = twilio
    _client_wrote(clinic)
    message_id = _stored_without_hand_over(clinic, "Tu cita quedó para el lunes a las 9:00")
    _deliver_and_die(message_id, monkeypatch, after_the_provider=False)
    assert _posts(server) == []
    # when
    clock.advance(PAST_THE_LEASE)
    first = run_recovery_sweep()
    second = run_recovery_sweep()
    # then: Twilio was asked first, then the message went out once, through the normal path
    assert (first, second) == (1, 0)
    [lookup] = _lookups(server)
    assert lookup.query()["To"] == f"whatsapp:{CLIENT}"
    assert lookup.query()["From"] == f"whatsapp:{clinic.number}"
    assert "DateSent>" in lookup.query()
    [post] = _posts(server)
    assert post.form()["Body"] == "Tu cita quedó para el lunes a las 9:00"
    stored = _get(message_id)
    assert (stored.status, stored.provider_sid, stored.attempts) == (
        "sent",
        messages.created[0]["sid"],
        2,
    )


def test_message_abandoned_after_twilio_accepted_it_is_matched_not_sent_again(
    clinic, twilio, monkeypatch
):
    # given: Twilio accepted the message and the worker died before recording the answer
    messages, server = twilio
    _client_wrote(clinic)
    message_id = _stored_without_hand_over(clinic, "Recuerda traer el carné de vacunas")
    _deliver_and_die(message_id, monkeypatch, after_the_provider=True)
    assert len(_posts(server)) == 1 and _get(message_id).provider_sid is None
    # when
    clock.advance(PAST_THE_LEASE)
    recovered = run_recovery_sweep()
    # then: Twilio's message is recorded on the row, and nothing else was posted
    assert recovered == 1
    assert len(_posts(server)) == 1
    stored = _get(message_id)
    assert (stored.status, stored.provider_sid, stored.attempts) == (
        "sent",
        messages.created[0]["sid"],
        1,
    )
    # and Twilio's status callbacks now find it
    assert messaging.record_status(messages.created[0]["sid"], "delivered") is True
    assert _get(message_id).status == "delivered"


def test_fresh_claim_inside_the_lease_is_left_alone(clinic, twilio, monkeypatch):
    # given: a claim younger than the lease (its worker may still be on it)
    _, server = twilio
    _client_wrote(clinic)
    message_id = _stored_without_hand_over(clinic, "Hola")
    _deliver_and_die(message_id, monkeypatch, after_the_provider=False)
    # when
    clock.advance(messaging.SENDING_LEASE - timedelta(seconds=1))
    recovered = run_recovery_sweep()
    # then: not even Twilio is asked
    assert recovered == 0
    assert server.requests == []
    assert _get(message_id).status == "sending"


def test_earlier_identical_message_is_not_taken_for_the_stuck_one(clinic, twilio, monkeypatch):
    # given: the same text went out to the same client a minute earlier, and was recorded
    messages, server = twilio
    _client_wrote(clinic)
    with session_scope(write=True) as session:
        [earlier] = messaging.queue_text(
            session, tenant=clinic.tenant, to_phone=CLIENT, body="Gracias"
        )
    assert _get(earlier.id).provider_sid == messages.created[0]["sid"]
    clock.advance(timedelta(minutes=1))
    message_id = _stored_without_hand_over(clinic, "Gracias")
    _deliver_and_die(message_id, monkeypatch, after_the_provider=False)
    # when
    clock.advance(PAST_THE_LEASE)
    recovered = run_recovery_sweep()
    # then: the earlier message's id stays its own; the lost one is sent
    assert recovered == 1
    assert len(_posts(server)) == 2
    assert _get(message_id).provider_sid == messages.created[1]["sid"]
    assert _get(earlier.id).provider_sid == messages.created[0]["sid"]


def test_stuck_message_waits_while_twilio_cannot_be_asked(clinic, twilio, monkeypatch):
    # given: a stuck message, and Twilio's list failing
    messages, server = twilio
    _client_wrote(clinic)
    message_id = _stored_without_hand_over(clinic, "Hola")
    _deliver_and_die(message_id, monkeypatch, after_the_provider=False)
    clock.advance(PAST_THE_LEASE)

    def unavailable(recorded: Recorded) -> tuple[int, dict[str, Any]]:
        if recorded.method == "GET":
            return 503, {"code": 20503, "message": "Service unavailable", "status": 503}
        return messages.respond(recorded)

    server.responder = unavailable
    # when
    recovered = run_recovery_sweep()
    # then: nothing is sent without knowing; once Twilio answers, it is sent once
    assert recovered == 0
    assert _posts(server) == [] and _get(message_id).status == "sending"
    server.responder = messages.respond
    assert run_recovery_sweep() == 1
    assert len(_posts(server)) == 1 and _get(message_id).status == "sent"


def test_stuck_message_without_attempts_left_fails_as_lost(clinic, twilio, monkeypatch):
    # given: the message's last attempt died before calling Twilio
    _, server = twilio
    _client_wrote(clinic)
    message_id = _stored_without_hand_over(clinic, "Hola")
    _deliver_and_die(message_id, monkeypatch, after_the_provider=False)
    with session_scope(write=True) as session:
        session.exec(  # type: ignore[call-overload]
            update(Message)
            .where(col(Message.id) == message_id)
            .values(attempts=messaging.MAX_ATTEMPTS)
        )
    # when
    clock.advance(PAST_THE_LEASE)
    assert messaging.recover_stuck_message(message_id) == Recovery.FAILED
    # then
    stored = _get(message_id)
    assert (stored.status, stored.error_code) == ("failed", "lost")
    assert _posts(server) == []


def test_stuck_template_message_is_matched_by_its_rendered_text(clinic, twilio, monkeypatch):
    # given: outside the 24-hour window the template went out, rendered by Twilio
    messages, server = twilio
    monkeypatch.setattr(settings, "WHATSAPP_TEMPLATE_CONTENT_SID", TEMPLATE)
    messages.templates[TEMPLATE] = "Clínica Patitas: {{1}} Responde a este mensaje."
    message_id = _stored_without_hand_over(clinic, "Tu cita es mañana a las 9:00 AM.")
    _deliver_and_die(message_id, monkeypatch, after_the_provider=True)
    assert messages.created[0]["body"] == (
        "Clínica Patitas: Tu cita es mañana a las 9:00 AM. Responde a este mensaje."
    )
    # when
    clock.advance(PAST_THE_LEASE)
    assert messaging.recover_stuck_message(message_id) == Recovery.MATCHED
    # then
    assert len(_posts(server)) == 1
    assert _get(message_id).provider_sid == messages.created[0]["sid"]


def test_sandbox_recovers_from_its_own_record(clinic):
    # given: two messages left `sending`; the sandbox sent one of them, the other never
    sandbox = SandboxChannel()
    set_channel(sandbox)
    _client_wrote(clinic)
    went_out = _stored_without_hand_over(clinic, "Ya salió")
    never_sent = _stored_without_hand_over(clinic, "Nunca salió")
    with session_scope(write=True) as session:
        session.exec(  # type: ignore[call-overload]
            update(Message)
            .where(col(Message.id).in_([went_out, never_sent]))
            .values(status="sending", attempts=1, status_updated_at=clock.now())
        )
    sandbox.send(from_phone=clinic.number, to_phone=CLIENT, body="Ya salió")
    try:
        # when
        clock.advance(PAST_THE_LEASE)
        recovered = run_recovery_sweep()
    finally:
        set_channel(None)
    # then
    assert recovered == 2
    assert [s["body"] for s in sandbox.sent] == ["Ya salió", "Nunca salió"]
    assert _get(went_out).provider_sid == sandbox.sent[0]["sid"]
    assert _get(never_sent).provider_sid == sandbox.sent[1]["sid"]
    assert {_get(went_out).status, _get(never_sent).status} == {"sent"}
