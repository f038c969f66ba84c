"""Switching between in person and online: the attendee's button on /r/<token> and the operators'
on /admin/registrations/<id>. Both call `attendance_switch.switch_attendance`."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.permissions import current_staff, staff_required
from ..enums import AttendanceMode, Role
from ..errors import DomainError
from ..extensions import db, limiter
from . import attendance_switch
from .attendance_switch import SwitchOutcome, SwitchResult
from .forms import ChoicesForm
from .lifecycle import status_label
from .models import Registration
from .tokens import registration_for_token
from .views import _invalid_link, _manage_context, _rate, bp

OPERATORS = (Role.ADMIN, Role.OPERATOR)


@bp.app_template_global("attendance_switch_offer")
def attendance_switch_offer(registration: Registration):
    return attendance_switch.switch_offer(registration)


def _attendee_message(result: SwitchResult) -> str:
    online = result.attendance == AttendanceMode.ONLINE
    if result.outcome == SwitchOutcome.ALREADY:
        return (_("You are already registered to attend online.") if online
                else _("You are already registered to attend in person."))
    if result.outcome == SwitchOutcome.CONFIRMED:
        return (_("You now attend online, and your place is confirmed. We have emailed you a confirmation "
                  "and your updated calendar invitation.") if online
                else _("You now attend in person, and your seat is confirmed. We have emailed you a "
                       "confirmation with your ticket and your updated calendar invitation."))
    if result.outcome == SwitchOutcome.PENDING:
        return (_("You will now attend online. Your registration still awaits the organisers’ approval.")
                if online else
                _("You will now attend in person. Your registration still awaits the organisers’ approval."))
    position = result.waitlist_position or 0
    return (_("You are now on the waitlist for online places: position %(position)d.", position=position)
            if online else _("You are now on the waitlist for the venue: position %(position)d.", position=position))


def _staff_message(result: SwitchResult) -> str:
    mode = _("online") if result.attendance == AttendanceMode.ONLINE else _("in person")
    if result.outcome == SwitchOutcome.ALREADY:
        return _("Already attending %(mode)s: nothing changed.", mode=mode)
    return _("Attendance changed to %(mode)s: %(status)s. The attendee has been told by email.",
             mode=mode, status=status_label(result.registration.status))


@bp.route("/r/<token>/attendance", methods=["POST"])
@limiter.limit(_rate)
def switch_attendance(token: str):
    registration = registration_for_token(token)
    if registration is None:
        return _invalid_link()
    back = url_for("registration.manage", token=token) + "#attendance"
    if not ChoicesForm().validate():
        flash(_("The form expired. Please submit it again."), "error")
        return redirect(back)
    try:
        result = attendance_switch.switch_attendance(
            registration, request.form.get("attendance", ""), join_waitlist=request.form.get("join_waitlist") == "1")
    except DomainError as err:
        # Refused (full, closed, not active): the page again, saying why, with nothing changed.
        flash(err.message, "error")
        db.session.refresh(registration)
        return render_template("registration/manage.html", **_manage_context(registration, token)), err.status
    flash(_attendee_message(result), "warning" if result.outcome == SwitchOutcome.ALREADY else "success")
    return redirect(back, code=303)


@bp.route("/admin/registrations/<int:registration_id>/attendance", methods=["POST"])
@staff_required(*OPERATORS)
def admin_switch_attendance(registration_id: int):
    registration = db.get_or_404(Registration, registration_id)
    back = url_for("registration.admin_detail", registration_id=registration.id)
    if not ChoicesForm().validate():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    try:
        result = attendance_switch.switch_attendance(
            registration, request.form.get("attendance", ""), actor=current_staff(),
            join_waitlist=request.form.get("join_waitlist") == "1")
    except DomainError as err:
        flash(err.message, "error")
        return redirect(back)
    flash(_staff_message(result), "warning" if result.outcome == SwitchOutcome.ALREADY else "success")
    return redirect(back, code=303)
