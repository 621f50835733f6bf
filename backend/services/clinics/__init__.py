"""Clinics and their staff: creating them, finding one by its WhatsApp number, staff login."""
