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
    attendees = attendee_records(Registration.event_id == event.id)
    return {
        "generated_at": utcnow().isoformat(),
        "event": door_window(event),
        "attendees": attendees,
    }


def door_window(event: Event) -> dict:
    """The event's start and check-in window as the door decides them offline (checkin-decide.js);
    `checkin_opens_at` null: no window. In the snapshot and in every `since` poll, so a window an
    operator moves reaches the devices within one poll."""
    opens_at = event.checkin_opens_at
    return {"starts_at": event.starts_at.isoformat(), "checkin_opens_at": opens_at.isoformat() if opens_at else None}


def attendee_records(*where) -> list[dict]:
    """The offline list's record of each registration `where` selects, by フリガナ: the attendee as
    the door shows them, with the hashes of their valid and revoked ticket codes. The snapshot and
    the `since` poll (queries.check_in_changes) both build it here, so a device reads them alike."""
    registrations = db.session.scalars(
        select(Registration).join(Person, Registration.person_id == Person.id)
        .where(*where).order_by(Person.name_kana)
        .options(sa.orm.contains_eager(Registration.person))
    ).all()
    if not registrations:
        return []
    valid, revoked = code_hashes(*where)
    staff_names = {u.id: u.display_name for u in db.session.scalars(select(StaffUser))}
    return [
        dict(registration_json(r, staff_names=staff_names), codes=valid.get(r.id, []),
             revoked_codes=revoked.get(r.id, []))
        for r in registrations
    ]


def code_hashes(*where) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """SHA-256 hashes of the valid and of the revoked ticket codes of the registrations `where`
    selects, by registration id: one query, however many registrations."""
    tickets = db.session.execute(
        select(Ticket.registration_id, Ticket.code_id, Ticket.revoked_at)
        .join(Registration, Ticket.registration_id == Registration.id).where(*where).order_by(Ticket.id)
    ).all()
    valid: dict[int, list[str]] = {}
    revoked: dict[int, list[str]] = {}
    for registration_id, code_id, revoked_at in tickets:
        target = revoked if revoked_at else valid
        target.setdefault(registration_id, []).append(codes.code_hash(codes.code_for(code_id)))
    return valid, revoked
