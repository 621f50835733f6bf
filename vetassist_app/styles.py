"""Module-level style dicts: one look for every page."""

from __future__ import annotations

from reflex.components.component import ComponentStyle

SIDEBAR_WIDTH = "15.5rem"
PAGE_PADDING = "1.75rem 2rem"

# The calendar's scale: pixels per minute of the day.
PX_PER_MINUTE = 1.5
HOUR_HEIGHT = int(60 * PX_PER_MINUTE)

FONT = "'Inter', 'Segoe UI', system-ui, -apple-system, sans-serif"

base_style: ComponentStyle = {
    "font_family": FONT,
    "background_color": "var(--gray-1)",
}

sidebar = {
    "width": SIDEBAR_WIDTH,
    "min_width": SIDEBAR_WIDTH,
    "height": "100vh",
    "position": "sticky",
    "top": "0",
    "padding": "1.25rem 0.9rem",
}

nav_item = {
    "width": "100%",
    "padding": "0.55rem 0.75rem",
    "border_radius": "var(--radius-3)",
    "color": "var(--gray-11)",
    "font_weight": "500",
    "font_size": "0.92rem",
    "_hover": {"background": "var(--gray-4)", "color": "var(--gray-12)"},
}

nav_item_active = {
    **nav_item,
    "background": "var(--accent-4)",
    "color": "var(--accent-12)",
    "_hover": {"background": "var(--accent-5)"},
}

main = {
    "flex": "1",
    "min_width": "0",
    "padding": PAGE_PADDING,
}

card = {
    "background": "white",
    "border": "1px solid var(--gray-4)",
    "border_radius": "var(--radius-4)",
    "box_shadow": "0 1px 2px rgba(16, 24, 40, 0.04)",
}

panel = {**card, "padding": "1.1rem 1.25rem"}

# Calendar
calendar_frame = {
    **card,
    "overflow": "hidden",
}

calendar_column = {
    "position": "relative",
    "flex": "1",
    "min_width": "0",
    "border_left": "1px solid var(--gray-4)",
}

hour_line = {
    "position": "absolute",
    "left": "0",
    "right": "0",
    "border_top": "1px solid var(--gray-3)",
}

block_base = {
    "position": "absolute",
    "overflow": "hidden",
    "border_radius": "6px",
    "padding": "2px 6px",
    "font_size": "11.5px",
    "line_height": "1.3",
    "cursor": "pointer",
    "box_shadow": "0 1px 2px rgba(16, 24, 40, 0.08)",
    "transition": "box-shadow 0.1s ease",
    "_hover": {"box_shadow": "0 2px 8px rgba(16, 24, 40, 0.18)", "z_index": "5"},
}

free_cell = {
    "position": "absolute",
    "left": "3px",
    "right": "3px",
    "border_radius": "6px",
    "border": "1px dashed transparent",
    "cursor": "pointer",
    "display": "flex",
    "align_items": "center",
    "justify_content": "center",
    "color": "transparent",
    "font_size": "11px",
    "_hover": {
        "border_color": "var(--accent-7)",
        "background": "var(--accent-2)",
        "color": "var(--accent-11)",
    },
}

now_line = {
    "position": "absolute",
    "left": "0",
    "right": "0",
    "height": "2px",
    "background": "var(--red-9)",
    "z_index": "4",
    "pointer_events": "none",
}

# Chat
chat_backdrop = {
    "background": "#efeae2",
    "background_image": ("radial-gradient(rgba(0,0,0,0.035) 1px, transparent 1px)"),
    "background_size": "14px 14px",
}

bubble_in = {
    "background": "white",
    "border_radius": "0 10px 10px 10px",
    "padding": "6px 10px 4px 10px",
    "max_width": "72%",
    "box_shadow": "0 1px 0.5px rgba(11,20,26,.13)",
}

bubble_out_assistant = {
    "background": "#d9fdd3",
    "border_radius": "10px 0 10px 10px",
    "padding": "6px 10px 4px 10px",
    "max_width": "72%",
    "box_shadow": "0 1px 0.5px rgba(11,20,26,.13)",
}

bubble_out_staff = {
    **bubble_out_assistant,
    "background": "#cfe9ff",
}

bubble_system = {
    "background": "#fff5c4",
    "border_radius": "8px",
    "padding": "4px 10px",
    "font_size": "12px",
    "color": "var(--gray-11)",
    "max_width": "80%",
}
