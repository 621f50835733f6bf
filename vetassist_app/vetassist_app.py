"""The Reflex app: the staff portal pages plus the REST API/webhooks in the same backend.

`backend.api.main:app` is handed to Reflex as `api_transformer`, so its routes
(`/healthz`, `/api/...`, webhooks) answer on the Reflex backend port and every
other path falls through to Reflex's own endpoints. Every page is added below,
from one list (Reflex would warn "being redefined" for `@rx.page` pages when it
compiles twice in one process, as the production server does).
"""

from __future__ import annotations

import reflex as rx

from backend import wiring
from backend.api.main import app as api_app
from backend.workers.inprocess import run_periodic_sweeps
from vetassist_app import styles
from vetassist_app.pages import (
    agenda,
    analytics,
    appointment,
    chats,
    clients,
    emergencies,
    follow_ups,
    login,
    not_found,
    sandbox,
    settings,
)
from vetassist_app.template import PortalPage

PAGES: tuple[PortalPage, ...] = (
    login.index,
    login.login,
    agenda.agenda,
    appointment.appointment,
    emergencies.emergencies,
    chats.chats,
    follow_ups.follow_ups,
    clients.clients,
    analytics.analytics,
    sandbox.sandbox,
    settings.settings,
    not_found.not_found,
)


async def start_backend() -> None:
    """The portal backend's start-up (a Reflex lifespan task, cancelled at shutdown).

    Wires the process like every entry point (outbox handlers, job runner)
    and, without REDIS_URL, runs reminders, follow-ups and the outbox relay
    on a timer.
    """
    wiring.install()
    await run_periodic_sweeps()


app = rx.App(
    api_transformer=api_app,
    html_lang="es",
    style=styles.base_style,
    stylesheets=["/portal.css"],
    head_components=[rx.el.link(rel="icon", href="/favicon.ico")],
)
for page in PAGES:
    page.add_to(app)
app.register_lifespan_task(start_backend)
