"""Phone numbers in E.164, parsed with the clinic's country as the default region."""

from __future__ import annotations

import functools

import phonenumbers

from backend.domain.errors import ValidationFailed


def to_e164(raw: str, default_region: str = "CO") -> str:
    """Normalises "300 123 4567", "whatsapp:+57300...", "+57 (300) 123-4567" to "+573001234567"."""
    return _e164(raw or "", default_region.upper())


@functools.lru_cache(maxsize=4096)
def _e164(raw: str, default_region: str) -> str:
    """`to_e164`, remembered: every webhook parses its clinic's number and a returning
    client's, and libphonenumber's parse is the costly part (refusals are not kept)."""
    text = raw.strip()
    if text.lower().startswith("whatsapp:"):
        text = text[len("whatsapp:") :]
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        raise ValidationFailed(f"'{raw}' is not a phone number", field="phone") from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationFailed(f"'{raw}' is not a valid phone number", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
