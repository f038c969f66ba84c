"""Ticket parts for outgoing mail (the inline QR image)."""
from __future__ import annotations


def ticket_parts(message) -> list:
    """MailParts to attach to an outbox message; none until the tickets work lands."""
    return []
