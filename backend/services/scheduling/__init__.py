"""Appointments and time: booking (the one write path), availability, the calendar view, clinic settings."""
