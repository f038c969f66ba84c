"""Offline door devices: the snapshot a device caches to decide alone while the network is down.

Syncing the device's queued scans back (`services.sync_offline`) goes through the check-in
decision itself, so it lives with that decision in `services.py`.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import select

from ..auth.models import StaffUser
from ..database import utcnow
from ..events.models import Event
from ..extensions import db
from ..people.models import Person
from ..registration.models import Registration
from . import codes
from .models import Ticket
from .queries import registration_json


def offline_snapshot(event: Event) -> dict:
    """What a door device caches to decide alone: attendees, their status and ticket-code hashes."""
    registrations = db.session.scalars(
        select(Registration).join(Person, Registration.person_id == Person.id)
        .where(Registration.event_id == event.id).order_by(Person.name_kana)
        .options(sa.orm.contains_eager(Registration.person))
    ).all()
    tickets = db.session.execute(
        select(Ticket.registration_id, Ticket.code_id, Ticket.revoked_at)
        .join(Registration, Ticket.registration_id == Registration.id).where(Registration.event_id == event.id)
    ).all()
    valid: dict[int, list[str]] = {}
    revoked: dict[int, list[str]] = {}
    for registration_id, code_id, revoked_at in tickets:
        target = revoked if revoked_at else valid
        target.setdefault(registration_id, []).append(codes.code_hash(codes.code_for(code_id)))
    staff_names = {u.id: u.display_name for u in db.session.scalars(select(StaffUser))}
    return {
        "generated_at": utcnow().isoformat(),
        "attendees": [
            dict(registration_json(r, staff_names=staff_names), codes=valid.get(r.id, []),
                 revoked_codes=revoked.get(r.id, []))
            for r in registrations
        ],
    }
