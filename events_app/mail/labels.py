"""Words for outbox codes as operators read them; the codes stay in the rows and any JSON."""
from __future__ import annotations

from flask_babel import pgettext

from ..enums import OutboxStatus


def status_label(status: OutboxStatus | str) -> str:
    # A context: the reports catalogue translates a plain "Queued" for export jobs (待機中).
    return {
        OutboxStatus.QUEUED: pgettext("mail status", "Queued"),
        OutboxStatus.SENDING: pgettext("mail status", "Sending"),
        OutboxStatus.SENT: pgettext("mail status", "Sent"),
        OutboxStatus.FAILED: pgettext("mail status", "Failed"),
    }[OutboxStatus(status)]


def language_label(code: str) -> str:
    """A mail's language in its own name, as language pickers show it."""
    return {"ja": "日本語", "en": "English"}.get(code or "ja", code)
