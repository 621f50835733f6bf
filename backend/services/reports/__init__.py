"""Figures for the manager."""
