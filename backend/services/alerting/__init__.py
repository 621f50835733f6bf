"""Emergencies and the alerts that reach the clinic's people."""
