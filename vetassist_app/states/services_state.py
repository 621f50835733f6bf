"""The "Servicios" section of the settings: what the clinic offers and how long it takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from backend.domain.errors import ValidationFailed
from backend.domain.service_matching import duration_label
from backend.services.scheduling import calendar_view, services_catalog
from vetassist_app import routes
from vetassist_app.states.access import Viewer, parse_id
from vetassist_app.states.session_state import SessionState


@dataclass
class DoctorToggle:
    id: str = ""
    name: str = ""
    checked: bool = False


@dataclass
class ServiceCard:
    id: str = ""
    name: str = ""
    duration_minutes: int = 30
    buffer_minutes: int = 0
    deposit: bool = False
    active: bool = True
    default: bool = False
    keywords: str = ""
    summary: str = ""
    doctors: list[DoctorToggle] = field(default_factory=list)


def _summary(row: services_catalog.ServiceRow, names: dict[str, str]) -> str:
    who = (
        ", ".join(names.get(str(d), "") for d in row.doctor_ids)
        if row.doctor_ids
        else "Todos los médicos"
    )
    parts = [duration_label(row.duration_minutes)]
    if row.buffer_minutes:
        parts.append(f"margen {row.buffer_minutes} min")
    if row.deposit_required:
        parts.append("con anticipo")
    return " · ".join([*parts, who])


def load_services(viewer: Viewer) -> tuple[list[ServiceCard], list[DoctorToggle]]:
    doctors = [
        DoctorToggle(id=str(d.id), name=d.full_name)
        for d in calendar_view.doctors(viewer.tenant_id)
    ]
    names = {d.id: d.name for d in doctors}
    cards = [
        ServiceCard(
            id=str(row.id),
            name=row.name,
            duration_minutes=row.duration_minutes,
            buffer_minutes=row.buffer_minutes,
            deposit=row.deposit_required,
            active=row.is_active,
            default=row.is_default,
            keywords=", ".join(row.keywords),
            summary=_summary(row, names),
            doctors=[
                DoctorToggle(id=d.id, name=d.name, checked=d.id in {str(x) for x in row.doctor_ids})
                for d in doctors
            ],
        )
        for row in services_catalog.list_services(tenant_id=viewer.tenant_id)
    ]
    return cards, doctors


def _minutes(form: dict[str, Any], name: str, field_name: str) -> int:
    try:
        return int(str(form.get(name, "")).strip())
    except ValueError:
        raise ValidationFailed(
            "Escribe los minutos como un número entero.", field=field_name
        ) from None


def _values(form: dict[str, Any]) -> dict[str, Any]:
    """The form's fields as `services_catalog` takes them."""
    return {
        "name": str(form.get("name", "")),
        "duration_minutes": _minutes(form, "duration_minutes", "durationMinutes"),
        "buffer_minutes": _minutes(form, "buffer_minutes", "bufferMinutes"),
        "deposit_required": str(form.get("deposit", "")) in ("on", "true", "True"),
        "doctor_ids": [
            parse_id(key.removeprefix("doctor_"))
            for key, value in form.items()
            if key.startswith("doctor_") and str(value) in ("on", "true", "True")
        ],
        "keywords": [k for k in str(form.get("keywords", "")).split(",") if k.strip()],
    }


class ServicesState(SessionState):
    services: list[ServiceCard] = []
    doctors: list[DoctorToggle] = []
    version: rx.Field[int] = rx.field(0)

    def _load(self, viewer: Viewer) -> None:
        self.services, self.doctors = load_services(viewer)
        self.version += 1

    def _save(self, action: Any, message: str) -> Any:
        def run(viewer: Viewer) -> Any:
            action(viewer)
            self._load(viewer)
            return rx.toast.success(message)

        return self._run(routes.MANAGEMENT, run)

    @rx.event
    def load(self) -> Any:
        return self._run(routes.MANAGEMENT, self._load)

    @rx.event
    def add_service(self, form: dict[str, Any]) -> Any:
        def add(viewer: Viewer) -> None:
            services_catalog.create_service(tenant_id=viewer.tenant_id, **_values(form))

        return self._save(add, "Servicio agregado.")

    @rx.event
    def save_service(self, form: dict[str, Any]) -> Any:
        def save(viewer: Viewer) -> None:
            services_catalog.update_service(
                tenant_id=viewer.tenant_id,
                service_id=parse_id(str(form.get("service_id", ""))),
                **_values(form),
            )

        return self._save(save, "Servicio guardado.")

    @rx.event
    def deactivate(self, service_id: str) -> Any:
        def stop(viewer: Viewer) -> None:
            services_catalog.deactivate_service(
                tenant_id=viewer.tenant_id, service_id=parse_id(service_id)
            )

        return self._save(stop, "Servicio desactivado: ya no se ofrece al agendar.")
