"""Nonces: a retried scan or a re-synced queue gets the answer its first sending got.

A client nonce is stored with the history row the check-in wrote (`check_in.nonce`, unique). A
nonce seen before is answered from that row (`earlier_answer`); one seen with another ticket,
event or session is refused. The decision replayed is the first one; its times and staff are the
state now (`_replay`).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..enums import CheckInKind
from ..errors import Conflict, ValidationError
from ..events.models import EventSession
from ..extensions import db
from ..registration.models import Registration, RegistrationSession
from .models import CheckIn
from .outcomes import CheckInResult, Outcome
from .queries import registration_json
from .row_helpers import _staff_name
from .statements import NONCE_SEEN

MAX_NONCE = 100


def check_nonce(nonce: str | int | None) -> str | None:
    """The nonce as stored: text as sent (trimmed), a whole number as its decimal text (offline
    clients and external checks may send numbers). Any other JSON type is refused: `str()` would
    turn a list, an object, a float or a boolean into text nobody sent."""
    if nonce is None or nonce == "":
        return None
    if isinstance(nonce, int) and not isinstance(nonce, bool):
        nonce = str(nonce)
    elif not isinstance(nonce, str):
        raise ValidationError(_("The nonce must be text or a whole number."),
                              fields={"nonce": [_("Must be text or a whole number.")]})
    nonce = nonce.strip()
    if not nonce or len(nonce) > MAX_NONCE:
        raise ValidationError(_("The nonce must be 1 to 100 characters."),
                              fields={"nonce": [_("The nonce must be 1 to 100 characters.")]})
    return nonce


def _nonce_row(nonce: str | None) -> CheckIn | None:
    if not nonce:
        return None
    seen = NONCE_SEEN.execute(db.session.connection(), {"nonce": nonce}).scalar()
    return db.session.get(CheckIn, seen) if seen else None


def earlier_answer(nonce: str | None, *, event_id: int, registration_id: int | None,
                   session_id: int | None) -> Outcome | None:
    """The first answer to a nonce seen before (a retry, a re-synced queue), or None for a new
    one. A nonce seen with another ticket, event or session is refused (409): answering it with
    that earlier check-in would show another person's details, perhaps from another event, and
    leave the person at the door unchecked."""
    row = _nonce_row(nonce)
    if row is None:
        return None
    if (row.event_id, row.registration_id, row.session_id) != (event_id, registration_id, session_id):
        raise Conflict(_("This nonce was already used for another check-in. Scan again to send a new one."),
                       fields={"nonce": [_("Already used for another check-in.")]})
    return _replay(row)


def _replay(row: CheckIn) -> Outcome:
    """The original answer to a nonce seen before: retries and re-synced queues change nothing.

    The decision stays the first one (`ok` stays `ok`), but the times and staff are the state now:
    the admission's own unless it was undone since (`undone`), so a device applying the answer
    never shows someone checked in who is not, nor at another time than the server keeps."""
    registration = db.session.get(Registration, row.registration_id)
    if row.refused_as:
        refused = Outcome(CheckInResult(row.refused_as), registration, history_id=row.id, conflict=True,
                          replayed=True, registration_data=registration_json(registration))
        if refused.result == CheckInResult.TOO_EARLY and (opens_at := registration.event.checkin_opens_at):
            refused.opens_at = opens_at.astimezone(registration.event.tz)
        return refused
    result = CheckInResult.ALREADY_CHECKED_IN if row.conflict else CheckInResult.OK
    session = db.session.get(EventSession, row.session_id) if row.session_id else None
    undone = not row.conflict and db.session.scalar(
        select(CheckIn.id).where(CheckIn.registration_id == row.registration_id, CheckIn.kind == CheckInKind.UNDO,
                                 CheckIn.session_id.is_not_distinct_from(row.session_id), CheckIn.id > row.id)
        .limit(1)) is not None
    if session is None:
        at, by = registration.checked_in_at, _staff_name(registration.checked_in_by_id)
    else:
        choice = db.session.get(RegistrationSession, (registration.id, session.id))
        at = choice.checked_in_at if choice is not None else None
        admitter = row.staff_id if not (row.conflict or undone) else db.session.scalar(  # whoever admitted them there
            select(CheckIn.staff_id).where(CheckIn.registration_id == registration.id, CheckIn.session_id == session.id,
                                           CheckIn.kind == CheckInKind.CHECK_IN, CheckIn.conflict.is_(False))
            .order_by(CheckIn.id.desc()).limit(1))
        by = _staff_name(admitter) if at is not None else None
    return Outcome(result, registration, at, by, history_id=row.id, conflict=row.conflict, replayed=True,
                   session=session, undone=undone)
