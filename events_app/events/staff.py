"""Staff administration: accounts, roles, check-in assignments; every change is audited."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.services import record
from ..auth import services as auth_services
from ..auth.models import ApiToken, EventStaff, StaffUser
from ..database import write_transaction
from ..enums import Role
from ..errors import Conflict, ErrorCode, NotFound, ValidationError
from ..extensions import db
from .models import Event


def list_staff() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.role, StaffUser.email)))


def get_staff(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        raise NotFound(_("No such staff user."))
    return user


def assignments() -> dict[int, list[Event]]:
    """Events each check-in staff member is assigned to."""
    rows = db.session.execute(select(EventStaff.user_id, Event).join(Event, Event.id == EventStaff.event_id)
                              .order_by(Event.starts_at))
    out: dict[int, list[Event]] = {}
    for user_id, event in rows:
        out.setdefault(user_id, []).append(event)
    return out


def create_staff(email: str, role: str, *, actor, name: str = "", password: str | None = None) -> tuple[StaffUser, str]:
    user, password = auth_services.create_user(email, role, password=password or None, name=(name or "").strip())
    with write_transaction():
        record(actor, "staff.created", "staff_user", user.id, details={"email": user.email, "role": user.role.value})
    return user, password


def _active_admins(exclude_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(StaffUser).where(
        StaffUser.role == Role.ADMIN, StaffUser.is_active_account.is_(True), StaffUser.id != exclude_id)) or 0


def change_role(user_id: int, role: str, *, actor) -> StaffUser:
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(_("Unknown role."), fields={"role": [_("Choose admin, operator or checkin.")]})
    with write_transaction():
        user = get_staff(user_id)
        if user.role == role:
            return user
        if user.role == Role.ADMIN and _active_admins(user.id) == 0:
            raise Conflict(_("This is the last administrator; make someone else an administrator first."),
                           code=ErrorCode.INVALID_STATE)
        before = user.role
        user.role = role
        record(actor, "staff.role_changed", "staff_user", user.id,
               details={"email": user.email, "from": before.value, "to": role.value})
    return user


def set_active(user_id: int, active: bool, *, actor) -> StaffUser:
    """Deactivate (sign-in and tokens stop working) or reactivate a staff account."""
    with write_transaction():
        user = get_staff(user_id)
        if not active:
            if actor is not None and getattr(actor, "id", None) == user.id:
                raise Conflict(_("You cannot deactivate your own account."), code=ErrorCode.INVALID_STATE)
            if user.role == Role.ADMIN and _active_admins(user.id) == 0:
                raise Conflict(_("This is the last administrator; it cannot be deactivated."),
                               code=ErrorCode.INVALID_STATE)
        if user.is_active_account != active:
            user.is_active_account = active
            record(actor, "staff.activated" if active else "staff.deactivated", "staff_user", user.id,
                   details={"email": user.email})
    return user


def assign_to_event(user_id: int, event_id: int, *, actor) -> bool:
    """Assign check-in staff to an event; False when they already were (nothing changes)."""
    user = get_staff(user_id)
    event = db.session.get(Event, event_id)
    if event is None:
        raise ValidationError(_("No such event."), fields={"event_id": [_("Choose an event.")]})
    if user.role != Role.CHECKIN:
        raise ValidationError(_("Only check-in staff are assigned to events; operators can check in everywhere."),
                              fields={"event_id": [_("Only check-in staff are assigned to events.")]})
    with write_transaction():
        if db.session.get(EventStaff, (event_id, user_id)) is not None:
            return False
        db.session.add(EventStaff(event_id=event_id, user_id=user_id))
        record(actor, "staff.assigned", "staff_user", user_id, event_id=event_id, details={"email": user.email})
    return True


def unassign_from_event(user_id: int, event_id: int, *, actor) -> None:
    with write_transaction():
        row = db.session.get(EventStaff, (event_id, user_id))
        if row is not None:
            db.session.delete(row)
            record(actor, "staff.unassigned", "staff_user", user_id, event_id=event_id)


def tokens_of(user: StaffUser) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc())))
