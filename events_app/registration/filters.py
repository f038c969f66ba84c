"""Which of an event's registrations: the conditions behind the operators' list filters, and the
recipients of a message to registrants (`RecipientFilter`), which uses the same conditions.

The list ignores a filter value it does not know (it comes from a URL anyone may edit); a
message's recipients are checked strictly instead, since a mistyped filter would mail the wrong
people.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from ..database import utcnow
from ..enums import ACTIVE_REGISTRATION_STATUSES, Affiliation, AttendanceMode, RegistrationStatus
from ..events.models import Event, EventSession
from ..extensions import db
from ..people.models import Person
from .models import Registration, RegistrationSession


def status_is(*statuses: RegistrationStatus):
    return Registration.status.in_(statuses) if len(statuses) > 1 else Registration.status == statuses[0]


def affiliation_is(affiliation: Affiliation):
    """Needs Person joined to Registration."""
    return Person.affiliation == affiliation


def attendance_is(mode: AttendanceMode):
    return Registration.attendance_mode == mode


def chose_session(session_id: int, *, active_only: bool = False):
    """The registration chose this breakout session (holding a seat there or waiting for one)."""
    choices = select(RegistrationSession.registration_id).where(RegistrationSession.session_id == session_id)
    if active_only:
        choices = choices.where(RegistrationSession.status.in_(ACTIVE_REGISTRATION_STATUSES))
    return Registration.id.in_(choices)


def attended_is(came: bool):
    """Checked in at the door or joined online (the reports count attendance the same way)."""
    if came:
        return or_(Registration.checked_in_at.is_not(None), Registration.online_joined_at.is_not(None))
    return and_(Registration.checked_in_at.is_(None), Registration.online_joined_at.is_(None))


# The list's check-in filter: at the door, online, or neither (the list's column says the same).
CHECK_IN_STATES = ("checked_in", "joined_online", "not_yet")


def check_in_state_is(state: str):
    if state == "checked_in":
        return Registration.checked_in_at.is_not(None)
    if state == "joined_online":
        return Registration.online_joined_at.is_not(None)
    return attended_is(False)


# Whom a message may go to. Cancelled and declined registrations are left out on purpose: those
# people have left the event, and a note about the venue or the slides would read as if they
# were still registered (their link shows them cancelled). README, "Messages to registrants".
MESSAGE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING)
ATTENDED_VALUES = {"yes": True, "no": False}


def attendance_known(event: Event, now: datetime | None = None) -> bool:
    """Whether people came can be asked once the event has started."""
    return event.starts_at <= (now or utcnow())


@dataclass(frozen=True)
class RecipientFilter:
    """Whom a message goes to; every filter left as None means everyone on that point."""

    statuses: tuple[RegistrationStatus, ...] = (RegistrationStatus.CONFIRMED,)
    attendance: AttendanceMode | None = None
    affiliation: Affiliation | None = None
    session_id: int | None = None
    attended: bool | None = None

    @classmethod
    def parse(cls, event: Event, values: dict, *, now: datetime | None = None) -> tuple[RecipientFilter, dict[str, list[str]]]:
        """The filter from form values (`statuses`, `attendance`, `affiliation`, `session`,
        `attended`), and field messages for the values that are not offered."""
        errors: dict[str, list[str]] = {}
        raw_statuses = [s for s in values.get("statuses") or [] if s]
        allowed = {s.value for s in MESSAGE_STATUSES}
        statuses = tuple(s for s in MESSAGE_STATUSES if s.value in raw_statuses)
        if any(s not in allowed for s in raw_statuses):
            errors["statuses"] = [_("Choose confirmed, waitlisted or awaiting approval.")]
        elif not statuses:
            errors["statuses"] = [_("Choose at least one group of registrations.")]
        attendance = values.get("attendance") or None
        if attendance is not None and attendance not in {m.value for m in AttendanceMode}:
            errors["attendance"] = [_("Choose in person, online or everyone.")]
        affiliation = values.get("affiliation") or None
        if affiliation is not None and affiliation not in {a.value for a in Affiliation}:
            errors["affiliation"] = [_("Choose an affiliation from the list, or everyone.")]
        session_id = _session_of(event, values.get("session") or None)
        if session_id == 0:
            errors["session"] = [_("Choose a session of this event, or everyone.")]
        attended = values.get("attended") or None
        if attended is not None and attended not in ATTENDED_VALUES:
            errors["attended"] = [_("Choose people who came, people who did not come, or everyone.")]
        elif attended is not None and not attendance_known(event, now):
            errors["attended"] = [_("Whether people came is known once the event has started.")]
        if errors:
            return cls(), errors
        return cls(statuses=statuses, attendance=AttendanceMode(attendance) if attendance else None,
                   affiliation=Affiliation(affiliation) if affiliation else None, session_id=session_id,
                   attended=ATTENDED_VALUES[attended] if attended else None), {}

    def conditions(self, event: Event) -> list:
        """WHERE conditions on Registration joined with Person."""
        conds = [Registration.event_id == event.id, status_is(*self.statuses)]
        if self.attendance is not None:
            conds.append(attendance_is(self.attendance))
        if self.affiliation is not None:
            conds.append(affiliation_is(self.affiliation))
        if self.session_id is not None:
            conds.append(chose_session(self.session_id, active_only=True))
        if self.attended is not None:
            conds.append(attended_is(self.attended))
        return conds

    def as_dict(self) -> dict:
        """As stored with a sent message (and as the form's values, `session_id` aside)."""
        return {"statuses": [s.value for s in self.statuses],
                "attendance": self.attendance.value if self.attendance else None,
                "affiliation": self.affiliation.value if self.affiliation else None,
                "session_id": self.session_id,
                "attended": None if self.attended is None else ("yes" if self.attended else "no")}


def _session_of(event: Event, raw: str | None) -> int | None:
    """The session id if it is one of the event's; 0 for anything else; None for no choice."""
    if raw is None:
        return None
    if not str(raw).isdigit():
        return 0
    found = db.session.scalar(select(EventSession.id).where(EventSession.id == int(raw),
                                                            EventSession.event_id == event.id))
    return found or 0
