"""Mail leaves through the outbox: real SMTP on loopback, multipart, language, stable Message-ID, retries."""
from __future__ import annotations

import signal
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from events_app.database import utcnow, write_transaction
from events_app.enums import OutboxStatus
from events_app.extensions import db
from events_app.mail import worker
from events_app.mail.models import OutboxMessage
from events_app.mail.services import enqueue
from events_app.registration import services
from tests.conftest import SmtpSink, free_port


@pytest.fixture
def app_config(app_config, mail_config):
    return {**app_config, **mail_config, "MAIL_TIMEOUT": 5}


def registration_data(email="hanako@example.jp", **extra):
    data = {"name": "山田 花子", "name_kana": "ヤマダ ハナコ", "email": email, "affiliation": "alumni",
            "company": "株式会社ミライ", "joined_year": 2008, "consent": True}
    data.update(extra)
    return data


def parts_of(msg):
    return {part.get_content_type(): part for part in msg.walk() if not part.is_multipart()}


def test_confirmation_arrives_as_multipart_text_and_html_in_japanese(app, db_backend, make_event, smtp_server):
    event = make_event(title="石炭部 OB/OG 交流会")
    result = services.register(event, registration_data(), language="ja")
    assert worker.drain() == (1, 0)
    [msg] = smtp_server.wait_for(1)
    assert msg["To"] == "hanako@example.jp"
    assert "石炭部 OB/OG 交流会" in msg["Subject"] and "登録" in msg["Subject"]
    # text and HTML are alternatives of one body (other capabilities may add attachments around it)
    alternative = next(p for p in msg.walk() if p.get_content_type() == "multipart/alternative")
    assert {"text/plain", "text/html"} <= {p.get_content_type() for p in alternative.walk()}
    parts = parts_of(msg)
    text = parts["text/plain"].get_content()
    html = parts["text/html"].get_content()
    assert "山田 花子" in text and f"/r/{result.token}" in text
    assert f"/r/{result.token}" in html and "<html" in html
    assert msg["Content-Language"] == "ja"


def test_english_registration_gets_english_mail(app, db_backend, make_event, smtp_server):
    event = make_event(title="Alumni mixer", capacity=0)
    services.register(event, registration_data(email="kate@example.com"), language="en")
    worker.drain()
    [msg] = smtp_server.wait_for(1)
    assert msg["Subject"].startswith("You are on the waitlist")
    assert "Your position on the waitlist: 1." in parts_of(msg)["text/plain"].get_content()


def test_smtp_down_then_up_loses_nothing_and_keeps_the_message_id(app, db_backend, make_event):
    event = make_event()
    app.config["MAIL_PORT"] = port = free_port()  # nothing listens there yet
    services.register(event, registration_data())
    assert worker.drain() == (0, 1)
    row = db.session.scalar(select(OutboxMessage))
    first_id = row.message_id
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > utcnow() and first_id.startswith(f"<outbox-{row.id}.")
    assert worker.drain() == (0, 0)  # not due yet: backoff holds it
    # The server comes back on the same port; the retry is due.
    sink = SmtpSink(port).start()
    try:
        with write_transaction():
            db.session.get(OutboxMessage, row.id).next_attempt_at = utcnow()
        assert worker.drain() == (1, 0)
        [msg] = sink.wait_for(1)
        assert msg["Message-ID"] == first_id
        db.session.expire_all()
        row = db.session.get(OutboxMessage, row.id)
        assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.message_id == first_id
    finally:
        sink.stop()


def test_after_max_attempts_a_message_is_failed_visible_and_requeueable(app, db_backend, make_event):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    with write_transaction():
        enqueue("registration_link_resent", to="x@example.jp", event=make_event())
    for _ in range(2):
        with write_transaction():
            db.session.execute(OutboxMessage.__table__.update().values(next_attempt_at=utcnow()))
        worker.drain()
    row = db.session.scalar(select(OutboxMessage))
    assert row.status == OutboxStatus.FAILED and row.attempts == 2
    assert worker.requeue(row.id)
    db.session.expire_all()
    assert db.session.get(OutboxMessage, row.id).status == OutboxStatus.QUEUED


def test_a_crashed_workers_lease_expires_and_the_mail_is_sent(app, db_backend, make_event, smtp_server):
    services.register(make_event(), registration_data())
    assert len(worker.claim()) == 1  # claimed, then the worker "dies"
    assert worker.drain() == (0, 0)
    with write_transaction():
        db.session.execute(OutboxMessage.__table__.update().values(locked_until=utcnow() - timedelta(seconds=1)))
    assert worker.drain() == (1, 0)
    assert len(smtp_server.wait_for(1)) == 1


def test_parallel_workers_never_send_a_mail_twice(app, db_backend, make_event, smtp_server):
    event = make_event(capacity=500)
    with write_transaction():
        for n in range(30):
            enqueue("registration_link_resent", to=f"p{n}@example.jp", event=event)
    errors = []

    def work():
        with app.app_context():
            try:
                worker.drain()
            except Exception as err:  # pragma: no cover - shown in the assertion
                errors.append(err)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    received = smtp_server.wait_for(30)
    recipients = sorted(str(m["To"]) for m in received)
    assert recipients == sorted(f"p{n}@example.jp" for n in range(30))
    assert len({m["Message-ID"] for m in received}) == 30


def test_deliver_mail_once_command_drains_the_outbox(app, db_backend, make_event, smtp_server, runner):
    services.register(make_event(), registration_data())
    result = runner.invoke(args=["deliver-mail", "--once"])
    assert result.exit_code == 0, result.output
    assert "delivered 1" in result.output
    assert len(smtp_server.wait_for(1)) == 1


def test_worker_loop_stops_cleanly_on_sigterm(app, db_backend, smtp_server):
    timer = threading.Timer(0.5, lambda: signal.raise_signal(signal.SIGTERM))
    timer.start()
    worker.run_forever(idle_sleep=0.2, max_loops=100)  # returns on SIGTERM well before 100 loops
    timer.join()
