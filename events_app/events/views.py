"""Operator pages for events: the dashboard, the event form, publish / cancel / duplicate.

Sessions, hosts and questions are in programme_views.py; staff and tokens in staff_views.py;
both add their routes to this blueprint.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.permissions import current_staff, staff_required
from ..enums import Role
from ..errors import DomainError, ValidationError
from ..mail.services import keeps_mail_in_outbox
from . import queries, services
from .forms import COMMON_ZONES, CancelForm, ConfirmForm, DuplicateForm, EventForm

bp = Blueprint("events_admin", __name__, url_prefix="/admin")
OPERATORS = (Role.ADMIN, Role.OPERATOR)


def apply_errors(form, fields: dict[str, list[str]]) -> None:
    """Put a service's field messages next to the form's fields (others go on top)."""
    for name, messages in fields.items():
        target = form._fields.get(name)
        if target is not None and target.errors:
            continue  # the form's own parse message says it better
        bucket = target.errors if target is not None else form.form_errors
        if target is not None and not isinstance(bucket, list):
            target.errors = bucket = list(bucket)
        for message in messages:
            if message not in bucket:
                bucket.append(message)


def naive_local(value, tz):
    return value.astimezone(tz).replace(tzinfo=None) if value else None


def event_form_data(event) -> dict:
    tz = event.tz
    data = services.event_values(event)
    for name in EventForm.DATETIME_FIELDS:
        data[name] = naive_local(data[name], tz)
    for name in ("capacity", "online_capacity", "venue_latitude", "venue_longitude", "reminder_hours_before",
                 "online_reminder_minutes_before"):
        data[name] = "" if data[name] is None else str(data[name])
    data["kind"], data["visibility"] = event.kind.value, event.visibility.value
    data.pop("status")
    return data


@bp.route("/")
@staff_required(*OPERATORS)
def dashboard():
    upcoming, past = queries.dashboard_events()
    numbers = queries.event_numbers([e.id for e in upcoming + past])
    return render_template("events/dashboard.html", upcoming=upcoming, past=past, numbers=numbers,
                           outbox_link=keeps_mail_in_outbox())


def _render_event_form(form, event=None, status=200):
    return render_template("events/event_form.html", form=form, event=event, zones=COMMON_ZONES), status


def _show_error(form, err: DomainError) -> None:
    apply_errors(form, err.fields)
    if not err.fields:
        form.form_errors.append(err.message)


def _check_event_form(form, event=None) -> int | None:
    """Parse the form; on a parse error (a garbled date) also report the service's other
    findings without saving anything. Returns an error status, or None to go on."""
    form.validate()
    if "csrf_token" in form.errors:
        return 400
    if not form.errors:
        return None
    try:
        if event is None:
            services.clean_new_event(form.to_values())
        else:
            services.clean_update(event, form.to_values())
    except ValidationError as err:
        apply_errors(form, err.fields)
    return 422


@bp.route("/events/new", methods=["GET", "POST"])
@staff_required(*OPERATORS)
def new_event():
    form = EventForm()
    if request.method == "GET":
        return _render_event_form(form)
    status = _check_event_form(form)
    if status:
        return _render_event_form(form, status=status)
    try:
        event = services.create_event(form.to_values(), actor=current_staff())
    except DomainError as err:
        _show_error(form, err)
        return _render_event_form(form, status=err.status)
    flash(_("Event created as a draft. Add sessions and hosts, then publish it."), "success")
    return redirect(url_for("events_admin.event_admin", slug=event.slug))


@bp.route("/events/<slug>")
@staff_required(*OPERATORS)
def event_admin(slug: str):
    event = services.event_by_slug(slug)
    numbers = queries.event_numbers([event.id])[event.id]
    return render_template("events/event_admin.html", event=event, numbers=numbers, action_form=ConfirmForm())


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
@staff_required(*OPERATORS)
def edit_event(slug: str):
    event = services.event_by_slug(slug)
    if request.method == "GET":
        return _render_event_form(EventForm(data=event_form_data(event)), event)
    form = EventForm()
    status = _check_event_form(form, event)
    if status:
        return _render_event_form(form, event, status)
    try:
        event = services.update_event(event.id, form.to_values(), actor=current_staff())
    except DomainError as err:
        _show_error(form, err)
        return _render_event_form(form, event, err.status)
    flash(_("Changes saved."), "success")
    return redirect(url_for("events_admin.event_admin", slug=event.slug))


def _state_change(slug: str, change, done_message: str):
    event = services.event_by_slug(slug)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(url_for("events_admin.event_admin", slug=slug))
    try:
        change(event.id, actor=current_staff())
    except DomainError as err:
        flash(err.message, "error")
    else:
        flash(done_message, "success")
    return redirect(url_for("events_admin.event_admin", slug=slug))


@bp.post("/events/<slug>/publish")
@staff_required(*OPERATORS)
def publish_event(slug: str):
    return _state_change(slug, services.publish_event, _("Published: the event is now on the public pages."))


@bp.post("/events/<slug>/complete")
@staff_required(*OPERATORS)
def complete_event(slug: str):
    return _state_change(slug, services.complete_event, _("Marked as completed."))


@bp.route("/events/<slug>/cancel", methods=["GET", "POST"])
@staff_required(*OPERATORS)
def cancel_event(slug: str):
    event = services.event_by_slug(slug)
    form = CancelForm()
    numbers = queries.event_numbers([event.id])[event.id]
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                services.cancel_event(event.id, actor=current_staff(), reason=form.reason.data or "")
            except DomainError as err:
                _show_error(form, err)
                status = err.status
            else:
                flash(_("The event is cancelled. Attendees' calendars are being updated."), "success")
                return redirect(url_for("events_admin.event_admin", slug=slug))
        else:
            status = 422
    return render_template("events/cancel.html", event=event, form=form, numbers=numbers), status


@bp.route("/events/<slug>/duplicate", methods=["GET", "POST"])
@staff_required(*OPERATORS)
def duplicate_event(slug: str):
    event = services.event_by_slug(slug)
    form = DuplicateForm()
    status = 200
    if request.method == "GET":
        form.starts_at.data = naive_local(event.starts_at + timedelta(days=7), event.tz)
    elif form.validate():
        try:
            copy = services.duplicate_event(event.id, actor=current_staff(), starts_at=form.starts_at.data)
        except DomainError as err:
            _show_error(form, err)
            status = err.status
        else:
            flash(_("Copied as a draft. Check the details, then publish."), "success")
            return redirect(url_for("events_admin.edit_event", slug=copy.slug))
    else:
        status = 422
    return render_template("events/duplicate.html", event=event, form=form), status


from . import programme_views, staff_views  # noqa: E402,F401  (their routes join this blueprint)
