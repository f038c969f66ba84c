"""Staff administration (admins) and personal API tokens (every staff user), on events_admin."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth import services as auth_services
from ..auth.permissions import current_staff, staff_required
from ..database import utcnow
from ..enums import EventStatus, Role
from ..errors import DomainError
from ..extensions import db
from . import staff as staff_services
from .forms import AssignForm, ConfirmForm, RoleForm, StaffForm, TokenForm, options
from .models import Event
from .views import apply_errors, bp


def _event_choices():
    """Events a check-in team can still work: not over, not cancelled, soonest first."""
    events = db.session.scalars(select(Event).where(
        Event.ends_at > utcnow() - timedelta(days=1), Event.status != EventStatus.CANCELLED,
    ).order_by(Event.starts_at).limit(200))
    return options(*((str(e.id), f"{e.local_starts_at:%Y-%m-%d} {e.title}") for e in events))


def _staff_page(form: StaffForm, status: int = 200, created=None):
    assign_form = AssignForm()
    assign_form.event_id.choices = _event_choices()
    return render_template(
        "events/staff.html", form=form, users=staff_services.list_staff(), assignments=staff_services.assignments(),
        role_form=RoleForm(), assign_form=assign_form, action_form=ConfirmForm(), created=created,
    ), status


@bp.route("/staff", methods=["GET", "POST"])
@staff_required(Role.ADMIN)
def staff():
    form = StaffForm()
    if request.method == "GET":
        return _staff_page(form)
    if not form.validate():
        return _staff_page(form, 400)
    try:
        user, password = staff_services.create_staff(form.email.data, form.role.data, actor=current_staff(),
                                                     name=form.name.data, password=form.password.data or None)
    except DomainError as err:
        apply_errors(form, err.fields)
        if not err.fields:
            form.form_errors.append(err.message)
        return _staff_page(form, err.status)
    created = {"email": user.email, "password": None if form.password.data else password}
    return _staff_page(StaffForm(formdata=None), 200, created=created)


def _back_to_staff():
    return redirect(url_for("events_admin.staff"))


def _staff_action(do, done: str, unchanged: str | None = None):
    """Run `do`; flash `done`, or `unchanged` when `do` answers False (it was so already)."""
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return _back_to_staff()
    try:
        changed = do()
    except DomainError as err:
        message = err.message
        if err.fields:
            message = " ".join(m for messages in err.fields.values() for m in messages)
        flash(message, "error")
    else:
        if changed is False and unchanged:
            flash(unchanged, "info")
        else:
            flash(done, "success")
    return _back_to_staff()


@bp.post("/staff/<int:user_id>/role")
@staff_required(Role.ADMIN)
def change_role(user_id: int):
    role = request.form.get("role", "")
    return _staff_action(lambda: staff_services.change_role(user_id, role, actor=current_staff()),
                         _("Role changed."))


@bp.post("/staff/<int:user_id>/deactivate")
@staff_required(Role.ADMIN)
def deactivate_staff(user_id: int):
    return _staff_action(lambda: staff_services.set_active(user_id, False, actor=current_staff()),
                         _("Account deactivated: it can no longer sign in or use its API tokens."))


@bp.post("/staff/<int:user_id>/activate")
@staff_required(Role.ADMIN)
def activate_staff(user_id: int):
    return _staff_action(lambda: staff_services.set_active(user_id, True, actor=current_staff()),
                         _("Account reactivated."))


@bp.post("/staff/<int:user_id>/events")
@staff_required(Role.ADMIN)
def assign_staff(user_id: int):
    try:
        event_id = int(request.form.get("event_id", ""))
    except ValueError:
        event_id = 0
    return _staff_action(lambda: staff_services.assign_to_event(user_id, event_id, actor=current_staff()),
                         _("Assigned to the event."), _("Already assigned to that event; nothing changed."))


@bp.post("/staff/<int:user_id>/events/<int:event_id>/remove")
@staff_required(Role.ADMIN)
def unassign_staff(user_id: int, event_id: int):
    return _staff_action(lambda: staff_services.unassign_from_event(user_id, event_id, actor=current_staff()),
                         _("Removed from the event."))


# --- personal API tokens -------------------------------------------------------------------

@bp.route("/tokens", methods=["GET", "POST"])
@staff_required()
def tokens():
    user = current_staff()
    form = TokenForm()
    new_token, status = None, 200
    if request.method == "POST":
        name = (form.name.data or "").strip()
        if not form.validate():
            status = 400
        elif not name or len(name) > 100:
            form.name.errors = [_("Give the token a label of up to 100 characters, e.g. “Excel import”.")]
            status = 422
        else:
            new_token = auth_services.create_token(user.email, name=name)
            form = TokenForm(formdata=None)
            status = 200
    return render_template("events/tokens.html", form=form, tokens=staff_services.tokens_of(user),
                           new_token=new_token, action_form=ConfirmForm()), status


@bp.post("/tokens/<int:token_id>/revoke")
@staff_required()
def revoke_token(token_id: int):
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
    else:
        try:
            auth_services.revoke_token(current_staff(), token_id)
        except DomainError as err:
            flash(err.message, "error")
        else:
            flash(_("Token revoked: it no longer works."), "success")
    return redirect(url_for("events_admin.tokens"))
