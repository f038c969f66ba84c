"""Decorators that guard staff pages and API endpoints."""
from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_babel import gettext as _
from flask_login import current_user

from ..enums import Role
from ..errors import DomainError, ErrorCode
from ..extensions import login_manager
from .services import refused_token_error, user_for_token


def current_staff():
    """The signed-in staff user, or the owner of a valid bearer token (API)."""
    if getattr(g, "api_user", None) is not None:
        return g.api_user
    return current_user if current_user.is_authenticated else None


def staff_required(*roles: Role):
    """Require a signed-in staff user (page) with one of the roles; all roles when none given."""
    allowed = set(roles) or set(Role)

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)
        return wrapper
    return decorator


def staff_for_bearer(header: str):
    """The staff member whose token `Authorization: Bearer <token>` carries; a 401 saying why not."""
    scheme, _sep, token = header.partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    user = user_for_token(token)
    if user is None:
        raise refused_token_error(token)
    return user


def token_required(*roles: Role):
    """Require `Authorization: Bearer <token>` of a staff user with one of the roles."""
    allowed = set(roles) or set(Role)

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = staff_for_bearer(request.headers.get("Authorization", ""))
            if user.role not in allowed:
                raise DomainError(_("Your role does not allow this."), code=ErrorCode.FORBIDDEN)
            g.api_user = user
            return view(*args, **kwargs)
        return wrapper
    return decorator
