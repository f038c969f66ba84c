"""Queueing mail: a row in the outbox, in the caller's transaction. Delivery is the worker's."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from ..database import utcnow
from ..driver_statements import DriverStatement
from ..extensions import db
from .models import OutboxMessage


def keeps_mail_in_outbox() -> bool:
    """Development without MAIL_SERVER: the worker keeps mail for the outbox page instead of sending it."""
    return not current_app.config.get("MAIL_SERVER")


def enqueue(template: str, *, to: str, language: str = "ja", registration=None, event=None,
            payload: dict[str, Any] | None = None, dedupe_key: str | None = None) -> OutboxMessage:
    """Add a mail to the outbox within the current transaction (no commit here).

    `template` names templates/emails/<template>.subject.txt, .txt and .html. The composer
    renders them at send time with: message, registration, event, person, payload, links,
    inline_images, in `language`.
    """
    message = OutboxMessage(
        to_address=to,
        template=template,
        language=language,
        payload=payload or {},
        registration_id=getattr(registration, "id", None),
        event_id=getattr(event, "id", None) or getattr(registration, "event_id", None),
        dedupe_key=dedupe_key,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def enqueue_row(template: str, *, to: str, language: str = "ja", registration_id: int | None = None,
                event_id: int | None = None, payload: dict[str, Any] | None = None,
                dedupe_key: str | None = None, connection=None) -> None:
    """`enqueue` as one Core INSERT (the same row and column defaults, no ORM object), for hot
    paths that hold ids rather than loaded objects. Within the current transaction (`connection`
    when the caller holds it), no commit."""
    _INSERT_ONE_OUTBOX.execute(connection if connection is not None else db.session.connection(), _outbox_values(
        template, to=to, language=language, registration_id=registration_id, event_id=event_id,
        payload=payload, dedupe_key=dedupe_key, now=utcnow()))


_INSERT_OUTBOX = sa.insert(OutboxMessage.__table__)
_OUTBOX_VALUES = ("to_address", "template", "language", "payload", "registration_id", "event_id", "dedupe_key",
                  "next_attempt_at")
# One row, through the driver (a registration's hot path): the values `_outbox_values` gives.
_INSERT_ONE_OUTBOX = DriverStatement(_INSERT_OUTBOX.values(
    {name: sa.bindparam(name, type_=OutboxMessage.__table__.c[name].type) for name in _OUTBOX_VALUES}))


def _outbox_values(template: str, *, to: str, language: str, registration_id: int | None, event_id: int | None,
                   payload: dict[str, Any] | None, dedupe_key: str | None, now) -> dict[str, Any]:
    """One outbox row's values for `_INSERT_OUTBOX` (the Core twins of `enqueue`)."""
    return dict(to_address=to, template=template, language=language, payload=payload or {},
                registration_id=registration_id, event_id=event_id, dedupe_key=dedupe_key, next_attempt_at=now)


def enqueue_rows(template: str, rows: list[dict[str, Any]], *, payload: dict[str, Any] | None = None) -> int:
    """Many mails of one template in one executemany (batched multi-row INSERTs on PostgreSQL), for
    mail to a whole event: no ORM object or flush per row. Each row has `to`, `language`,
    `registration_id`, `event_id` and `dedupe_key`; every row gets the same `payload`. Within the
    current transaction, no commit; returns how many rows were written."""
    if not rows:
        return 0
    now = utcnow()
    db.session.execute(_INSERT_OUTBOX, [_outbox_values(
        template, to=row["to"], language=row["language"], registration_id=row["registration_id"],
        event_id=row["event_id"], payload=payload, dedupe_key=row["dedupe_key"], now=now) for row in rows])
    return len(rows)
