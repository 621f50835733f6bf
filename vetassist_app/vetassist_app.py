"""The Reflex app: the staff portal pages plus the REST API/webhooks in the same backend.

`backend.api.main:app` is handed to Reflex as `api_transformer`, so its routes
(`/healthz`, `/api/...`, webhooks) answer on the Reflex backend port and every
other path falls through to Reflex's own endpoints. In front of both,
`session_cookie.with_session_routes` serves the login and logout endpoints that
set and clear the HttpOnly session cookie, and hands Reflex only its digest. Every page is added below,
from one list (Reflex would warn "being redefined" for `@rx.page` pages when it
compiles twice in one process, as the production server does).
"""

from __future__ import annotations

import logging

import reflex as rx

from backend import wiring
from backend.api.main import app as api_app
from backend.core.db import limit_threads_to_pool
from backend.core.heap import freeze_startup_objects
from backend.services.clinics import auth
from backend.workers.inprocess import run_periodic_sweeps
from vetassist_app import session_cookie, styles
from vetassist_app.pages import (
    activate,
    agenda,
    analytics,
    appointment,
    chats,
    clients,
    emergencies,
    follow_ups,
    login,
    not_found,
    pet,
    print_day,
    sandbox,
    settings,
)
from vetassist_app.template import PortalPage

PAGES: tuple[PortalPage, ...] = (
    login.index,
    login.login,
    activate.activate,
    agenda.agenda,
    print_day.print_day,
    appointment.appointment,
    emergencies.emergencies,
    chats.chats,
    follow_ups.follow_ups,
    clients.clients,
    pet.pet,
    analytics.analytics,
    sandbox.sandbox,
    settings.settings,
    not_found.not_found,
)


def show_login_log() -> None:
    """Every staff login outcome (successes are INFO) reaches the server's output with its
    time (ASVS V7.1), unless the deployment configured logging itself: then its handlers
    and levels decide. Reflex configures only its own logger."""
    if logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger(auth.__name__)
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)


async def start_backend() -> None:
    """The portal backend's start-up (a Reflex lifespan task, cancelled at shutdown).

    Wires the process like every entry point (outbox handlers, job runner)
    and, without REDIS_URL, runs reminders, follow-ups and the outbox relay
    on a timer.
    """
    show_login_log()
    wiring.install()
    limit_threads_to_pool()
    freeze_startup_objects()
    await run_periodic_sweeps()


app = rx.App(
    api_transformer=[api_app, session_cookie.with_session_routes],
    html_lang="es",
    style=styles.base_style,
    stylesheets=["/portal.css"],
    head_components=[rx.el.link(rel="icon", href="/favicon.ico")],
)
session_cookie.guard_event_socket(app)
for page in PAGES:
    page.add_to(app)
app.register_lifespan_task(start_backend)
