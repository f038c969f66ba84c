"""Taking back and reviewing what the door decided: undoing a check-in (with a reason) and an
operator's review of a conflict. Both append; no history row is ever changed."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..auth.models import StaffUser
from ..database import utcnow, write_transaction
from ..enums import CheckInKind, CheckInSource
from ..errors import Conflict, NotFound, ValidationError
from ..events.models import Event, EventSession
from ..extensions import db
from ..registration.models import RegistrationSession
from .models import CheckIn, CheckInReview
from .outcomes import CheckInResult, Outcome
from .row_helpers import _history_row, _locked_registration

MAX_REASON = 500


def _is_session_of(event: Event, session_id: int) -> bool:
    session = db.session.get(EventSession, session_id)
    return session is not None and session.event_id == event.id


def undo_check_in(event: Event, registration_id: int, *, staff: StaffUser, reason: str,
                  session_id: int | None = None, device: str = "",
                  source: CheckInSource = CheckInSource.SEARCH) -> Outcome:
    """Take back a check-in, with a reason; the history keeps both rows, each with how it came in."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the check-in is undone."), fields={"reason": [_("A reason is required.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError(_("The reason is too long (500 characters at most)."),
                              fields={"reason": [_("500 characters at most.")]})
    if session_id is not None and not _is_session_of(event, session_id):
        raise NotFound(_("No such session at this event."))
    with write_transaction():
        registration = _locked_registration(registration_id)
        if registration is None or registration.event_id != event.id:
            raise NotFound(_("No such registration at this event."))
        if session_id is not None:
            choice = db.session.scalar(
                select(RegistrationSession).where(RegistrationSession.registration_id == registration_id,
                                                  RegistrationSession.session_id == session_id).with_for_update())
            if choice is None or choice.checked_in_at is None:
                raise Conflict(_("This person is not checked in to that session."))
            choice.checked_in_at = None
        else:
            if registration.checked_in_at is None:
                raise Conflict(_("This person is not checked in."))
            registration.checked_in_at = None
            registration.checked_in_by_id = None
        row = _history_row(registration, CheckInKind.UNDO, staff_id=staff.id, source=source,
                           device=device, reason=reason, session_id=session_id)
        record(staff, "checkin.undone", "registration", registration_id, event_id=event.id,
               details={"reason": reason, "session_id": session_id})
        outcome = Outcome(CheckInResult.OK, registration, None, staff.display_name, history_id=row.id)
    return outcome


def review_conflict(event: Event, check_in_id: int, *, staff: StaffUser, note: str = "") -> CheckInReview:
    """An operator has looked at a conflict (asked the staff, found one ticket used twice, or a
    re-entry): it stops counting as waiting for review. Both history rows stay as written."""
    note = (note or "").strip()
    if len(note) > MAX_REASON:
        raise ValidationError(_("The note is too long (500 characters at most)."),
                              fields={"note": [_("500 characters at most.")]})
    try:
        with write_transaction():
            row = db.session.get(CheckIn, check_in_id)
            if row is None or row.event_id != event.id or not row.conflict:
                raise NotFound(_("No such conflict at this event."))
            if row.review is not None:
                raise Conflict(_("This conflict was already reviewed."))
            review = CheckInReview(check_in_id=row.id, staff_id=staff.id, at=utcnow(), note=note)
            db.session.add(review)
            db.session.flush()
            record(staff, "checkin.conflict_reviewed", "registration", row.registration_id, event_id=event.id,
                   details={"check_in_id": row.id, "note": note})
    except IntegrityError:  # reviewed from two screens at once: the first review stands
        db.session.rollback()
        raise Conflict(_("This conflict was already reviewed."))
    return review
