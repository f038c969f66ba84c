"""Operators' registration pages: the list with search, filters and counts; actions; the audit trail."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from ..audit.models import AuditEntry
from ..auth.permissions import current_staff, staff_required
from ..enums import Affiliation, AttendanceMode, RegistrationStatus, Role
from ..errors import DomainError
from ..events.models import Event
from ..extensions import db
from ..pagination import Page, page_asked
from ..people.models import Person
from . import labels, services
from .filters import CHECK_IN_STATES, affiliation_is, attendance_is, check_in_state_is, chose_session, status_is
from .forms import ChoicesForm, answers_from_form
from .models import Registration
from .views import bp

OPERATORS = (Role.ADMIN, Role.OPERATOR)
PAGE_SIZE = 100


def _event_or_404(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    return event


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Half- and full-width spaces: people type 山田花子 for a name stored as 山田 花子, and back.
_SPACES = (" ", "\u3000")


def _without_spaces(text: str) -> str:
    for space in _SPACES:
        text = text.replace(space, "")
    return text


def _column_without_spaces(column):
    # Nested REPLACE exists on SQLite and PostgreSQL alike (no regexp_replace on SQLite).
    for space in _SPACES:
        column = func.replace(column, space, "")
    return column


def filtered_registrations(event: Event, args) -> tuple[list[Registration], dict, Page]:
    """One page of the registrations of an event matching the list's search and filters (kana order)."""
    stmt = (select(Registration).join(Person, Person.id == Registration.person_id)
            .options(contains_eager(Registration.person))  # the list shows each person: no query per row
            .where(Registration.event_id == event.id))
    q = (args.get("q") or "").strip()[:100]
    if q:
        pattern = _like(q.lower())
        kana = q
        try:
            from ..people.services import normalise_kana
            kana = normalise_kana(q)
        except ValueError:
            pass
        stmt = stmt.where(or_(
            _column_without_spaces(func.lower(Person.name)).like(_like(_without_spaces(q.lower())), escape="\\"),
            _column_without_spaces(Person.name_kana).like(_like(_without_spaces(kana)), escape="\\"),
            Person.email.like(pattern, escape="\\"),
            func.lower(Person.company).like(pattern, escape="\\"),
        ))
    filters = {"q": q, "status": "", "affiliation": "", "session": "", "attendance": "", "checked_in": ""}
    status = args.get("status") or ""
    if status in {s.value for s in RegistrationStatus}:
        stmt = stmt.where(status_is(RegistrationStatus(status)))
        filters["status"] = status
    affiliation = args.get("affiliation") or ""
    if affiliation in {a.value for a in Affiliation}:
        stmt = stmt.where(affiliation_is(Affiliation(affiliation)))
        filters["affiliation"] = affiliation
    attendance = args.get("attendance") or ""
    if attendance in {a.value for a in AttendanceMode}:
        stmt = stmt.where(attendance_is(AttendanceMode(attendance)))
        filters["attendance"] = attendance
    checked_in = args.get("checked_in") or ""
    if checked_in in CHECK_IN_STATES:
        stmt = stmt.where(check_in_state_is(checked_in))
        filters["checked_in"] = checked_in
    session_id = args.get("session") or ""
    if session_id.isdigit():
        stmt = stmt.where(chose_session(int(session_id)))
        filters["session"] = session_id
    order = [Registration.status == RegistrationStatus.WAITLISTED, Registration.waitlist_rank,
             Person.name_kana, Person.name, Registration.id]
    if filters["status"] == "waitlisted":
        order = [Registration.waitlist_rank, Registration.id]
    total = db.session.scalar(stmt.with_only_columns(func.count(Registration.id)).order_by(None))
    page = Page.of(page_asked(args), total=total, size=PAGE_SIZE)
    # The order ends with the id, so it is total and LIMIT/OFFSET pages neither repeat nor skip a row.
    rows = db.session.scalars(stmt.order_by(*order).limit(PAGE_SIZE).offset(page.offset))
    return list(rows), filters, page


def status_counts(event: Event) -> dict[str, int]:
    """Registrations per status, plus confirmed per attendance mode (`confirmed_in_person`,
    `confirmed_online`): each mode has its own capacity, so a hybrid total against the venue's
    capacity would read like overbooking."""
    rows = db.session.execute(select(Registration.status, Registration.attendance_mode, func.count())
                              .where(Registration.event_id == event.id)
                              .group_by(Registration.status, Registration.attendance_mode)).all()
    counts = {s.value: 0 for s in RegistrationStatus}
    counts.update({f"confirmed_{m.value}": 0 for m in AttendanceMode})
    for status, mode, count in rows:
        status = RegistrationStatus(status)
        counts[status.value] += count
        if status == RegistrationStatus.CONFIRMED:
            counts[f"confirmed_{AttendanceMode(mode).value}"] += count
    return counts


@bp.route("/admin/events/<slug>/registrations")
@staff_required(*OPERATORS)
def admin_list(slug: str):
    event = _event_or_404(slug)
    registrations, filters, page = filtered_registrations(event, request.args)
    positions = services.waitlist_positions(event.id)
    return render_template("registration/admin_list.html", event=event, registrations=registrations,
                           filters=filters, page=page, filter_args={k: v for k, v in filters.items() if v},
                           counts=status_counts(event), positions=positions,
                           action_form=ChoicesForm(), status_label=services.status_label,
                           affiliation_label=labels.affiliation_label)


