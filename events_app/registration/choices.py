"""Changing an active registration's session choices and answers (attendee or operator).

One transaction (`write_transaction`) per change.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from ..calendar import services as calendar_services
from ..database import utcnow, write_transaction
from ..enums import RegistrationStatus
from ..errors import ValidationError
from ..extensions import db
from ..templating import localized
from . import seats
from .lifecycle import _audit, _claim_session_seats, _load_active, _retrying
from .models import Answer, Registration, RegistrationSession
from .validation import clean_answers, clean_sessions, require_session_choice
from .waitlist import promote_session_waitlist


class SeatWouldBeLost(ValidationError):
    """The new choice is full: saving it gives up a seat held elsewhere for a place in a waitlist."""


def update_choices(registration: Registration, *, session_ids: list | None, answers: dict | None,
                   actor=None, give_up_seats: bool = True) -> Registration:
    """Change session choices and/or answers of an active registration (attendee or operator).

    With `give_up_seats` False (the attendee's own page until they confirm), a change that would
    trade a seat they hold for a waitlist place at a full session is refused (SeatWouldBeLost,
    nothing saved) so they can keep their seat or confirm."""
    event = registration.event
    errors: dict[str, list[str]] = {}
    new_sessions = clean_sessions(event, session_ids, errors) if session_ids is not None else None
    if new_sessions is not None and actor is None:
        # The attendee's own page: unticking every table would undo what registering required.
        # Operators (an actor) may, as they may register someone without one.
        require_session_choice(event, new_sessions, errors)
    new_answers = clean_answers(event, answers, errors) if answers is not None else None
    if errors:
        raise ValidationError(_("Please correct the highlighted fields."), fields=errors)

    def run() -> Registration:
        with write_transaction():
            reg = _load_active(registration.id)
            changes: dict[str, Any] = {}
            if new_sessions is not None:
                current = {c.session_id: c for c in reg.session_choices}
                removed = sorted(set(current) - set(new_sessions))
                added = sorted(set(new_sessions) - set(current))
                for session_id in removed:
                    choice = current[session_id]
                    if choice.holds_seat:
                        seats.release_session_seat(session_id)
                    reg.session_choices.remove(choice)
                for session_id in added:
                    reg.session_choices.append(RegistrationSession(session_id=session_id, status=reg.status))
                db.session.flush()
                if reg.status == RegistrationStatus.CONFIRMED:
                    _claim_session_seats(reg)
                    full = [localized(c.session, "title") for c in reg.session_choices
                            if c.session_id in added and not c.holds_seat]
                    seat_given_up = any(current[s].holds_seat for s in removed)
                    if full and seat_given_up and not give_up_seats:
                        # Raised inside the transaction: it rolls back, the held seat stays.
                        message = _("“%(full)s” is full. Saving would give up your seat and put you on its "
                                    "waitlist. Keep your current choice, or tick the box to join the waitlist.",
                                    full="”, “".join(full))
                        raise SeatWouldBeLost(message, fields={"give_up_seats": [message]})
                for session_id in removed:
                    promote_session_waitlist(session_id)
                changes.update(sessions_added=added, sessions_removed=removed)
                if added or removed:
                    calendar_services.invite_changed(reg)  # the invite lists the sessions: new version
            if new_answers is not None:
                reg.answers.clear()
                db.session.flush()
                for question_id, value in new_answers.items():
                    reg.answers.append(Answer(question_id=question_id, value=value))
                changes["answers"] = True
            reg.updated_at = utcnow()
            _audit(actor, "registration.update", reg, **{k: v for k, v in changes.items() if v})
        return reg

    return _retrying(run)
