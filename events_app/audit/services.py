"""Record what staff did. Called inside the service's own transaction."""
from __future__ import annotations

from typing import Any

from ..extensions import db
from .models import AuditEntry


def record(actor, action: str, subject_type: str, subject_id: int | None, *,
           event_id: int | None = None, details: dict[str, Any] | None = None) -> AuditEntry:
    """Add an audit row to the current transaction; `actor` is a StaffUser, a label or None."""
    if actor is None:
        actor_id, label = None, "system"
    elif isinstance(actor, str):
        actor_id, label = None, actor
    else:
        actor_id, label = actor.id, actor.email
    entry = AuditEntry(actor_id=actor_id, actor_label=label, action=action, subject_type=subject_type,
                       subject_id=subject_id, event_id=event_id, details=details or {})
    db.session.add(entry)
    return entry
