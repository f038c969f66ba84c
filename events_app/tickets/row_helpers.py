"""Row helpers shared by issuing, the door and the read models: a registration read under its
row lock, a staff member's display name, and one appended check-in history row."""
from __future__ import annotations

from sqlalchemy import select

from ..auth.models import StaffUser
from ..database import utcnow
from ..enums import AttendanceMode, CheckInKind
from ..extensions import db
from ..registration.models import Registration
from .models import CheckIn


def _locked_registration(registration_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.id == registration_id)
        .with_for_update().execution_options(populate_existing=True)
    )


def _staff_name(staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    staff = db.session.get(StaffUser, staff_id)
    return staff.display_name if staff else None


def _history_row(registration: Registration, kind: CheckInKind, *, staff_id, source, nonce=None, device="",
                 client_at=None, conflict=False, session_id=None, reason="",
                 mode: AttendanceMode = AttendanceMode.IN_PERSON) -> CheckIn:
    row = CheckIn(registration_id=registration.id, event_id=registration.event_id, session_id=session_id,
                  kind=kind, mode=mode, source=source, at=utcnow(), client_at=client_at, staff_id=staff_id,
                  device=(device or "")[:100], nonce=nonce, conflict=conflict, reason=reason)
    db.session.add(row)
    db.session.flush()
    return row
