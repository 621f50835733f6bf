"""A table of rows from a list in the state, with a line for when the list is empty."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx


def data_table(
    headers: Sequence[str],
    items: Any,
    row: Callable[[Any], rx.Component],
    *,
    empty: str = "",
    **props: Any,
) -> rx.Component:
    """One header cell per name in `headers`, one `row(item)` per item of `items` (a
    list var of the state); `empty` says what an empty list means (nothing when '')."""
    body: list[rx.Component] = [rx.foreach(items, row)]
    if empty:
        body.append(
            rx.cond(
                items.length() == 0,
                rx.table.row(
                    rx.table.cell(
                        rx.text(empty, size="2", color_scheme="gray"), col_span=len(headers)
                    )
                ),
            )
        )
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(*body),
        width="100%",
        **props,
    )


def remove_button(on_click: Any) -> rx.Component:
    """The small red bin at the end of a row."""
    return rx.icon_button(
        rx.icon("trash_2", size=14), on_click=on_click, size="1", variant="soft", color_scheme="red"
    )
