"""Reflex configuration: the portal (vetassist_app) plus the REST API in one backend process."""

import reflex as rx

config = rx.Config(
    app_name="vetassist_app",
    # Only package registries are reachable: no telemetry, no "new version" probe noise.
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal", radius="large"))],
    # A staff portal behind a login has nothing to list in a sitemap.
    disable_plugins=[rx.plugins.SitemapPlugin],
)
