"""The outbox page for operators: every mail, its state and attempts; rendered; failed ones re-queued."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from ..auth.permissions import staff_required
from ..enums import OutboxStatus, Role
from ..extensions import db
from .composer import listing_subject
from .labels import language_label, status_label
from .models import OutboxMessage
from .services import keeps_mail_in_outbox

bp = Blueprint("mail", __name__)
OPERATORS = (Role.ADMIN, Role.OPERATOR)
PAGE_SIZE = 50


class ActionForm(FlaskForm):
    """CSRF only."""


@bp.route("/admin/outbox")
@staff_required(*OPERATORS)
def outbox():
    status = request.args.get("status") or ""
    q = (request.args.get("q") or "").strip()[:100]
    try:
        page = max(int(request.args.get("page") or 1), 1)
    except ValueError:
        page = 1
    stmt = select(OutboxMessage)
    if status in {s.value for s in OutboxStatus}:
        stmt = stmt.where(OutboxMessage.status == OutboxStatus(status))
    else:
        status = ""
    if q:
        stmt = stmt.where(OutboxMessage.to_address.contains(q.lower(), autoescape=True))
    messages = list(db.session.scalars(stmt.order_by(OutboxMessage.id.desc())
                                       .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    messages, has_more = messages[:PAGE_SIZE], len(messages) > PAGE_SIZE
    return render_template("emails/outbox.html", messages=messages, has_more=has_more,
                           subjects={m.id: listing_subject(m) for m in messages},
                           page=page, status=status, q=q, form=ActionForm(),
                           counts={OutboxStatus(k).value: v for k, v in counts.items()},
                           smtp_configured=not keeps_mail_in_outbox(), statuses=list(OutboxStatus),
                           status_label=status_label, language_label=language_label)


@bp.route("/admin/outbox/<int:message_id>")
@staff_required(*OPERATORS)
def outbox_message(message_id: int):
    from .composer import render_parts

    message = db.get_or_404(OutboxMessage, message_id)
    try:
        subject, text, html = render_parts(message)
        render_error = ""
    except Exception as err:  # noqa: BLE001 — show why a mail cannot be built instead of a 500
        subject, text, html, render_error = message.subject, "", "", f"{type(err).__name__}: {err}"
    return render_template("emails/outbox_message.html", message=message, subject=subject, text=text, html=html,
                           render_error=render_error, form=ActionForm(), status_label=status_label,
                           language_label=language_label)


@bp.route("/admin/outbox/<int:message_id>/requeue", methods=["POST"])
@staff_required(*OPERATORS)
def requeue(message_id: int):
    from .worker import requeue as requeue_message

    if not ActionForm().validate():
        abort(400)
    if requeue_message(message_id):
        flash(_("Queued again; the worker sends it on its next round."), "success")
    else:
        flash(_("Only failed or sent messages can be queued again."), "warning")
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/admin/outbox")
                    else url_for("mail.outbox"))
