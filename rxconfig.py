"""Reflex configuration: the portal (vetassist_app) plus the REST API in one backend process."""

import os

import reflex as rx

from backend.core.config import settings

config = rx.Config(
    app_name="vetassist_app",
    # Only package registries are reachable: no telemetry, no "new version" probe noise.
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal", radius="large"))],
    # A staff portal behind a login has nothing to list in a sitemap.
    disable_plugins=[rx.plugins.SitemapPlugin],
    # Browser origins allowed credentialed CORS and the event WebSocket: PUBLIC_BASE_URL's,
    # ALLOWED_ORIGINS, and loopback on the served port in the embedded default (never "*").
    # The WebSocket also accepts a page served by this very host (vetassist_app.py).
    cors_allowed_origins=settings.allowed_origins(
        os.environ.get("REFLEX_FRONTEND_PORT"), os.environ.get("PORT")
    ),
)
