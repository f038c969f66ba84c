"""Sign in and out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..enums import Role
from ..extensions import limiter
from ..tickets.queries import door_events
from . import services
from .forms import LoginForm

bp = Blueprint("auth", __name__)


def _landing(user) -> str:
    """Where a staff member starts: check-in staff at their door (the dashboard would be 403)."""
    if user.role != Role.CHECKIN:
        return url_for("events_admin.dashboard")
    events = door_events(user)
    if len(events) == 1:
        return url_for("tickets.scanner", slug=events[0].slug)
    return url_for("tickets.door_home")


def _safe_next(target: str | None, user) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return _landing(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next"), current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Email or password is not correct."))
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next"), user))
    return render_template("auth/login.html", form=form), (422 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.event_list"))
