"""Calendar parts for outgoing mail (the .ics invite, update or cancellation)."""
from __future__ import annotations


def invite_parts(message) -> list:
    """MailParts to attach to an outbox message; none until the calendar work lands."""
    return []
