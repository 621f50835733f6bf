"""Form pieces every page shares: a labelled field, the footer of buttons, an action
form, a search box."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.utils.imports import ImportVar
from reflex_base.vars import VarData
from reflex_components_core.el.elements.forms import Form


def field(label: str, *controls: rx.Component, hint: str = "") -> rx.Component:
    """A label above its control (and anything shown under it), with an optional hint."""
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        *controls,
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        spacing="1",
        width="100%",
    )


def form_footer(
    label: str,
    *,
    on_back: Any = None,
    close_dialog: bool = False,
    back_label: str = "Volver",
    **submit: Any,
) -> rx.Component:
    """The submit button at the right of a form, after a way back when there is one:
    `on_back` (a handler) or, in a dialog, closing it."""
    buttons = []
    if on_back is not None or close_dialog:
        back = rx.button(
            back_label,
            type="button",
            variant="soft",
            color_scheme="gray",
            **({"on_click": on_back} if on_back is not None else {}),
        )
        buttons.append(rx.dialog.close(back) if close_dialog else back)
    buttons.append(rx.button(label, type="submit", **submit))
    return rx.hstack(*buttons, justify="end", width="100%")


def action_form(
    title: str,
    *content: rx.Component,
    label: str,
    on_submit: Any,
    on_back: Any,
    **submit: Any,
) -> rx.Component:
    """A small form that finishes one action: a title, its fields, back and submit."""
    return rx.form(
        rx.vstack(
            rx.text(title, weight="medium", size="2"),
            *content,
            form_footer(label, on_back=on_back, **submit),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        width="100%",
    )


def search_box(
    on_submit: Any, *, placeholder: str, value: rx.Var | str, input_id: str | None = None
) -> rx.Component:
    """A search field (its value goes as `query`) with its button."""
    return rx.form(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=16)),
                name="query",
                placeholder=placeholder,
                default_value=value,
                width="100%",
                **({"id": input_id} if input_id else {}),
            ),
            rx.button("Buscar", type="submit", variant="soft"),
            width="100%",
            spacing="2",
        ),
        on_submit=on_submit,
        reset_on_submit=False,
        width="100%",
    )


def backend_url(path: str) -> rx.Var[str]:
    """`path` on the backend the page's event socket talks to (its own origin in
    `make run`; port 8000 of the page's host in `make dev`), resolved in the browser."""
    return rx.Var(
        _js_expr=f"new URL({path!r}, getBackendURL(env.PING)).href",
        _var_data=VarData(
            imports={
                "$/utils/state": "getBackendURL",
                "$/env.json": ImportVar(tag="env", is_default=True),
            }
        ),
    ).to(str)


class BrowserForm(Form):
    """A form the browser itself posts to `action` (Reflex's form would send its fields
    over the event socket instead): for the login and logout endpoints."""

    @classmethod
    def create(cls, *children: Any, **props: Any) -> rx.Component:
        return super(Form, cls).create(*children, **props)  # skips Form's submit handler


def browser_form(*children: rx.Component, action: str | rx.Var[str], **props: Any) -> rx.Component:
    return BrowserForm.create(*children, action=action, method="post", **props)
