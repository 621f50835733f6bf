"""The clinic's team in Settings: invite, deactivate or reactivate, new set-password link.

Only management may do these (`routes.MANAGEMENT`, checked on every event). A new
link is kept in the state only to show it once, so the manager can copy it when the
clinic has no e-mail server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from backend.services.clinics import staff
from vetassist_app import routes
from vetassist_app.formatting import ROLE_LABEL
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState

INVITE_ROLES = [("doctor", "Veterinario/a"), ("support", "Soporte"), ("manager", "Gerencia")]


@dataclass
class StaffRow:
    id: str = ""
    name: str = ""
    email: str = ""
    role: str = ""
    status: str = ""  # activo, pendiente, inactivo
    is_self: bool = False


def staff_rows(viewer: Viewer) -> list[StaffRow]:
    rows = []
    for member in staff.team_of(viewer.tenant_id):
        if not member.is_active:
            status = "inactivo"
        elif not member.has_password:
            status = "pendiente"
        else:
            status = "activo"
        rows.append(
            StaffRow(
                id=str(member.id),
                name=member.full_name,
                email=member.email,
                role=ROLE_LABEL.get(member.role, member.role),
                status=status,
                is_self=member.id == viewer.user_id,
            )
        )
    return rows


class StaffState(SessionState):
    members: rx.Field[list[StaffRow]] = rx.field(default_factory=list)
    link: str = ""
    link_email: str = ""
    link_emailed: bool = False
    form_key: rx.Field[int] = rx.field(0)

    def _load(self, viewer: Viewer) -> None:
        self.members = staff_rows(viewer)

    def _show_link(self, viewer: Viewer, made: staff.SetPasswordLink) -> Any:
        self.link = made.url
        self.link_email = made.email
        self.link_emailed = made.emailed
        self._load(viewer)
        if made.emailed:
            return rx.toast.success(f"Enviamos el enlace a {made.email}.")
        return rx.toast.info("No hay correo configurado: copia el enlace y envíaselo.")

    @rx.event
    def open_team(self) -> Any:
        self.link = ""
        return self._run(routes.MANAGEMENT, self._load)

    @rx.event
    def invite(self, form: dict[str, Any]) -> Any:
        def run(viewer: Viewer) -> Any:
            made = staff.invite(
                tenant_id=viewer.tenant_id,
                actor=viewer.actor,
                full_name=str(form.get("full_name", "")),
                email=str(form.get("email", "")),
                role=str(form.get("role", "") or "doctor"),
            )
            self.form_key += 1
            return self._show_link(viewer, made)

        return self._run(routes.MANAGEMENT, run)

    @rx.event
    def new_link(self, user_id: str) -> Any:
        def run(viewer: Viewer) -> Any:
            made = staff.reset_password(
                tenant_id=viewer.tenant_id, actor=viewer.actor, user_id=parse_id(user_id)
            )
            return self._show_link(viewer, made)

        return self._run(routes.MANAGEMENT, run)

    @rx.event
    def set_active(self, user_id: str, active: bool) -> Any:
        def run(viewer: Viewer) -> Any:
            staff.set_active(
                tenant_id=viewer.tenant_id,
                actor=viewer.actor,
                user_id=parse_id(user_id),
                active=active,
            )
            self._load(viewer)
            if active:
                return rx.toast.success("Acceso reactivado.")
            return rx.toast.success("Acceso desactivado: su sesión se cerró.")

        return self._run(routes.MANAGEMENT, run)

    @rx.event
    def hide_link(self) -> None:
        self.link = ""
