"""Property: any message in any state is answered without crashing or moving illegally."""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from backend.core.clock import utcnow
from backend.core.db import get_engine
from backend.domain.conversation_states import State, can_transition
from backend.models import Conversation, Message
from backend.services.assistant import engine, slots
from backend.services.assistant.inbound import InboundMessage, store_inbound
from backend.services.patients import clients

PHRASES = [
    "hola",
    "sí",
    "no",
    "dale",
    "1",
    "la segunda",
    "mañana a las 9",
    "el viernes",
    "cancelar mi cita",
    "quiero cambiar la cita",
    "cuánto cuesta",
    "mi perro se comió veneno!!",
    "gracias",
    "ninguna",
    "Camila Pérez",
    "¿cuándo es mi cita?",
    "para mi gata Luna",
    "otro horario",
    "ok",
    "👍",
    "🐶🐶🐶",
    "sangre",
    "a las 4:30",
    "la de las 2 de la tarde",
    "Control general",
    "Vómito desde ayer",
    "el martes a las 10",
    "sí, a nombre de Camila",
    "soy Andrés Felipe",
    "quiero hablar con una persona",
    "mejor después",
]
EMOJI = st.sampled_from(["😀", "🐾", "🚨", "❤️", "👍🏽", "🇨🇴", "\u200d", "\ufeff", "🙈"])
TEXTS = st.one_of(
    st.sampled_from(PHRASES),
    st.text(max_size=300),
    st.lists(st.one_of(EMOJI, st.sampled_from(PHRASES), st.text(max_size=10)), max_size=12).map(
        " ".join
    ),
    st.just(""),
    st.just("x" * 5000),
    st.text(min_size=4900, max_size=5000, alphabet=st.characters(codec="utf-8")),
)
OPEN_STATES = [s for s in State if s != State.CLOSED]
NOT_NAMES = {"si", "sí", "no", "dale", "ok", "gracias", "control", "vacuna", "hola", "ninguna"}


def _is_a_name_in(name: str, text: str) -> bool:
    """Letters only, not an answer or a reason, and written in the message itself."""
    words = name.lower().split()
    return (
        all(w.replace("-", "").replace("'", "").isalpha() for w in words)
        and not set(words) & NOT_NAMES
        and all(w in text.lower() for w in words)
    )


def _data_for(state: State, session: Session, clinic, conversation: Conversation) -> dict:
    data: dict = {"clinic_phone": clinic.number}
    if state in (State.OFFER_SLOTS, State.AWAIT_SELECTION, State.CONFIRM_BOOKING, State.ASK_REASON):
        data.update(flow="book", reason="Control general")
        offers = slots.find_offers(
            session,
            clinic.tenant,
            conversation,
            now=utcnow(),
            doctors=slots.offer_doctors(session, clinic.tenant),
        )
        data["offers"] = [o.to_json() for o in offers]
        if state == State.CONFIRM_BOOKING:
            data["choice"] = 0
            data["awaiting_name"] = True  # the summary asked a nameless client its name
    if state == State.CONFIRM_EMERGENCY:
        data["emergency"] = {
            "description": "mi perro se comió veneno",
            "keywords": ["veneno"],
            "category": "poisoning",
        }
    if state == State.GREETING:
        data["pending_text"] = "quiero una cita"
    if state == State.REMINDER:
        data.update(resume="ASK_REASON", flow="book")
    return data


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(state=st.sampled_from(OPEN_STATES), text=TEXTS, known=st.booleans(), media=st.booleans())
def test_any_message_in_any_state_never_crashes_nor_moves_illegally(
    clinic, state, text, known, media
):
    phone = "+5730" + str(uuid.uuid4().int)[:8]
    with Session(get_engine().execution_options(sqlite_write=True)) as session:
        try:
            if known:
                clients.find_or_create(session, clinic.tenant, phone=phone, name="Camila")
            conversation = Conversation(
                tenant_id=clinic.tenant.id, client_phone=phone, state=state.value
            )
            session.add(conversation)
            session.flush()
            conversation.state_data = _data_for(state, session, clinic, conversation)
            message = store_inbound(
                session,
                InboundMessage(
                    tenant_id=clinic.tenant.id,
                    from_phone=phone,
                    to_phone=clinic.number,
                    body=text,
                    media=[{"url": "https://example.com/m.jpg", "content_type": "image/jpeg"}]
                    if media
                    else [],
                    provider_sid="SM" + uuid.uuid4().hex,
                ),
            )
            message.conversation_id = conversation.id
            session.flush()
            turn = engine.respond(
                session,
                tenant=clinic.tenant,
                conversation=conversation,
                message=message,
                now=utcnow(),
            )
            turn.finish()
            assert turn.illegal == []
            hops = turn.conversation.state_data.get("trail", [])
            for hop in hops:
                a, b = hop.split("→")
                assert can_transition(a, b), hop
            sent = session.exec(select(Message).where(Message.direction == "outbound")).all()
            assert all(0 < len(m.body) <= 1600 for m in sent if m.template_sid is None)
            if not known:  # whatever was said, a stored name is a name the client gave
                stored = clients.find_by_phone(session, clinic.tenant, phone)
                if stored is not None and stored.name:
                    assert _is_a_name_in(stored.name, text), (stored.name, text)
        finally:
            session.rollback()
