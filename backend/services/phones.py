"""Phone numbers in E.164, parsed with the clinic's country as the default region."""

from __future__ import annotations

import phonenumbers

from backend.domain.errors import ValidationFailed


def to_e164(raw: str, default_region: str = "CO") -> str:
    """Normalises "300 123 4567", "whatsapp:+57300...", "+57 (300) 123-4567" to "+573001234567"."""
    text = (raw or "").strip()
    if text.lower().startswith("whatsapp:"):
        text = text[len("whatsapp:") :]
    try:
        number = phonenumbers.parse(text, default_region.upper())
    except phonenumbers.NumberParseException:
        raise ValidationFailed(f"'{raw}' is not a phone number", field="phone") from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationFailed(f"'{raw}' is not a valid phone number", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
