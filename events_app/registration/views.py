"""Attendee pages: the registration form, the confirmation, the private link page, lost links."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.services import can_manage_events
from ..errors import DomainError, ErrorCode, ValidationError
from ..events.services import is_publicly_visible
from ..events.models import Event
from ..extensions import db, limiter
from ..people.services import normalise_email
from . import services
from .decisions import attended_cancel_message
from .forms import CancelForm, ChoicesForm, RegistrationForm, ResendLinkForm, answers_from_form
from .tokens import registration_for_token

bp = Blueprint("registration", __name__)

DONE_KEY = "registration_done"


@bp.app_template_global("question_choices")
def question_choices(question) -> list[str]:
    from .validation import choice_values

    return choice_values(question)


@bp.app_template_global("choice_label")
def choice_label(question, value: str) -> str:
    """A choice as this visitor reads it: its translation, in the same place in the list, when the
    page is not in the event's language (the stored answer stays `value`)."""
    translated = list(question.choices_translation or [])
    values = question_choices(question)
    if translated and len(translated) == len(values) and str(get_locale()) != question.event.language:
        return translated[values.index(value)] if value in values else value
    return value


def _rate() -> str:
    return current_app.config["RATELIMIT_REGISTRATION"]


def _event_or_404(slug: str) -> Event:
    """The event, if its public page exists: a draft (or a draft cancelled before it was ever
    published) is 404 here too, for everyone but operators, so its form URL does not show it."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or not (is_publicly_visible(event) or can_manage_events(current_user)):
        abort(404)
    return event


def _language() -> str:
    return str(get_locale() or "ja")


def _blank_form(event: Event) -> RegistrationForm:
    """The form as a visitor first sees it: a fresh double-submit key, online chosen for a webinar."""
    form = RegistrationForm(require_kana=_language() == "ja").fit_to(event)
    form.idempotency_key.data = secrets.token_urlsafe(24)
    if event.has_online and not event.has_in_person:
        form.attendance.data = "online"
    return form


def _form_context(event: Event, form: RegistrationForm, *, extra_errors=None, status_note=""):
    submitted = request.form if request.method == "POST" else None
    chosen_sessions = {str(s) for s in (submitted.getlist("session_ids") if submitted else [])}
    answers = answers_from_form(event, submitted) if submitted else {}
    extra_errors = extra_errors or {}
    general_errors = {k: v for k, v in extra_errors.items() if k != "session_ids" and not k.startswith("answers.")}
    return dict(event=event, form=form, resend_form=ResendLinkForm(prefix="resend"),
                chosen_sessions=chosen_sessions, answers=answers, extra_errors=extra_errors,
                general_errors=general_errors, status_note=status_note)


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(_rate, methods=["POST"])
def register(slug: str):
    event = _event_or_404(slug)
    is_open, why = services.registration_is_open(event)
    if not is_open:
        return render_template("registration/closed.html", event=event, message=why,
                               resend_form=ResendLinkForm(prefix="resend")), 410
    if request.method == "GET":
        return render_template("registration/register.html", **_form_context(event, _blank_form(event)))
    form = RegistrationForm(require_kana=_language() == "ja").fit_to(event)
    if not form.validate():  # CSRF only; the service owns the rules
        flash(_("The form expired. Please submit it again."), "error")
        form.idempotency_key.data = form.idempotency_key.data or secrets.token_urlsafe(24)
        return render_template("registration/register.html", **_form_context(event, form)), 400
    if form.website.data:
        # A bot filled the hidden field: answer like a success, store nothing.
        session[DONE_KEY] = {"slug": event.slug, "token": None}
        return redirect(url_for("registration.done", slug=event.slug))
    try:
        result = services.register(event, form.service_data(event, request.form), source="web",
                                   idempotency_key=form.idempotency_key.data or None, language=_language())
    except services.AlreadyRegistered as err:
        flash(err.message, "warning")
        return render_template("registration/register.html", **_form_context(event, form)), 409
    except DomainError as err:
        if err.code == ErrorCode.REGISTRATION_CLOSED:
            return render_template("registration/closed.html", event=event, message=err.message,
                                   resend_form=ResendLinkForm(prefix="resend")), 410
        extra = form.add_service_errors(err.fields)
        if not err.fields:  # a field message is shown by its field, not twice
            flash(err.message, "error")
        return render_template("registration/register.html",
                               **_form_context(event, form, extra_errors=extra)), err.status
    session[DONE_KEY] = {"slug": event.slug, "token": result.token}
    return redirect(url_for("registration.done", slug=event.slug))


@bp.route("/events/<slug>/register/done")
def done(slug: str):
    event = _event_or_404(slug)
    info = session.get(DONE_KEY) or {}
    if info.get("slug") != slug:
        return redirect(url_for("registration.register", slug=slug))
    registration = registration_for_token(info["token"]) if info.get("token") else None
    position = services.waitlist_position(registration) if registration else None
    return render_template("registration/done.html", event=event, registration=registration,
                           token=info.get("token"), position=position)


@bp.app_template_global("resend_link_form")
def resend_link_form() -> ResendLinkForm:
    """The lost-link form for pages whose view does not make one (the public event page)."""
    return ResendLinkForm(prefix="resend")


@bp.route("/events/<slug>/resend-link", methods=["POST"])
@limiter.limit(_rate)
def resend_link(slug: str):
    event = _event_or_404(slug)
    form = ResendLinkForm(prefix="resend")
    if form.validate():
        try:
            normalise_email(form.email.data or "")
        except ValidationError as err:
            # Malformed input is said so (and kept); whether an address is registered never is.
            form.email.errors = list(err.fields.get("email", [err.message]))
            return _lost_link_page(event, form), 422
        services.resend_link(event, form.email.data or "")
    # The same answer whether or not the address is registered: no one learns who is.
    flash(_("If this address is registered for the event, we have sent the link to it. "
            "Please check your inbox (and your spam folder)."), "success")
    return redirect(url_for("registration.register", slug=slug) + "#lost-link")


def _lost_link_page(event: Event, resend_form: ResendLinkForm):
    """The page the lost-link form sits on (the form while registration is open, else the notice),
    showing `resend_form` with its errors."""
    is_open, why = services.registration_is_open(event)
    if not is_open:
        return render_template("registration/closed.html", event=event, message=why, resend_form=resend_form)
    return render_template("registration/register.html",
                           **{**_form_context(event, _blank_form(event)), "resend_form": resend_form})


# --- the attendee's own page -----------------------------------------------------------

def _registration_or_404(token: str):
    registration = registration_for_token(token)
    if registration is None:
        return None
    return registration


def _invalid_link():
    return render_template("registration/invalid_link.html"), 404


def _manage_context(registration, token, *, choices_errors=None, submitted=None):
    event = registration.event
    current_answers = {str(a.question_id): a.value for a in registration.answers}
    if submitted is not None:
        current_answers = answers_from_form(event, submitted)
        chosen = {str(s) for s in submitted.getlist("session_ids")}
    else:
        chosen = {str(c.session_id) for c in registration.session_choices}
    session_states = {c.session_id: c for c in registration.session_choices}
    return dict(registration=registration, event=event, token=token, person=registration.person,
                position=services.waitlist_position(registration),
                session_states=session_states,
                session_position=services.session_waitlist_position,
                chosen_sessions=chosen, answers=current_answers, choices_form=ChoicesForm(),
                extra_errors=choices_errors or {}, status_label=services.status_label)


@bp.route("/r/<token>")
def manage(token: str):
    registration = _registration_or_404(token)
    if registration is None:
        return _invalid_link()
    return render_template("registration/manage.html", **_manage_context(registration, token))


@bp.route("/r/<token>/choices", methods=["POST"])
@limiter.limit(_rate)
def update_choices(token: str):
    registration = _registration_or_404(token)
    if registration is None:
        return _invalid_link()
    form = ChoicesForm()
    if not form.validate():
        flash(_("The form expired. Please submit it again."), "error")
        return redirect(url_for("registration.manage", token=token))
    event = registration.event
    try:
        services.update_choices(
            registration,
            session_ids=request.form.getlist("session_ids") if event.sessions else None,
            answers=answers_from_form(event, request.form) if event.questions else None,
            give_up_seats=request.form.get("give_up_seats") == "1",
        )
    except DomainError as err:
        flash(err.message, "error")
        context = _manage_context(registration, token, choices_errors=err.fields, submitted=request.form)
        context["seat_at_stake"] = isinstance(err, services.SeatWouldBeLost)
        return render_template("registration/manage.html", **context), err.status
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("registration.manage", token=token))


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    registration = _registration_or_404(token)
    if registration is None:
        return _invalid_link()
    if not registration.is_active:
        flash(_("This registration is already %(status)s.", status=services.status_label(registration.status)), "warning")
        return redirect(url_for("registration.manage", token=token))
    if registration.checked_in_at or registration.online_joined_at:
        flash(attended_cancel_message(), "warning")
        return redirect(url_for("registration.manage", token=token))
    form = CancelForm()
    if request.method == "POST":
        if form.validate() and form.confirm.data:
            try:
                services.cancel(registration, reason=form.reason.data or "")
            except DomainError as err:
                flash(err.message, "error")
            else:
                flash(_("Your registration is cancelled. We have sent you a confirmation by email."), "success")
            return redirect(url_for("registration.manage", token=token))
        form.confirm.errors = list(form.confirm.errors) + [_("Tick the box to confirm the cancellation.")]
        return render_template("registration/cancel.html", registration=registration, event=registration.event,
                               token=token, form=form), 422
    return render_template("registration/cancel.html", registration=registration, event=registration.event,
                           token=token, form=form)


from . import attendance_views  # noqa: E402,F401  (switching in person / online: attendee and operators)
from . import admin_views, message_views  # noqa: E402,F401  (operator pages join this blueprint)