@bp.route("/admin/events/<slug>/registrations", methods=["POST"])
@staff_required(*OPERATORS)
def admin_add(slug: str):
    """An operator registers someone by hand (a phone call, a walk-up): no window, consent or kana checks."""
    event = _event_or_404(slug)
    form = ChoicesForm()
    back = url_for("registration.admin_list", slug=slug)
    if not form.validate():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    data = {key: request.form.get(key, "") for key in (
        "name", "name_kana", "email", "affiliation", "company", "department", "attendance")}
    data["department"] = data["department"] or data["company"]  # one box: company (alumni, guests) or department
    data["consent"] = True
    try:
        result = services.register(event, data, source="operator", actor=current_staff(),
                                   language=request.form.get("language") if request.form.get("language") in ("ja", "en") else "ja")
    except DomainError as err:
        details = "; ".join(m for messages in err.fields.values() for m in messages)
        flash(f"{err.message} {details}".strip(), "error")
        return redirect(back)
    flash(_("Registered %(name)s: %(status)s.", name=data["name"], status=services.status_label(result.status)), "success")
    return redirect(back)


@bp.route("/admin/registrations/<int:registration_id>", methods=["GET", "POST"])
@staff_required(*OPERATORS)
def admin_detail(registration_id: int):
    registration = db.get_or_404(Registration, registration_id)
    event = registration.event
    form = ChoicesForm()
    errors: dict = {}
    answers = {str(a.question_id): a.value for a in registration.answers}
    chosen = {str(c.session_id) for c in registration.session_choices}
    status = 200
    if request.method == "POST" and form.validate():
        try:
            services.update_choices(
                registration,
                session_ids=request.form.getlist("session_ids") if event.sessions else None,
                answers=answers_from_form(event, request.form) if event.questions else None,
                actor=current_staff())
        except DomainError as err:
            flash(err.message, "error")
            errors, status = err.fields, err.status
            answers = answers_from_form(event, request.form)
            chosen = set(request.form.getlist("session_ids"))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("registration.admin_detail", registration_id=registration.id))
    trail = list(db.session.scalars(select(AuditEntry).where(AuditEntry.subject_type == "registration",
                                                             AuditEntry.subject_id == registration.id)
                                    .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())))
    from ..tickets.queries import registration_history  # tickets builds on registration: import late

    return render_template("registration/admin_detail.html", registration=registration, event=event,
                           check_ins=registration_history(registration.id),
                           person=registration.person, form=form, errors=errors, answers=answers,
                           chosen_sessions=chosen, trail=labels.trail_lines(trail, labels.session_titles(event)),
                           position=services.waitlist_position(registration),
                           session_states={c.session_id: c for c in registration.session_choices},
                           status_label=services.status_label, affiliation_label=labels.affiliation_label,
                           registration_source_label=labels.source_label, action_form=ChoicesForm(),
                           staff_entry=True), status  # operators may leave every session unticked


def _flash_approval(registration: Registration) -> None:
    """An approval confirms only while seats are left; when the event is full the person joins the waitlist."""
    name = registration.person.name
    if registration.status != RegistrationStatus.WAITLISTED:
        flash(_("Approved: %(name)s is confirmed and has been told by email.", name=name), "success")
        return
    position = services.waitlist_position(registration)
    if position is None:
        flash(_("Approved, but the event is full: %(name)s is on the waitlist and has been told by email.",
                name=name), "warning")
    else:
        flash(_("Approved, but the event is full: %(name)s is number %(position)d on the waitlist and has "
                "been told by email.", name=name, position=position), "warning")


@bp.route("/admin/registrations/<int:registration_id>/<action>", methods=["POST"])
@staff_required(*OPERATORS)
def admin_action(registration_id: int, action: str):
    registration = db.get_or_404(Registration, registration_id)
    form = ChoicesForm()
    back = request.form.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("registration.admin_list", slug=registration.event.slug)
    if not form.validate():
        flash(_("The form expired. Please try again."), "error")
        return redirect(back)
    actor = current_staff()
    message = (request.form.get("message") or "").strip()
    try:
        if action == "approve":
            _flash_approval(services.approve(registration, actor=actor, message=message))
        elif action == "reject":
            services.reject(registration, actor=actor, message=message)
            flash(_("Declined; the attendee has been told by email."), "success")
        elif action == "cancel":
            services.cancel(registration, actor=actor, reason=message)
            flash(_("Cancelled; the next person on the waitlist, if any, has been promoted."), "success")
        elif action == "promote":
            services.promote(registration, actor=actor)
            flash(_("Promoted from the waitlist."), "success")
        elif action == "move":
            try:
                position = int(request.form.get("position") or 0)
            except ValueError:
                position = 0
            if position < 1:
                flash(_("Enter a position of 1 or more."), "error")
                return redirect(back)
            # The service clamps to the end of the line: say where the person really is.
            position = services.move_in_waitlist(registration, actor=actor, to_position=position)
            flash(_("Moved to position %(position)d of the waitlist.", position=position), "success")
        else:
            abort(404)
    except DomainError as err:
        flash(err.message, "error")
    return redirect(back)
