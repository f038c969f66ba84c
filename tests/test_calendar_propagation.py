"""Changes and cancellations reach every calendar: SEQUENCE grows, the UID stays, mails are queued.

Driven through the real events and registration services, as operators and attendees use them.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from events_app.calendar import services as calendar
from events_app.calendar.mail_parts import invite_parts
from events_app.database import utcnow
from events_app.enums import RegistrationStatus
from events_app.events import services as events
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.people.models import Person
from events_app.registration import services as registrations
from events_app.registration.models import Registration


def outbox(template: str | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    return list(db.session.scalars(stmt))


def sequence_of(registration) -> int:
    return db.session.scalar(select(Registration.calendar_sequence).where(Registration.id == registration.id))


def ics_of(message: OutboxMessage) -> icalendar.Calendar:
    [part] = invite_parts(message)
    return icalendar.Calendar.from_ical(part.data)


@pytest.fixture
def operator(make_staff):
    return make_staff("operator")


@pytest.fixture
def form():
    counter = iter(range(1, 10_000))

    def build(**overrides):
        n = next(counter)
        data = {"name": "佐藤 美咲", "name_kana": "サトウ ミサキ", "email": f"misaki{n}@example.jp",
                "affiliation": "alumni", "consent": True}
        data.update(overrides)
        return data
    return build


def test_changing_the_time_queues_one_update_per_confirmed_attendee(make_event, make_registration, operator):
    event = make_event()
    confirmed = [make_registration(event) for _ in range(3)]
    for status in ("waitlisted", "pending", "cancelled"):
        make_registration(event, status=status)
    old_start = event.starts_at
    new_start = old_start + timedelta(days=7, hours=1)

    events.update_event(event.id, {"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)}, actor=operator)

    updates = outbox("event_updated")
    assert sorted(m.registration_id for m in updates) == sorted(r.id for r in confirmed)
    for message in updates:
        assert message.payload["sequence"] == 1
        assert message.payload["changes"]["starts_at"] == [old_start.isoformat(), new_start.isoformat()]
        assert message.payload["schedule"]["new"][0] == new_start.isoformat()
        assert message.event_id == event.id
    assert {sequence_of(r) for r in confirmed} == {1}


def test_cosmetic_edits_send_nothing(make_event, make_registration, operator):
    event = make_event()
    registration = make_registration(event)
    events.update_event(event.id, {"description": "新しい説明文です。", "capacity": 120}, actor=operator)
    events.update_event(event.id, {"title": event.title}, actor=operator)  # saved unchanged
    assert outbox("event_updated") == []
    assert sequence_of(registration) == 0


def test_sequence_strictly_increases_over_a_chain_of_edits_and_the_uid_never_changes(make_event, operator, form):
    event = make_event(kind="hybrid", online_url="https://meet.example.com/a", online_capacity=10)
    result = registrations.register(event, form(attendance="online"))
    registration = result.registration
    uid = registration.calendar_uid
    start = event.starts_at
    edits = [
        {"starts_at": start + timedelta(hours=1), "ends_at": start + timedelta(hours=3)},
        {"title": "アルムナイ交流会(会場変更)"},
        {"online_url": "https://meet.example.com/b"},
        {"timezone": "Europe/London"},
    ]
    for edit in edits:
        events.update_event(event.id, edit, actor=operator)
    # What each queued mail would attach, built while the registration is still confirmed.
    messages = [(m.template, m.payload["sequence"], ics_of(m)) for m in outbox() if m.registration_id == registration.id]
    registrations.cancel(db.session.get(Registration, registration.id))
    [cancellation] = outbox("registration_cancelled")
    messages.append((cancellation.template, cancellation.payload["sequence"], ics_of(cancellation)))

    assert [template for template, _, _ in messages] == ["registration_confirmed", *["event_updated"] * 4,
                                                         "registration_cancelled"]
    sequences = [sequence for _, sequence, _ in messages]
    assert sequences == sorted(set(sequences)) and sequences[0] == 0 and len(sequences) == 6
    for _, sequence, cal in messages:
        [vevent] = cal.walk("VEVENT")
        assert str(vevent["UID"]) == uid
        assert vevent["SEQUENCE"] == sequence
    assert str(messages[-1][2]["METHOD"]) == "CANCEL"
    assert db.session.get(Registration, registration.id).calendar_uid == uid
    # Updates still unsent ("your registration stays as it is") are withdrawn with the cancellation.
    assert outbox("event_updated") == []


def test_each_attendee_is_told_only_what_their_own_invite_shows(make_event, make_registration, operator):
    event = make_event(kind="hybrid", online_url="https://meet.example.com/a", online_capacity=10,
                       language="ja", title_translation="Alumni Meetup")
    in_person = make_registration(event)
    online = make_registration(event, attendance_mode="online")
    english = make_registration(event, language="en")

    events.update_event(event.id, {"venue_name": "新本社 3階"}, actor=operator)
    assert {m.registration_id for m in outbox("event_updated")} == {in_person.id, english.id}

    events.update_event(event.id, {"online_url": "https://meet.example.com/b"}, actor=operator)
    online_updates = [m for m in outbox("event_updated") if m.registration_id == online.id]
    assert [m.payload["changes"] for m in online_updates] == [
        {"online_url": ["https://meet.example.com/a", "https://meet.example.com/b"]}]

    events.update_event(event.id, {"title": "新しいタイトル"}, actor=operator)  # English readers see the translation
    latest = outbox("event_updated")[-2:]
    assert {m.registration_id for m in latest} == {in_person.id, online.id}
    assert sequence_of(english) == 1 and sequence_of(in_person) == 2 and sequence_of(online) == 2


def test_an_event_with_2000_attendees_is_updated_with_set_based_sql(make_event, operator):
    """One UPDATE for the sequences and a bulk INSERT for the outbox: the statement count does
    not grow with the attendees (timing lives in bench/calendar_update.py)."""
    event = make_event(capacity=None)
    count = 2000
    now = utcnow()
    db.session.execute(sa.insert(Person), [
        {"email": f"bulk{i}@example.jp", "name": f"参加者 {i}", "affiliation": "alumni", "language": "ja",
         "created_at": now, "updated_at": now} for i in range(count)])
    person_ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()
    db.session.execute(sa.insert(Registration), [
        {"event_id": event.id, "person_id": pid, "status": RegistrationStatus.CONFIRMED, "manage_nonce": f"n{pid}",
         "manage_token_hash": uuid.uuid4().hex, "calendar_uid": f"{uuid.uuid4()}@tsunagu", "language": "ja",
         "confirmed_at": now, "created_at": now, "updated_at": now, "calendar_sequence": pid % 3}
        for pid in person_ids])
    db.session.commit()

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        new_start = event.starts_at + timedelta(days=1)
        events.update_event(event.id, {"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)},
                            actor=operator)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)

    rows = db.session.execute(
        select(OutboxMessage.registration_id, OutboxMessage.payload, Registration.calendar_sequence, Person.email,
               OutboxMessage.to_address)
        .join(Registration, Registration.id == OutboxMessage.registration_id)
        .join(Person, Person.id == Registration.person_id)
        .where(OutboxMessage.template == "event_updated")
    ).all()
    assert len(rows) == count
    assert len({r.registration_id for r in rows}) == count
    assert all(r.payload["sequence"] == r.calendar_sequence for r in rows)
    assert all(r.email == r.to_address for r in rows)
    assert db.session.scalar(select(func.count()).where(Registration.calendar_sequence == (Registration.person_id % 3) + 1)) == count
    calendar_writes = [s for s in statements if "registration" in s.lower() and s.lstrip().upper().startswith("UPDATE")]
    assert len(calendar_writes) == 1
    assert len(statements) < 40, len(statements)


def test_cancelling_an_event_sends_cancel_to_everyone_with_an_invite(make_event, make_registration, operator):
    event = make_event()
    confirmed = make_registration(event)
    waitlisted = make_registration(event, status="waitlisted")
    left_earlier = make_registration(event, status="cancelled", confirmed_at=utcnow(), calendar_sequence=2)

    events.update_event(event.id, {"venue_name": "別館"}, actor=operator)  # not yet sent when cancelled
    events.cancel_event(event.id, actor=operator, reason="台風の接近のため")

    assert outbox("event_updated") == []  # withdrawn: the event is off, not moved
    messages = {m.registration_id: m for m in outbox("event_cancelled")}
    assert set(messages) == {confirmed.id, waitlisted.id}
    assert messages[confirmed.id].payload == {"sequence": 2, "method": "CANCEL"}
    cal = ics_of(messages[confirmed.id])
    [vevent] = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "CANCEL" and str(vevent["STATUS"]) == "CANCELLED" and vevent["SEQUENCE"] == 2
    assert "台風の接近のため" in str(vevent["DESCRIPTION"])
    assert invite_parts(messages[waitlisted.id]) == []  # never had an invite
    assert sequence_of(left_earlier) == 2
    # Calling the hook again (a retried job) mails nobody twice.
    assert calendar.queue_event_cancellation(db.session.get(type(event), event.id)) == 0


@pytest.mark.parametrize("path, template, sequence", [
    ("confirm", "registration_confirmed", 0),
    ("approve", "registration_approved", 0),
])
def test_registration_mails_carry_the_first_invite_at_sequence_zero(make_event, operator, form, path, template,
                                                                   sequence):
    event = make_event(requires_approval=(path == "approve"))
    result = registrations.register(event, form())
    if path == "approve":
        assert outbox(template) == []
        registrations.approve(result.registration, actor=operator)
    [message] = outbox(template)
    assert message.payload["sequence"] == sequence
    registration = db.session.get(Registration, result.registration.id)
    assert registration.invite_sent_at is not None
    [part] = invite_parts(message)
    assert part.params == {"method": "REQUEST"} and part.subtype == "calendar"


def test_cancellation_by_the_attendee_withdraws_the_invite_with_a_higher_sequence(make_event, form):
    event = make_event()
    result = registrations.register(event, form())
    registrations.cancel(result.registration)
    [message] = outbox("registration_cancelled")
    assert message.payload["sequence"] == 1 and message.payload["method"] == "CANCEL"
    [part] = invite_parts(message)
    assert part.params == {"method": "CANCEL"}


def test_waitlisted_and_pending_people_get_no_invite_until_confirmed(make_event, operator, form):
    full = make_event(capacity=0)
    waiting = registrations.register(full, form())
    approval = make_event(requires_approval=True)
    pending = registrations.register(approval, form())
    registrations.reject(pending.registration, actor=operator, message="定員に達しました")
    assert [m.template for m in outbox()] == ["registration_waitlisted", "registration_pending",
                                             "registration_rejected"]
    assert all(invite_parts(m) == [] for m in outbox())
    assert "sequence" not in outbox("registration_rejected")[0].payload
    assert waiting.registration.invite_sent_at is None


def test_changing_ones_sessions_raises_the_sequence_of_the_invite_that_lists_them(make_event, make_session, form):
    event = make_event()
    first = make_session(event, title="テーブル 商社")
    second = make_session(event, title="テーブル 製造業")
    result = registrations.register(event, form(session_ids=[first.id]))
    registration = db.session.get(Registration, result.registration.id)
    before = sequence_of(registration)
    assert "テーブル 商社" in str(icalendar.Calendar.from_ical(calendar.invite_document(registration))
                                  .walk("VEVENT")[0]["DESCRIPTION"])

    registrations.update_choices(registration, session_ids=[second.id], answers=None)
    registration = db.session.get(Registration, registration.id)
    assert sequence_of(registration) == before + 1
    [vevent] = icalendar.Calendar.from_ical(calendar.invite_document(registration)).walk("VEVENT")
    assert vevent["SEQUENCE"] == before + 1
    assert "テーブル 製造業" in str(vevent["DESCRIPTION"]) and "テーブル 商社" not in str(vevent["DESCRIPTION"])


@pytest.mark.parametrize("zone", ["Asia/Tokio", "Mars/Olympus_Mons", "+09:00", "../../etc/passwd"])
def test_an_unknown_time_zone_is_refused_on_save_and_no_calendar_changes(make_event, make_registration, operator,
                                                                        zone):
    from events_app.errors import ValidationError

    event = make_event()
    registration = make_registration(event)
    with pytest.raises(ValidationError) as refused:
        events.update_event(event.id, {"timezone": zone}, actor=operator)
    assert "timezone" in refused.value.fields
    db.session.expire_all()
    assert db.session.get(type(event), event.id).timezone == "Asia/Tokyo"
    assert sequence_of(registration) == 0 and outbox("event_updated") == []
