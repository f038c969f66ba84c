"""Whom a message to registrants reaches: exactly the registrations its filters pick, and a whole
large event queued in bulk."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from events_app.database import utcnow, write_transaction
from events_app.enums import EventKind, RegistrationStatus
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.people.models import Person
from events_app.registration import messages
from events_app.registration.models import Registration, RegistrationSession
from events_app.registration.tokens import hash_token, new_nonce, token_for_nonce
from tests.conftest import in_days
from tests.messages_support import queued_registration_ids, send


@pytest.fixture
def operator(make_staff, login):
    return login(make_staff("operator"))


@pytest.fixture
def evening(make_event, make_session, make_registration, make_person):
    """A hybrid evening that started yesterday, two tables, and one registration of each kind."""
    event = make_event(kind=EventKind.HYBRID, online_capacity=50, starts_at=in_days(-1))
    table_a, table_b = make_session(event, title="テーブルA"), make_session(event, title="テーブルB")

    def registration(name, status="confirmed", affiliation="alumni", table=None, **fields):
        reg = make_registration(event, make_person(name=name, affiliation=affiliation), status=status, **fields)
        if table is not None:
            choice_status = status if status != "confirmed" else RegistrationStatus.CONFIRMED
            db.session.add(RegistrationSession(registration_id=reg.id, session_id=table.id, status=choice_status))
            db.session.commit()
        return reg

    regs = {
        "came_alumna_a": registration("会場・来場・A", table=table_a, checked_in_at=utcnow()),
        "online_employee_b": registration("オンライン・参加・B", affiliation="employee", table=table_b,
                                          attendance_mode="online", online_joined_at=utcnow()),
        "absent_guest": registration("会場・欠席", affiliation="guest"),
        "absent_online_alumna": registration("オンライン・欠席", attendance_mode="online"),
        "waiting_alumna_a": registration("キャンセル待ち・A", status="waitlisted", table=table_a),
        "pending_employee": registration("承認待ち", status="pending", affiliation="employee"),
        "cancelled_alumna_a": registration("キャンセル・A", status="cancelled", table=table_a),
        "declined_guest": registration("お断り", status="rejected", affiliation="guest"),
    }
    return event, {"a": table_a, "b": table_b}, regs


CONFIRMED = {"came_alumna_a", "online_employee_b", "absent_guest", "absent_online_alumna"}


@pytest.mark.parametrize("filters, expected", [
    ({}, CONFIRMED),
    ({"statuses": ["waitlisted"]}, {"waiting_alumna_a"}),
    ({"statuses": ["pending"]}, {"pending_employee"}),
    ({"statuses": ["confirmed", "waitlisted", "pending"]}, CONFIRMED | {"waiting_alumna_a", "pending_employee"}),
    ({"attendance": "in_person"}, {"came_alumna_a", "absent_guest"}),
    ({"attendance": "online"}, {"online_employee_b", "absent_online_alumna"}),
    ({"affiliation": "alumni"}, {"came_alumna_a", "absent_online_alumna"}),
    ({"affiliation": "employee", "statuses": ["confirmed", "pending"]}, {"online_employee_b", "pending_employee"}),
    ({"affiliation": "guest"}, {"absent_guest"}),
    ({"session": "a"}, {"came_alumna_a"}),
    ({"session": "a", "statuses": ["confirmed", "waitlisted"]}, {"came_alumna_a", "waiting_alumna_a"}),
    ({"session": "b"}, {"online_employee_b"}),
    ({"attended": "yes"}, {"came_alumna_a", "online_employee_b"}),
    ({"attended": "no"}, {"absent_guest", "absent_online_alumna"}),
    ({"attended": "no", "attendance": "online"}, {"absent_online_alumna"}),
], ids=["default-confirmed", "waitlisted", "pending", "all-active", "in-person", "online", "alumni",
        "employees", "guests", "table-a", "table-a-with-waitlist", "table-b", "came", "did-not-come",
        "did-not-come-online"])
def test_filters_pick_exactly_the_right_registrations(client, db_backend, operator, evening, filters, expected):
    event, tables, regs = evening
    fields = dict(filters)
    if "session" in fields:
        fields["session"] = str(tables[fields["session"]].id)
    response = send(client, event, **fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert queued_registration_ids() == {regs[name].id for name in expected}


def test_cancelled_and_declined_registrations_are_never_recipients(client, db_backend, operator, evening):
    event, _tables, regs = evening
    send(client, event, statuses=["confirmed", "waitlisted", "pending"])
    assert not {regs["cancelled_alumna_a"].id, regs["declined_guest"].id} & queued_registration_ids()


def test_someone_who_cancels_after_the_preview_is_not_mailed(client, db_backend, operator, make_event,
                                                             make_registration):
    from events_app.registration import services

    event = make_event()
    staying, leaving = make_registration(event), make_registration(event)
    services.cancel(db.session.get(Registration, leaving.id), actor=None, reason="")
    response = send(client, event, previewed_count="2")
    assert queued_registration_ids() == {staying.id}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "プレビュー時の送信先は 2 人でしたが、送信時点では 1 人でした。" in page


def _bulk_registrations(event, count: int) -> None:
    """`count` confirmed registrations written in bulk (the factories commit one row at a time)."""
    run = uuid.uuid4().hex[:8]
    with write_transaction():
        db.session.execute(sa.insert(Person.__table__), [dict(
            email=f"bulk{n}-{run}@example.jp", name=f"参加者 {n}", name_kana=f"サンカシャ {n}", affiliation="alumni",
            language="en" if n % 5 == 0 else "ja") for n in range(count)])
        person_ids = db.session.scalars(select(Person.id).where(Person.email.like(f"bulk%-{run}@example.jp"))).all()
        rows = []
        for person_id in person_ids:
            nonce = new_nonce()
            rows.append(dict(event_id=event.id, person_id=person_id, status="confirmed", attendance_mode="in_person",
                             holds_seat=False, manage_nonce=nonce, manage_token_hash=hash_token(token_for_nonce(nonce)),
                             source="web", language="ja", calendar_uid=f"{uuid.uuid4()}@tsunagu",
                             created_at=utcnow(), updated_at=utcnow(), confirmed_at=utcnow()))
        db.session.execute(sa.insert(Registration.__table__), rows)


def test_a_large_event_gets_every_mail_queued_in_a_few_bulk_inserts(app, db_backend, make_event, make_staff):
    event = make_event(capacity=None)
    _bulk_registrations(event, 2000)
    outbox_inserts = []

    def count_outbox_inserts(_conn, _cursor, statement, _params, _context, _executemany):
        if statement.lstrip().upper().startswith("INSERT INTO OUTBOX_MESSAGE"):
            outbox_inserts.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count_outbox_inserts)
    try:
        result = messages.send_message(event, {"subject": "会場のご案内", "body": "12階です。", "statuses": ["confirmed"]},
                                       actor=make_staff("operator"), idempotency_key="bulk-form")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count_outbox_inserts)
    assert result.created and result.message.recipient_count == 2000
    queued = db.session.scalar(select(func.count(func.distinct(OutboxMessage.registration_id)))
                               .where(OutboxMessage.template == "registrant_message"))
    assert queued == 2000
    assert 1 <= len(outbox_inserts) <= 4  # batches of many rows, never one statement per recipient


def test_the_same_form_racing_itself_sends_once(app, db_backend, make_event, make_registration):
    from events_app.events.models import Event
    from tests.test_registration_races import run_parallel

    event = make_event()
    for _ in range(5):
        make_registration(event)
    values = {"subject": "件名", "body": "本文", "statuses": ["confirmed"]}
    event_id = event.id  # each thread loads the event in its own session

    def submit():
        return messages.send_message(db.session.get(Event, event_id), values, actor="operator@staff.example",
                                     idempotency_key="one-form").created

    results = run_parallel(app, [submit] * 4)
    assert sorted(results, key=str) == [False, False, False, True], results
    db.session.rollback()
    assert queued_registration_ids() and db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.template == "registrant_message")) == 5
