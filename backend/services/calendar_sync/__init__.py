"""Keeping doctors' Google Calendars in step with appointments (optional, per clinic)."""
