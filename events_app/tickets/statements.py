"""The door's hot path as Core statements built once and run through the driver (`DriverStatement`).

One row per scan brings everything the door shows: the ticket, its registration, the person and
whoever checked them in. The admission is a conditional UPDATE and the history INSERT; on
PostgreSQL the two are one statement (`ADMIT_AND_RECORD`).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import select

from ..auth.models import StaffUser
from ..driver_statements import DriverStatement
from ..enums import AttendanceMode, CheckInKind, RegistrationStatus
from ..events.models import Event
from ..people.models import Person
from ..registration.models import Registration
from .models import CheckIn, Ticket

SHOWN = (Registration.id, Registration.event_id, Registration.status, Registration.attendance_mode,
         Registration.source, Registration.checked_in_at, Registration.checked_in_by_id,
         Registration.online_joined_at, Person.name, Person.name_kana, Person.email, Person.affiliation,
         Person.company, Person.job_title, Person.department, Person.former_department, Person.joined_year,
         Person.left_year, StaffUser.name.label("by_name"), StaffUser.email.label("by_email"))


def shown_from(stmt):
    return (stmt.join(Person, Registration.person_id == Person.id)
            .outerjoin(StaffUser, Registration.checked_in_by_id == StaffUser.id))


# The ticket's event slug comes along, so a scan at the ticket's own event needs no event query;
# so do its start, check-in window and zone, which the door's decision needs (queries.EventRef).
BY_CODE = DriverStatement(shown_from(
    select(Ticket.revoked_at, Event.slug.label("event_slug"), Event.status.label("event_status"),
           Event.starts_at.label("event_starts_at"), Event.checkin_opens_minutes.label("event_checkin_opens_minutes"),
           Event.timezone.label("event_timezone"), *SHOWN)
    .select_from(Ticket)
    .join(Registration, Ticket.registration_id == Registration.id)
    .join(Event, Registration.event_id == Event.id)
).where(Ticket.code_id == sa.bindparam("code_id")))
BY_ID = DriverStatement(shown_from(select(*SHOWN).select_from(Registration)).where(Registration.id == sa.bindparam("rid")))
NONCE_SEEN = DriverStatement(select(CheckIn.id).where(CheckIn.nonce == sa.bindparam("nonce")))
_REGISTRATION = Registration.__table__
_CHECK_IN = CheckIn.__table__
# The admission's two statements, built once so each scan reuses their compiled form.
_ADMIT = (_REGISTRATION.update()
         .where(_REGISTRATION.c.id == sa.bindparam("rid"),
                _REGISTRATION.c.status == RegistrationStatus.CONFIRMED.value,
                _REGISTRATION.c.checked_in_at.is_(None))
         .values(checked_in_at=sa.bindparam("at"), checked_in_by_id=sa.bindparam("by"),
                 updated_at=sa.bindparam("now")))
HISTORY = DriverStatement(_CHECK_IN.insert()
           .values(registration_id=sa.bindparam("registration_id"), event_id=sa.bindparam("event_id"),
                   kind=CheckInKind.CHECK_IN.value, mode=AttendanceMode.IN_PERSON.value,
                   source=sa.bindparam("source"), at=sa.bindparam("at"), client_at=sa.bindparam("client_at"),
                   staff_id=sa.bindparam("staff_id"), device=sa.bindparam("device"), nonce=sa.bindparam("nonce"),
                   conflict=sa.bindparam("conflict"), reason="")
           .returning(_CHECK_IN.c.id))
ADMIT = DriverStatement(_ADMIT)
# On PostgreSQL both in one statement (the history row is inserted from the UPDATE's RETURNING, so
# it exists exactly when the UPDATE changed the row), which is a transaction by itself: one round
# trip instead of four (BEGIN, UPDATE, INSERT, COMMIT). SQLite has no UPDATE inside WITH.
_ADMITTED = _ADMIT.returning(_REGISTRATION.c.id, _REGISTRATION.c.event_id).cte("admitted")
ADMIT_AND_RECORD = DriverStatement(
    _CHECK_IN.insert()
    .from_select(["registration_id", "event_id", "kind", "mode", "source", "at", "client_at", "staff_id", "device",
                  "nonce", "conflict", "reason"],
                 select(_ADMITTED.c.id, _ADMITTED.c.event_id,
                        *(sa.literal(value, _CHECK_IN.c[name].type) for name, value in (
                            ("kind", CheckInKind.CHECK_IN), ("mode", AttendanceMode.IN_PERSON))),
                        # Not named after registration's columns: the UPDATE would take those as SET values.
                        *(sa.bindparam(name, type_=_CHECK_IN.c[column].type) for name, column in (
                            ("h_source", "source"), ("now", "at"), ("h_client_at", "client_at"), ("by", "staff_id"),
                            ("h_device", "device"), ("h_nonce", "nonce"))),
                        sa.literal(False), sa.literal("")))
    .returning(_CHECK_IN.c.id), one_statement=True)
