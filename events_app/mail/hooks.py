"""Extension points where other capabilities add to mail and to the background worker.

Listed here by name, not registered by import side effects, so a reader sees every
contributor in one place.
- An attachment provider takes an OutboxMessage and returns MailParts (the calendar
  capability adds the .ics invite, the tickets capability the inline QR image). Parts
  with a `content_id` are inline images; the composer passes {name: "cid:..."} to the
  mail templates as `inline_images` before rendering them.
- A worker task runs on every loop of `flask deliver-mail` and returns how much work it did
  (the reports capability runs its queued export jobs there). It is called with `drain=True`
  by `deliver-mail --once` (do everything due now, then the command exits) and `drain=False`
  by the long-running loop (a share of the work, so mail is not held up behind it).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

ATTACHMENT_PROVIDERS = [
    "events_app.calendar.mail_parts:invite_parts",
    "events_app.tickets.mail_parts:ticket_parts",
]
WORKER_TASKS = [
    "events_app.reports.jobs:run_due_jobs",
    # Scheduled messages to registrants also go out from the worker, for setups without cron.
    "events_app.registration.message_schedule:run_due_messages",
]


@dataclass
class MailPart:
    filename: str
    maintype: str
    subtype: str
    data: bytes
    params: dict[str, str] = field(default_factory=dict)  # e.g. {"method": "REQUEST"}
    content_id: str | None = None  # set for inline images
    name: str = ""  # how templates refer to an inline image, e.g. "ticket_qr"
    # text/calendar is also added as an alternative body part so clients show Accept/Decline.
    as_alternative: bool = False


def _resolve(spec: str) -> Callable:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def parts_for(message) -> list[MailPart]:
    parts: list[MailPart] = []
    for spec in ATTACHMENT_PROVIDERS:
        parts.extend(_resolve(spec)(message))
    return parts


def run_worker_tasks(*, drain: bool = False) -> int:
    return sum(_resolve(spec)(drain=drain) for spec in WORKER_TASKS)
