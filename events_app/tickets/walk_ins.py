"""Walk-ins: someone registered at the door, then checked in, or found already registered."""
from __future__ import annotations

from flask_babel import gettext as _

from ..auth.models import StaffUser
from ..enums import AttendanceMode, CheckInSource, EventKind, RegistrationStatus
from ..errors import DomainError, ErrorCode, ValidationError
from ..events.models import Event
from ..people.services import normalise_email
from ..registration.models import Registration
from .outcomes import CheckInResult, Outcome, _status_failure, too_early


class AlreadyRegisteredHere(DomainError):
    """The walk-in's email already has a registration at this event: door staff may check it in."""

    code = ErrorCode.ALREADY_REGISTERED

    def __init__(self, registration: Registration):
        super().__init__(_("This email address is already registered for this event. "
                           "If this is the person in front of you, check in their registration."))
        self.registration = registration


def _registration_for_email(event: Event, raw_email) -> Registration | None:
    from ..registration.services import active_registration

    try:
        email = normalise_email(raw_email if isinstance(raw_email, str) else "")
    except ValidationError:
        return None  # the registration service names the bad address
    return active_registration(event.id, email)


def walk_in(event: Event, data: dict, *, staff: StaffUser, device: str = "") -> Outcome:
    """Register someone at the door through the registration service, then check them in.

    The registration rules (seats, audience, one registration per person) stay with the
    registration capability; a full event answers `waitlisted` like any other scan would. An
    address already registered here raises `AlreadyRegisteredHere` naming that registration,
    before the registration service would mail its link again to someone standing at the door.
    """
    from ..registration.services import AlreadyRegistered, register
    from .services import check_in_registration

    if (refusal := too_early(event)) is not None:
        return refusal  # before the window opens nobody is registered at the door either
    existing = _registration_for_email(event, data.get("email"))
    if existing is not None:
        raise AlreadyRegisteredHere(existing)
    if event.kind == EventKind.HYBRID:
        # Whoever registers at the door is at the venue: the door form asks no attendance mode.
        data = {**data, "attendance": AttendanceMode.IN_PERSON.value}
    try:
        result = register(event, data, source="walk_in", actor=staff, language=str(data.get("language") or "ja"))
    except AlreadyRegistered:
        # Registered between the look-up above and this call (another door, the web form).
        existing = _registration_for_email(event, data.get("email"))
        if existing is None:
            raise
        raise AlreadyRegisteredHere(existing) from None
    if result.registration.status != RegistrationStatus.CONFIRMED:
        return _status_failure(result.registration) or Outcome(CheckInResult.UNKNOWN_CODE)
    return check_in_registration(event, result.registration.id, staff=staff, source=CheckInSource.WALK_IN,
                                 device=device)
