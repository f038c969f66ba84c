"""Operator pages for an event's sessions, hosts and custom questions (on events_admin)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..auth.permissions import current_staff, staff_required
from ..errors import DomainError
from . import programme, services
from .forms import ConfirmForm, HostForm, QuestionForm, SessionForm, options
from .views import OPERATORS, apply_errors, bp, naive_local


def _back(event):
    return redirect(url_for("events_admin.event_admin", slug=event.slug) + "#programme")


def _save(form, event, template: str, save, values: dict, **context):
    """Run `save(values)`; on an error show the form again with the messages and the input."""
    if form.validate():
        try:
            save(values)
        except DomainError as err:
            apply_errors(form, err.fields)
            if not err.fields:
                form.form_errors.append(err.message)
            return render_template(template, form=form, event=event, **context), err.status
        flash(_("Saved."), "success")
        return _back(event)
    if "csrf_token" in form.errors:
        return render_template(template, form=form, event=event, **context), 400
    return render_template(template, form=form, event=event, **context), 422


def _action(event, do):
    """A POST button (remove, move): run it and go back to the event page."""
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return _back(event)
    try:
        do()
    except DomainError as err:
        flash(err.message, "error")
    return _back(event)


def _offset() -> int:
    return -1 if request.form.get("direction") == "up" else 1


# --- sessions ------------------------------------------------------------------------------

def _session_form(event, data=None) -> SessionForm:
    form = SessionForm(data=data)
    form.host_id.choices = options(("", _("No host")), *((str(h.id), h.name) for h in event.hosts))
    return form


def _session_values(form: SessionForm) -> dict:
    values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
    for name in ("starts_at", "ends_at"):
        if form[name].errors:
            values[name] = None
    return values


@bp.route("/events/<slug>/sessions/new", methods=["GET", "POST"])
@staff_required(*OPERATORS)
def new_session(slug: str):
    event = services.event_by_slug(slug)
    if request.method == "GET":
        start = naive_local(event.starts_at, event.tz)
        form = _session_form(event, {"starts_at": start, "ends_at": naive_local(event.ends_at, event.tz)})
        return render_template("events/session_form.html", form=form, event=event, session=None)
    form = _session_form(event)
    return _save(form, event, "events/session_form.html",
                 lambda values: programme.add_session(event.id, values, actor=current_staff()),
                 _session_values(form), session=None)


@bp.route("/events/<slug>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@staff_required(*OPERATORS)
def edit_session(slug: str, session_id: int):
    event = services.event_by_slug(slug)
    session = programme.get_session(event.id, session_id)
    if request.method == "GET":
        data = {name: getattr(session, name) for name in programme.SESSION_FIELDS}
        data.update(kind=session.kind.value, host_id=str(session.host_id or ""),
                    capacity="" if session.capacity is None else str(session.capacity),
                    starts_at=naive_local(session.starts_at, event.tz), ends_at=naive_local(session.ends_at, event.tz))
        return render_template("events/session_form.html", form=_session_form(event, data), event=event,
                               session=session)
    form = _session_form(event)
    return _save(form, event, "events/session_form.html",
                 lambda values: programme.update_session(event.id, session.id, values, actor=current_staff()),
                 _session_values(form), session=session)


@bp.post("/events/<slug>/sessions/<int:session_id>/delete")
@staff_required(*OPERATORS)
def delete_session(slug: str, session_id: int):
    event = services.event_by_slug(slug)
    return _action(event, lambda: programme.remove_session(event.id, session_id, actor=current_staff()))


@bp.post("/events/<slug>/sessions/<int:session_id>/move")
@staff_required(*OPERATORS)
def move_session(slug: str, session_id: int):
    event = services.event_by_slug(slug)
    return _action(event, lambda: programme.move_session(event.id, session_id, _offset(), actor=current_staff()))


# --- hosts ---------------------------------------------------------------------------------

def _host_values(form: HostForm) -> dict:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@bp.route("/events/<slug>/hosts/new", methods=["GET", "POST"])
@staff_required(*OPERATORS)
def new_host(slug: str):
    event = services.event_by_slug(slug)
    form = HostForm()
    if request.method == "GET":
        return render_template("events/host_form.html", form=form, event=event, host=None)
    return _save(form, event, "events/host_form.html",
                 lambda values: programme.add_host(event.id, values, actor=current_staff()),
                 _host_values(form), host=None)


@bp.route("/events/<slug>/hosts/<int:host_id>/edit", methods=["GET", "POST"])
@staff_required(*OPERATORS)
def edit_host(slug: str, host_id: int):
    event = services.event_by_slug(slug)
    host = programme.get_host(event.id, host_id)
    if request.method == "GET":
        data = {name: getattr(host, name) for name in programme.HOST_FIELDS}
        for name in ("joined_year", "left_year"):
            data[name] = "" if data[name] is None else str(data[name])
        return render_template("events/host_form.html", form=HostForm(data=data), event=event, host=host)
    form = HostForm()
    return _save(form, event, "events/host_form.html",
                 lambda values: programme.update_host(event.id, host.id, values, actor=current_staff()),
                 _host_values(form), host=host)


@bp.post("/events/<slug>/hosts/<int:host_id>/delete")
@staff_required(*OPERATORS)
def delete_host(slug: str, host_id: int):
    event = services.event_by_slug(slug)
    return _action(event, lambda: programme.remove_host(event.id, host_id, actor=current_staff()))


@bp.post("/events/<slug>/hosts/<int:host_id>/move")
@staff_required(*OPERATORS)
def move_host(slug: str, host_id: int):
    event = services.event_by_slug(slug)
    return _action(event, lambda: programme.move_host(event.id, host_id, _offset(), actor=current_staff()))


# --- questions -----------------------------------------------------------------------------

@bp.route("/events/<slug>/questions/new", methods=["GET", "POST"])
@staff_required(*OPERATORS)
def new_question(slug: str):
    event = services.event_by_slug(slug)
    form = QuestionForm()
    if request.method == "GET":
        return render_template("events/question_form.html", form=form, event=event, question=None)
    return _save(form, event, "events/question_form.html",
                 lambda values: programme.add_question(event.id, values, actor=current_staff()),
                 form.to_values(), question=None)


@bp.route("/events/<slug>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@staff_required(*OPERATORS)
def edit_question(slug: str, question_id: int):
    event = services.event_by_slug(slug)
    question = programme.get_question(event.id, question_id)
    if request.method == "GET":
        data = {"kind": question.kind.value, "label": question.label, "label_translation": question.label_translation,
                "choices": "\n".join(question.choices or []),
                "choices_translation": "\n".join(question.choices_translation or []), "required": question.required}
        return render_template("events/question_form.html", form=QuestionForm(data=data), event=event,
                               question=question)
    form = QuestionForm()
    return _save(form, event, "events/question_form.html",
                 lambda values: programme.update_question(event.id, question.id, values, actor=current_staff()),
                 form.to_values(), question=question)


@bp.post("/events/<slug>/questions/<int:question_id>/delete")
@staff_required(*OPERATORS)
def delete_question(slug: str, question_id: int):
    event = services.event_by_slug(slug)
    return _action(event, lambda: programme.remove_question(event.id, question_id, actor=current_staff()))


@bp.post("/events/<slug>/questions/<int:question_id>/move")
@staff_required(*OPERATORS)
def move_question(slug: str, question_id: int):
    event = services.event_by_slug(slug)
    return _action(event, lambda: programme.move_question(event.id, question_id, _offset(), actor=current_staff()))
