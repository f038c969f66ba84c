"""Without MAIL_SERVER the worker keeps mail for the operators' outbox page; reminders never double."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from events_app.database import utcnow, write_transaction
from events_app.enums import EventKind, OutboxStatus
from events_app.extensions import db
from events_app.mail import worker
from events_app.mail.models import OutboxMessage
from events_app.registration.reminders import queue_due_reminders


def test_without_smtp_mail_is_kept_and_shown_rendered_to_operators(app, db_backend, client, make_event,
                                                                   make_registration, make_staff, login):
    event = make_event(title="広報部 OB 会")
    reg = make_registration(event)
    with write_transaction():
        from events_app.mail.services import enqueue
        enqueue("registration_confirmed", to=reg.person.email, registration=reg, language="ja")
    assert worker.drain() == (1, 0)
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == OutboxStatus.SENT and row.payload["_delivery"] == "outbox_page"
    assert client.get("/admin/outbox").status_code == 302  # sign in first
    login(make_staff("operator"))
    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert reg.person.email in listing and "広報部 OB 会" in listing
    detail = client.get(f"/admin/outbox/{row.id}").get_data(as_text=True)
    assert "srcdoc=" in detail and f"/r/{reg.manage_token}" in detail


def test_checkin_staff_cannot_read_the_outbox(app, db_backend, client, make_staff, login):
    login(make_staff("checkin"))
    assert client.get("/admin/outbox").status_code == 403


def test_operator_requeues_a_failed_mail(app, db_backend, client, make_event, make_staff, login):
    with write_transaction():
        from events_app.mail.services import enqueue
        message = enqueue("registration_link_resent", to="x@example.jp", event=make_event())
        db.session.flush()
        message.status, message.attempts, message.last_error = OutboxStatus.FAILED, 8, "SMTPRecipientsRefused"
    login(make_staff("admin"))
    response = client.post(f"/admin/outbox/{message.id}/requeue")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).status == OutboxStatus.QUEUED


def test_reminders_are_queued_once_however_often_cron_runs(app, db_backend, make_event, make_registration, runner):
    soon = utcnow() + timedelta(hours=10)
    event = make_event(starts_at=soon, ends_at=soon + timedelta(hours=2), kind=EventKind.HYBRID,
                       reminder_hours_before=24, online_reminder_minutes_before=15)
    make_registration(event, confirmed_at=utcnow() - timedelta(days=3))
    online = make_registration(event, attendance_mode="online", confirmed_at=utcnow() - timedelta(days=3))
    make_registration(event, status="waitlisted")
    assert queue_due_reminders() == {"day_before": 2, "online": 0}
    assert queue_due_reminders() == {"day_before": 0, "online": 0}
    # 10 minutes before the start: the online attendee's join reminder is due, once.
    later = soon - timedelta(minutes=10)
    assert queue_due_reminders(now=later) == {"day_before": 0, "online": 1}
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0 and "queued 0 day-before and 0 online" in result.output
    online_rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "reminder_online")).all()
    assert [m.registration_id for m in online_rows] == [online.id]


def test_reminder_mails_render_with_the_join_link(app, db_backend, make_event, make_registration, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    soon = utcnow() + timedelta(minutes=10)
    event = make_event(starts_at=soon, ends_at=soon + timedelta(hours=1), kind=EventKind.WEBINAR,
                       online_url="https://meet.example/abc")
    make_registration(event, attendance_mode="online", confirmed_at=utcnow() - timedelta(days=3))
    queue_due_reminders()
    assert worker.drain()[0] == 2
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in smtp_server.wait_for(2)]
    assert any("/join" in b for b in bodies)  # the personal join link, which records attendance


@pytest.mark.parametrize("lang, status", [("ja", "送信待ち"), ("en", "Queued")])
def test_outbox_shows_a_queued_mails_subject_and_status_in_words(app, db_backend, client, make_event,
                                                                  make_registration, make_staff, login,
                                                                  lang, status):
    event = make_event(title="広報部 OB 会")
    reg = make_registration(event)
    with write_transaction():
        from events_app.mail.services import enqueue
        message = enqueue("registration_confirmed", to=reg.person.email, registration=reg, language="ja")
    login(make_staff("operator"))
    listing = client.get(f"/admin/outbox?lang={lang}").get_data(as_text=True)
    row = listing[listing.index(f'href="/admin/outbox/{message.id}">{message.id}'):]
    row = row[:row.index("</tr>")]
    # The subject is the attendee's (in the mail's language), the status is in the reader's.
    assert "【参加登録完了】広報部 OB 会" in row and status in row
    assert "registration_confirmed" not in row and ">queued<" not in row
    detail = client.get(f"/admin/outbox/{message.id}?lang={lang}").get_data(as_text=True)
    assert status in detail and "registration_confirmed" not in detail and ">queued" not in detail


@pytest.mark.parametrize("mail_server, linked", [("", True), ("smtp.example.jp", False)])
def test_dashboard_links_the_outbox_while_mail_is_kept_in_it(app, db_backend, client, make_staff, login,
                                                             mail_server, linked):
    app.config["MAIL_SERVER"] = mail_server
    login(make_staff("operator"))
    page = client.get("/admin/").get_data(as_text=True)
    assert ('href="/admin/outbox"' in page) is linked
