"""Registration rules through the service: seats, waitlist, approval, duplicates, promotion."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from events_app.database import utcnow
from events_app.enums import EventKind, EventStatus, QuestionKind, RegistrationStatus
from events_app.errors import DomainError, ErrorCode, ValidationError
from events_app.events.models import Event, EventSession, Question
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.people.models import Person
from events_app.registration import services
from events_app.registration.models import Registration, RegistrationSession
from events_app.registration.tokens import registration_for_token


@pytest.fixture
def form():
    counter = iter(range(1, 10_000))

    def build(**overrides):
        n = next(counter)
        data = {"name": "佐藤 美咲", "name_kana": "サトウ ミサキ", "email": f"Misaki.Sato{n}@Example.JP",
                "affiliation": "alumni", "company": "株式会社ミライ", "former_department": "合金鉄部",
                "joined_year": 2008, "left_year": 2016, "consent": True}
        data.update(overrides)
        return data
    return build


def reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def mails(template=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    return list(db.session.scalars(stmt))


def test_register_confirms_takes_a_seat_and_queues_a_confirmation(app, db_backend, make_event, form):
    event = make_event(capacity=2)
    result = services.register(event, form(), language="ja")
    assert result.status == RegistrationStatus.CONFIRMED and result.created
    assert registration_for_token(result.token).id == result.registration.id
    assert reload(event).seats_taken == 1
    person = db.session.scalar(select(Person))
    assert person.email.startswith("misaki.sato") and person.name == "佐藤 美咲"
    assert [m.template for m in mails()] == ["registration_confirmed"]


def test_full_event_waitlists_in_order_and_cancellation_promotes_the_first(app, db_backend, make_event, form):
    event = make_event(capacity=1)
    first = services.register(event, form())
    second = services.register(event, form())
    third = services.register(event, form())
    assert (second.status, second.waitlist_position) == (RegistrationStatus.WAITLISTED, 1)
    assert third.waitlist_position == 2
    services.cancel(first.registration)
    assert reload(second.registration).status == RegistrationStatus.CONFIRMED
    assert services.waitlist_position(reload(third.registration)) == 1
    assert reload(event).seats_taken == 1
    assert [m.registration_id for m in mails("registration_promoted")] == [second.registration.id]


def test_pending_takes_no_seat_until_approved(app, db_backend, make_event, make_staff, form):
    event = make_event(capacity=1, requires_approval=True)
    result = services.register(event, form())
    assert result.status == RegistrationStatus.PENDING
    assert reload(event).seats_taken == 0
    services.approve(result.registration, actor=make_staff(), message="ようこそ")
    assert reload(result.registration).status == RegistrationStatus.CONFIRMED
    assert reload(event).seats_taken == 1


def test_duplicate_email_is_refused_and_the_link_mailed_again(app, db_backend, make_event, form):
    event = make_event()
    services.register(event, form(email="dup@example.jp"))
    with pytest.raises(services.AlreadyRegistered) as err:
        services.register(event, form(email="DUP@example.jp", name="なりすまし"))
    assert err.value.code == ErrorCode.ALREADY_REGISTERED
    db.session.rollback()
    assert db.session.scalar(select(Person.name)) == "佐藤 美咲"  # the refused attempt changed nothing
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert len(mails("registration_link_resent")) == 1


def test_same_idempotency_key_returns_the_first_result(app, db_backend, make_event, form):
    event = make_event()
    data = form()
    first = services.register(event, data, idempotency_key="k" * 32)
    again = services.register(event, data, idempotency_key="k" * 32)
    assert again.registration.id == first.registration.id and not again.created
    assert again.token == first.token
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


@pytest.mark.parametrize("change, message", [
    ({"status": EventStatus.DRAFT}, "not open"),
    ({"status": EventStatus.CANCELLED}, "cancelled"),
])
def test_closed_events_refuse_with_registration_closed(app, db_backend, make_event, form, change, message):
    event = make_event(**change)
    with pytest.raises(DomainError) as err:
        services.register(event, form(), language="en")
    assert err.value.code == ErrorCode.REGISTRATION_CLOSED and err.value.status == 410


def test_employees_only_event_refuses_alumni(app, db_backend, make_event, form):
    event = make_event(audience_alumni=False, audience_guests=False)
    with pytest.raises(DomainError) as err:
        services.register(event, form(affiliation="alumni"))
    assert err.value.code == ErrorCode.AUDIENCE_NOT_ALLOWED and err.value.status == 403


def test_session_full_waitlists_the_session_and_frees_on_cancel(app, db_backend, make_event, make_session, form):
    event = make_event(capacity=10)
    table = make_session(event, capacity=1)
    first = services.register(event, form(session_ids=[table.id]))
    second = services.register(event, form(session_ids=[table.id]))
    choice = db.session.get(RegistrationSession, (second.registration.id, table.id))
    assert choice.status == RegistrationStatus.WAITLISTED
    services.cancel(first.registration)
    choice = reload_choice(second.registration.id, table.id)
    assert choice.status == RegistrationStatus.CONFIRMED and choice.holds_seat
    assert reload(table).seats_taken == 1


def reload_choice(reg_id, session_id):
    db.session.expire_all()
    return db.session.get(RegistrationSession, (reg_id, session_id))


def test_overlapping_sessions_and_bad_answers_are_refused_with_field_messages(app, db_backend, make_event, make_session, form):
    event = make_event()
    a = make_session(event)
    b = make_session(event)
    q = Question(event_id=event.id, kind=QuestionKind.SINGLE_CHOICE, label="食事", choices=["肉", "魚"], required=True)
    db.session.add(q)
    db.session.commit()
    with pytest.raises(ValidationError) as err:
        services.register(event, form(session_ids=[a.id, b.id], answers={str(q.id): "野菜"}, email="x"))
    assert set(err.value.fields) == {"session_ids", f"answers.{q.id}", "email"}
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_staff_entered_registrations_skip_required_answers_but_not_invalid_ones(app, db_backend, make_event, form):
    event = make_event()
    q = Question(event_id=event.id, kind=QuestionKind.SINGLE_CHOICE, label="食事", choices=["肉", "魚"], required=True)
    db.session.add(q)
    db.session.commit()
    with pytest.raises(ValidationError) as err:  # the attendee's own form must answer it
        services.register(event, form(), source="web")
    assert set(err.value.fields) == {f"answers.{q.id}"}
    walk_in = services.register(event, form(consent=False), source="walk_in")
    assert walk_in.status == RegistrationStatus.CONFIRMED
    with pytest.raises(ValidationError) as err:  # an answer given must still be a valid one
        services.register(event, form(answers={str(q.id): "野菜"}), source="operator")
    assert set(err.value.fields) == {f"answers.{q.id}"}


def test_raising_capacity_then_promote_waitlist_fills_the_new_seats(app, db_backend, make_event, form):
    event = make_event(capacity=1)
    services.register(event, form())
    waiting = [services.register(event, form()) for _ in range(3)]
    from events_app.database import write_transaction
    with write_transaction():
        db.session.get(Event, event.id).capacity = 3
        services.promote_waitlist(event.id)
    statuses = [reload(w.registration).status for w in waiting]
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]


def test_move_in_waitlist_reorders(app, db_backend, make_event, make_staff, form):
    event = make_event(capacity=0)
    regs = [services.register(event, form()).registration for _ in range(3)]
    services.move_in_waitlist(regs[2], actor=make_staff(), to_position=1)
    assert [services.waitlist_position(reload(r)) for r in regs] == [2, 3, 1]


def test_a_later_registration_updates_details_but_never_erases_them(app, db_backend, make_event, form):
    services.register(make_event(), form(email="k@example.jp", company="旧社"))
    services.register(make_event(), form(email="k@example.jp", name_kana="", company="新社", job_title=""),
                      language="en")
    db.session.rollback()
    person = db.session.scalar(select(Person))
    assert (person.company, person.name_kana, person.language) == ("新社", "サトウ ミサキ", "en")


def test_timetable_items_are_not_choosable_only_breakout_tables_are(app, make_event, make_session):
    """The opening talk is for everyone: choosing it is refused, a breakout table is taken."""
    from events_app.enums import SessionKind
    from events_app.errors import ValidationError
    from events_app.registration.services import register

    event = make_event()
    opening = make_session(event, kind=SessionKind.TIMETABLE, title="開会のご挨拶")
    table = make_session(event, kind=SessionKind.BREAKOUT, title="テーブルA")
    data = {"name": "佐藤 花子", "name_kana": "サトウ ハナコ", "email": "hanako@example.jp",
            "affiliation": "alumni", "consent": True}
    import pytest as _pytest
    with _pytest.raises(ValidationError) as refused:
        register(event, {**data, "session_ids": [opening.id]})
    assert "session_ids" in refused.value.fields
    result = register(event, {**data, "session_ids": [table.id]})
    assert [c.session_id for c in result.registration.session_choices] == [table.id]


def test_the_form_offers_breakout_tables_but_not_timetable_items(client, make_event, make_session):
    from events_app.enums import SessionKind

    event = make_event()
    make_session(event, kind=SessionKind.TIMETABLE, title="Opening words")
    make_session(event, kind=SessionKind.BREAKOUT, title="Table Alpha")
    html = client.get(f"/events/{event.slug}/register", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Table Alpha" in html
    assert "Opening words" not in html


def test_waitlist_positions_of_a_whole_event_match_each_registrations_own(app, make_event):
    """The operators' list reads every place in one query; it must agree with the per-row rule."""
    from events_app.registration.services import register, waitlist_position, waitlist_positions

    event = make_event(capacity=1)
    results = [register(event, {"name": f"待機 {i}", "name_kana": "タイキ", "email": f"wait{i}@example.jp",
                                "affiliation": "alumni", "consent": True}) for i in range(4)]
    waitlisted = [r.registration for r in results if r.status.value == "waitlisted"]
    assert len(waitlisted) == 3
    positions = waitlist_positions(event.id)
    assert positions == {r.id: waitlist_position(r) for r in waitlisted}
    assert sorted(positions.values()) == [1, 2, 3]


def test_a_full_width_email_is_folded_to_ascii_and_lower_case(app, db_backend, make_event, form):
    event = make_event()
    result = services.register(event, form(email="　Ｈａｎａ．Ｓａｔｏ＠Ｅｘａｍｐｌｅ．ｊｐ "))
    assert db.session.get(Registration, result.registration_id).person.email == "hana.sato@example.jp"
    with pytest.raises(ValidationError) as err:
        services.register(event, form(email="ｈａｎａ＠"))
    assert set(err.value.fields) == {"email"}
