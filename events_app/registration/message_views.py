"""Operators' messages to an event's registrants: compose, preview, send, and what was sent."""
from __future__ import annotations

import secrets

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.permissions import current_staff, staff_required
from ..enums import MessageStatus
from ..errors import DomainError, ValidationError
from ..events.models import Event
from ..pagination import page_asked
from ..reports.documents import csv_chunks
from ..reports.exports import file_stamp
from ..templating import local_time
from . import labels, message_recipients, message_schedule, messages
from .admin_views import OPERATORS, _event_or_404
from .filters import attendance_known
from .message_forms import CancelMessageForm, RegistrantMessageForm
from .message_mail import message_for_payload, text_to_html
from .views import bp

bp.add_app_template_global(message_for_payload, "registrant_message_for")
bp.add_app_template_filter(text_to_html, "registrant_text_html")


def _form(event: Event) -> RegistrantMessageForm:
    form = RegistrantMessageForm().fit_to(event, affiliation_label=labels.affiliation_label)
    form.idempotency_key.data = form.idempotency_key.data or secrets.token_urlsafe(24)
    return form


def _compose(event: Event, form: RegistrantMessageForm, *, status: int = 200, problem: str = ""):
    return render_template("registration/messages.html", event=event, form=form, problem=problem,
                           cancel_form=CancelMessageForm(), cancel_reason_label=labels.message_cancel_reason,
                           history=messages.message_history(event), attendance_known=attendance_known(event),
                           filter_lines=labels.message_filter_lines,
                           session_titles=labels.session_titles(event)), status


def _refused(event: Event, form: RegistrantMessageForm, err: ValidationError):
    """The form again, as typed, with the service's messages beside their fields."""
    form.add_service_errors(err.fields)
    return _compose(event, form, status=err.status, problem=err.message)


@bp.route("/admin/events/<slug>/messages")
@staff_required(*OPERATORS)
def messages_page(slug: str):
    event = _event_or_404(slug)
    return _compose(event, _form(event))


@bp.route("/admin/events/<slug>/messages/preview", methods=["POST"])
@staff_required(*OPERATORS)
def messages_preview(slug: str):
    """Check the form and show the recipients' count and the mail; "Edit" comes back here."""
    event = _event_or_404(slug)
    form = _form(event)
    if not form.validate():
        return _compose(event, form, status=400, problem=_("The form expired. Please try again."))
    if request.form.get("edit"):  # the preview's "Edit" button: back to the form, as typed
        return _compose(event, form)
    try:
        preview, send_at = message_schedule.preview_submission(event, form.values())
    except ValidationError as err:
        return _refused(event, form, err)
    form.previewed_count.data = str(preview.count)
    return render_template("registration/message_preview.html", event=event, form=form, preview=preview,
                           send_at=send_at,
                           filter_lines=labels.message_filter_lines,
                           session_titles=labels.session_titles(event))


@bp.route("/admin/events/<slug>/messages/send", methods=["POST"])
@staff_required(*OPERATORS)
def messages_send(slug: str):
    event = _event_or_404(slug)
    form = _form(event)
    if not form.validate():
        return _compose(event, form, status=400, problem=_("The form expired. Please try again."))
    try:
        result = message_schedule.submit_message(event, form.values(), actor=current_staff(),
                                                 idempotency_key=form.idempotency_key.data)
    except ValidationError as err:
        return _refused(event, form, err)
    count = result.message.recipient_count
    if result.message.status == MessageStatus.SCHEDULED:
        flash(_("Scheduled for %(when)s. Recipients are chosen when it is sent.",
                when=local_time(result.message.send_at, event.timezone)), "success")
    elif result.created:
        flash(ngettext("Sent to %(num)d person. The mail waits in the outbox and goes out in a moment.",
                       "Sent to %(num)d people. The mails wait in the outbox and go out in a moment.", count),
              "success")
        previewed = form.previewed_count.data or ""
        if previewed.isdigit() and int(previewed) != count:
            flash(_("The preview counted %(previewed)d recipients; %(count)d matched when the message was sent.",
                    previewed=int(previewed), count=count), "warning")
    else:
        flash(ngettext("This message had already been sent, to %(num)d person; it was not sent again.",
                       "This message had already been sent, to %(num)d people; it was not sent again.", count),
              "warning")
    return redirect(url_for("registration.messages_page", slug=event.slug, _anchor=f"message-{result.message.id}"))


def _delivery_asked() -> tuple[messages.Delivery | None, bool]:
    """The `delivery` query parameter: a state or None for all, and whether the value was unknown."""
    value = request.args.get("delivery", "")
    if value in ("", "all"):
        return None, False
    try:
        return messages.Delivery(value), False
    except ValueError:
        return None, True


@bp.route("/admin/events/<slug>/messages/<int:message_id>")
@staff_required(*OPERATORS)
def message_recipients_page(slug: str, message_id: int):
    """One sent message: its text, and a page of its recipients with where each person's mail is."""
    event = _event_or_404(slug)
    delivery, unknown_delivery = _delivery_asked()
    found = message_recipients.message_recipients(event, message_id, delivery=delivery, page=page_asked(request.args))
    message = found.progress.message
    would_reach = (message_schedule.current_recipient_count(event, message)
                   if message.status == MessageStatus.SCHEDULED else None)
    return render_template("registration/message_recipients.html", event=event, found=found,
                           would_reach=would_reach, cancel_reason_label=labels.message_cancel_reason,
                           message=found.progress.message, unknown_delivery=unknown_delivery,
                           deliveries=list(message_recipients.OUTBOX_STATES),
                           filter_lines=labels.message_filter_lines,
                           session_titles=labels.session_titles(event),
                           status_label=labels.status_label, affiliation_label=labels.affiliation_label,
                           delivery_label=message_recipients.delivery_label)


@bp.route("/admin/events/<slug>/messages/<int:message_id>/cancel", methods=["POST"])
@staff_required(*OPERATORS)
def message_cancel(slug: str, message_id: int):
    """Cancel a scheduled message before its time (the form carries the CSRF token)."""
    event = _event_or_404(slug)
    message = message_recipients.message_of_event(event, message_id)
    form = CancelMessageForm()
    if not form.validate():
        flash(_("The form expired. Please try again."), "error")
    else:
        try:
            message_schedule.cancel_scheduled_message(message, actor=current_staff())
            flash(_("The scheduled message was cancelled; it will not be sent."), "success")
        except DomainError as err:
            flash(err.message, "error")
    return redirect(url_for("registration.messages_page", slug=event.slug, _anchor=f"message-{message.id}"))


@bp.route("/admin/events/<slug>/messages/<int:message_id>/recipients.csv")
@staff_required(*OPERATORS)
def message_recipients_csv(slug: str, message_id: int):
    """The recipient list in one delivery state or all (never paged) as CSV (UTF-8 with a BOM for
    Excel); the download is audited with its filter. An unknown state downloads everyone, as the page shows."""
    event = _event_or_404(slug)
    delivery, _unknown = _delivery_asked()
    message = message_recipients.message_of_event(event, message_id)
    lines = message_recipients.all_recipient_lines(message, delivery=delivery)
    message_recipients.record_recipients_export(event, message, rows=len(lines), delivery=delivery,
                                                actor=current_staff(), ip=request.remote_addr)
    chunks = csv_chunks(message_recipients.csv_header(event), message_recipients.csv_rows(event, lines))
    state = f"-{delivery.value}" if delivery else ""
    name = f"{event.slug}-message-{message_id}-recipients{state}-{file_stamp(event.timezone)}.csv"
    return Response(b"".join(chunks), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store"})
