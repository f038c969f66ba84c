"""Staff accounts, passwords and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
import sqlalchemy as sa
from sqlalchemy import select

from ..database import utcnow, write_transaction
from ..driver_statements import DriverStatement
from ..enums import Role
from ..errors import Conflict, DomainError, ErrorCode, NotFound, ValidationError
from ..extensions import db
from ..templating import local_time
from .models import ApiToken, EventStaff, StaffUser

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
TOKEN_PREFIX = "tsu_"


def normalise_email(raw: str) -> str:
    """Validate an address and return it lower-cased; raise ValidationError with a field message."""
    try:
        info = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(_("Enter a valid email address."), fields={"email": [_("Enter a valid email address.")]})
    return info.normalized.lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: StaffUser, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        ok = _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if ok and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return ok


def create_user(email: str, role: Role | str, *, password: str | None = None, name: str = "") -> tuple[StaffUser, str]:
    """Create a staff user; returns it with the password (generated when none is given)."""
    email = normalise_email(email)
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(_("Unknown role."), fields={"role": [_("Choose admin, operator or checkin.")]})
    if password is not None and len(password) < 8:
        raise ValidationError(_("Passwords need at least 8 characters."), fields={"password": [_("Passwords need at least 8 characters.")]})
    password = password or secrets.token_urlsafe(12)
    with write_transaction():
        if db.session.scalar(select(StaffUser).where(StaffUser.email == email)):
            raise Conflict(_("A staff user with this email already exists."), fields={"email": [_("Already in use.")]})
        user = StaffUser(email=email, role=role, name=name, password_hash=hash_password(password))
        db.session.add(user)
    return user, password


def authenticate(email: str, password: str) -> StaffUser | None:
    try:
        email = normalise_email(email)
    except ValidationError:
        return None
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check, so timing does not reveal accounts
        return None
    if not user.is_active or not verify_password(user, password):
        return None
    with write_transaction():
        user = db.session.get(StaffUser, user.id)
        user.last_login_at = utcnow()
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(email: str, *, name: str = "") -> str:
    """Issue a personal API token and return it; only its hash is stored."""
    email = normalise_email(email)
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    if user is None:
        raise NotFound(_("No staff user with that email."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        db.session.add(ApiToken(user_id=user.id, name=name, token_hash=_token_digest(token), prefix=token[:10]))
    return token


@dataclass(frozen=True)
class TokenStaff:
    """The staff member behind a bearer token: what API calls use of them (id, email, name, role,
    language), read with the token in one Core query instead of loading an ORM object per call.
    Services that take an `actor` need no more than this."""

    id: int
    email: str
    name: str
    role: Role
    language: str
    is_authenticated = True
    is_active = True

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def is_staff_operator(self) -> bool:
        return self.role in (Role.ADMIN, Role.OPERATOR)


# One query for token and user, built once (SQLAlchemy then reuses its compiled form): this
# runs before every API call, door scanners included. Revocation and deactivation are checked in
# the database on every call; nothing about a token is remembered between requests.
_USER_FOR_TOKEN = DriverStatement(
    select(StaffUser.id, StaffUser.email, StaffUser.name, StaffUser.role, StaffUser.language,
           ApiToken.id.label("token_id"), ApiToken.last_used_at)
    .join(ApiToken, ApiToken.user_id == StaffUser.id)
    .where(ApiToken.token_hash == sa.bindparam("digest"), ApiToken.revoked_at.is_(None),
           StaffUser.is_active_account.is_(True)))


# "Last used" on the tokens page is kept to this precision: a door scanner's token would
# otherwise turn every scan into a write.
LAST_USED_PRECISION = timedelta(minutes=5)
_TOUCH_TOKEN = (sa.update(ApiToken).where(ApiToken.id == sa.bindparam("token_id"))
                .values(last_used_at=sa.bindparam("now")))


def user_for_token(token: str) -> TokenStaff | None:
    """The active staff member owning this unrevoked token, or None; notes when it was last used."""
    if not token:
        return None
    row = _USER_FOR_TOKEN.execute(db.session.connection(), {"digest": _token_digest(token)}).first()
    if row is None:
        return None
    *staff, token_id, last_used_at = row
    now = utcnow()
    if last_used_at is None or now - last_used_at >= LAST_USED_PRECISION:
        with write_transaction() as session:
            session.connection().execute(_TOUCH_TOKEN, {"token_id": token_id, "now": now})
    return TokenStaff(*staff)


def refused_token_error(token: str) -> DomainError:
    """The 401 for a token `user_for_token` refused. Only on that path is the token looked at again:
    a revoked token, or a deactivated account's, says so, which tells its holder nothing they could
    not know (they hold the token); anything else is just not a valid token."""
    if token:
        known = db.session.execute(
            select(ApiToken.revoked_at, StaffUser.is_active_account).join(StaffUser, ApiToken.user_id == StaffUser.id)
            .where(ApiToken.token_hash == _token_digest(token))).first()
        if known is not None and known.revoked_at is not None:
            revoked_on = local_time(known.revoked_at, current_app.config["DEFAULT_TIMEZONE"], "date")
            return DomainError(_("This API token was revoked on %(date)s. Ask an administrator for a new token.",
                                 date=revoked_on), code=ErrorCode.UNAUTHORIZED)
        if known is not None and not known.is_active_account:
            return DomainError(_("This account has been deactivated, so its API tokens no longer work. "
                                 "Ask an administrator."), code=ErrorCode.UNAUTHORIZED)
    return DomainError(_("A valid bearer token is required."), code=ErrorCode.UNAUTHORIZED)


def revoke_token(user: StaffUser, token_id: int) -> None:
    with write_transaction():
        row = db.session.get(ApiToken, token_id)
        if row is None or row.user_id != user.id:
            raise NotFound(_("No such token."))
        row.revoked_at = utcnow()


def can_manage_events(user) -> bool:
    return bool(user and user.is_authenticated and user.role in (Role.ADMIN, Role.OPERATOR))


def can_check_in(user, event_id: int) -> bool:
    """Operators and admins check in at any event; check-in staff only at their assigned ones."""
    if not (user and user.is_authenticated):
        return False
    if user.role in (Role.ADMIN, Role.OPERATOR):
        return True
    return db.session.get(EventStaff, (event_id, user.id)) is not None


def assign_staff(event_id: int, user_id: int) -> None:
    with write_transaction():
        if db.session.get(EventStaff, (event_id, user_id)) is None:
            db.session.add(EventStaff(event_id=event_id, user_id=user_id))


def unassign_staff(event_id: int, user_id: int) -> None:
    with write_transaction():
        row = db.session.get(EventStaff, (event_id, user_id))
        if row is not None:
            db.session.delete(row)
