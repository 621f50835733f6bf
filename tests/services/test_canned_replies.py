"""A clinic's canned replies: saved, listed by shortcut, offered after "/"."""

from __future__ import annotations

import pytest

from backend.core.db import session_scope
from backend.domain.errors import Conflict, NotFound, ValidationFailed
from backend.services.chats import canned_replies
from tests.factories import make_tenant


@pytest.fixture
def clinics(db):
    with session_scope(write=True) as session:
        one = make_tenant(session).id
        two = make_tenant(session, slug="otra", whatsapp="+14155550199").id
    return one, two


def _save(tenant_id, shortcut, title="Horario", body="Atendemos de 8 a 18.", reply_id=None):
    return canned_replies.save_reply(
        tenant_id=tenant_id, reply_id=reply_id, shortcut=shortcut, title=title, body=body
    )


def test_replies_are_listed_by_shortcut_for_their_clinic_only(clinics):
    one, two = clinics
    _save(one, "/Horario")
    _save(one, "direccion", "Dirección", "Calle 85 # 15-20")
    _save(two, "precios", "Precios", "Consulta: $50.000")
    assert [r.shortcut for r in canned_replies.clinic_replies(one)] == ["direccion", "horario"]
    assert [r.shortcut for r in canned_replies.clinic_replies(two)] == ["precios"]


def test_a_shortcut_is_used_once_per_clinic(clinics):
    one, two = clinics
    _save(one, "horario")
    _save(two, "horario")  # another clinic may use it
    with pytest.raises(Conflict):
        _save(one, "horario", body="otra cosa")
    assert len(canned_replies.clinic_replies(one)) == 1


def test_a_reply_is_edited_and_deleted(clinics):
    one, _ = clinics
    saved = _save(one, "horario")
    _save(one, "horario", body="Atendemos de 7 a 19.", reply_id=saved.id)
    assert canned_replies.clinic_replies(one)[0].body == "Atendemos de 7 a 19."
    canned_replies.delete_reply(tenant_id=one, reply_id=saved.id)
    assert canned_replies.clinic_replies(one) == []


def test_another_clinics_reply_cannot_be_touched(clinics):
    one, two = clinics
    saved = _save(one, "horario")
    with pytest.raises(NotFound):
        canned_replies.delete_reply(tenant_id=two, reply_id=saved.id)


@pytest.mark.parametrize(
    ("shortcut", "title", "body"),
    [
        ("con espacio", "T", "B"),
        ("", "T", "B"),
        ("ok", "", "B"),
        ("ok", "T", " "),
        ("ok", "T", "x" * 1501),
    ],
)
def test_bad_fields_are_clear_errors(clinics, shortcut, title, body):
    one, _ = clinics
    with pytest.raises(ValidationFailed):
        _save(one, shortcut, title, body)


def test_typing_a_slash_offers_replies_by_shortcut_then_title():
    replies = [
        canned_replies.CannedReplyView(None, "horario", "Horario de atención", "8 a 18"),  # type: ignore[arg-type]
        canned_replies.CannedReplyView(None, "dir", "Cómo llegar (horario de parqueo)", "…"),  # type: ignore[arg-type]
        canned_replies.CannedReplyView(None, "precios", "Precios", "…"),  # type: ignore[arg-type]
    ]
    offered = canned_replies.matching(replies, "/hor")
    assert [r.shortcut for r in offered] == ["horario", "dir"]
    assert len(canned_replies.matching(replies, "/")) == 3
    assert canned_replies.matching(replies, "hola") == []
