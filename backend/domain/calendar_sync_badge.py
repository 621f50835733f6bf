"""What the portal's Google Calendar badge says about an appointment."""

from __future__ import annotations

OFF = "off"  # the clinic or the doctor is not connected
PENDING = "pending"  # a sync is on its way (or retrying)
FAILED = "failed"
OK = "ok"
REVIEW = "review"  # a change made in Google waits for a person (google_changes)


def sync_state(
    *,
    sync_ok: bool | None,
    event_id: str | None,
    synced_version: int | None,
    version: int,
    needs_review: bool = False,
) -> str:
    """REVIEW, OFF, PENDING, FAILED or OK.

    An event id is given when a sync is first submitted, so an appointment
    with one whose current version is not on Google yet is pending. A review
    outranks the rest: Google and VetAssist disagree until a person decides.
    """
    if needs_review:
        return REVIEW
    if sync_ok is False:
        return FAILED
    if synced_version is not None and synced_version >= version:
        return OK
    if event_id is not None:
        return PENDING
    return OK if sync_ok else OFF
