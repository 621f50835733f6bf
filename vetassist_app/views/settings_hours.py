"""Settings: a week of opening hours or of a doctor's work, edited with time pickers.

Each day lists its periods as start/end `<input type="time">` pairs with buttons to
add and remove a period; the rows are named `day_<weekday>_<row>_start|end` and read
back by `settings_state.spans_from_form`. The server checks that each period ends
after it starts and that a day's periods do not overlap (`clinic_settings.check_spans`).
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from vetassist_app.states.settings_state import DayHours, PeriodRow, SettingsState


def period_row(day: ObjectVar[DayHours], period: PeriodRow, scope: rx.Var | str) -> rx.Component:
    prefix = "day_" + day.weekday + "_" + period.id
    return rx.hstack(
        rx.input(
            type="time",
            name=prefix + "_start",
            default_value=period.start,
            aria_label="Desde",
            size="2",
            class_name="va-time-start",
        ),
        rx.text("a", size="2", color_scheme="gray"),
        rx.input(
            type="time",
            name=prefix + "_end",
            default_value=period.end,
            aria_label="Hasta",
            size="2",
            class_name="va-time-end",
        ),
        rx.icon_button(
            rx.icon("x", size=14),
            type="button",
            on_click=SettingsState.remove_period(scope, day.weekday, period.id),
            size="1",
            variant="ghost",
            color_scheme="gray",
            aria_label="Quitar periodo",
            class_name="va-period-remove",
        ),
        align="center",
        spacing="2",
        key=period.id,
    )


def day_periods(day: ObjectVar[DayHours], scope: rx.Var | str) -> rx.Component:
    """One weekday: its label, its periods (or "Cerrado") and a button to add one."""
    return rx.flex(
        rx.text(day.label, size="2", weight="medium", width="6.5rem", flex_shrink="0"),
        rx.vstack(
            rx.cond(
                day.periods.length() == 0,
                rx.text("Cerrado", size="2", color_scheme="gray", class_name="va-day-closed"),
            ),
            rx.foreach(day.periods, lambda period: period_row(day, period, scope)),
            rx.button(
                rx.icon("plus", size=12),
                "Añadir periodo",
                type="button",
                on_click=SettingsState.add_period(scope, day.weekday),
                size="1",
                variant="ghost",
                class_name="va-period-add",
            ),
            spacing="1",
            align="start",
        ),
        gap="0.5rem",
        align="start",
        direction=rx.breakpoints(initial="column", sm="row"),
        width="100%",
        padding_y="0.35rem",
        border_bottom="1px solid var(--gray-3)",
        class_name="va-day",
        data_weekday=day.weekday,
    )


def week_editor(days: rx.Var | list[DayHours], scope: rx.Var | str) -> rx.Component:
    """The seven days of `days`; `scope` is "clinic" or the doctor's id."""
    return rx.vstack(
        rx.foreach(days, lambda day: day_periods(day, scope)),
        spacing="0",
        width="100%",
    )
