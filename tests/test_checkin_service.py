"""The check-in service: one decision per scan, stable result codes, nonce idempotency, undo history."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from events_app.database import utcnow
from events_app.enums import CheckInKind, CheckInSource
from events_app.errors import Conflict, ValidationError
from events_app.extensions import db
from events_app.tickets import codes, services
from events_app.tickets.models import CheckIn
from events_app.tickets.services import CheckInResult


@pytest.fixture
def door(db_backend, make_event, make_registration, make_staff):
    """An event, a confirmed attendee with a ticket, and a check-in staff member."""
    event = make_event()
    registration = make_registration(event)
    staff = make_staff("checkin", name="受付 太郎")
    code = services.ticket_code(registration)
    return event, registration, staff, code


def history_rows(registration_id):
    return db.session.scalars(select(CheckIn).where(CheckIn.registration_id == registration_id)
                              .order_by(CheckIn.id)).all()


def test_first_scan_checks_in_and_records_who(door):
    event, registration, staff, code = door
    outcome = services.check_in_code(event, code, staff=staff)
    assert outcome.result == CheckInResult.OK
    assert outcome.checked_in_by == "受付 太郎"
    db.session.refresh(registration)
    assert registration.checked_in_at is not None and registration.checked_in_by_id == staff.id
    assert [r.kind for r in history_rows(registration.id)] == [CheckInKind.CHECK_IN]


def test_second_scan_says_already_checked_in_with_when_and_by_whom(door):
    event, registration, staff, code = door
    first = services.check_in_code(event, code, staff=staff)
    second = services.check_in_code(event, codes.ticket_url(code), staff=staff)
    assert second.result == CheckInResult.ALREADY_CHECKED_IN
    assert second.checked_in_at == first.checked_in_at
    assert second.checked_in_by == "受付 太郎"
    assert len(history_rows(registration.id)) == 1


@pytest.mark.parametrize("spelling", [
    lambda c: c, lambda c: codes.ticket_url(c), lambda c: c.lower(),
    lambda c: "-".join(c[i:i + 5] for i in range(0, len(c), 5)), lambda c: f"  {codes.ticket_url(c)}?x=1 \n",
])
def test_the_code_is_accepted_as_scanned_or_typed(door, spelling):
    event, _, staff, code = door
    assert services.check_in_code(event, spelling(code), staff=staff).result == CheckInResult.OK


def test_a_code_with_any_one_character_changed_is_refused(door):
    event, registration, staff, code = door
    for position in range(len(code)):
        replacement = "A" if code[position] != "A" else "B"
        forged = code[:position] + replacement + code[position + 1:]
        assert codes.verify(forged) is None, position
        assert services.check_in_code(event, forged, staff=staff).result == CheckInResult.UNKNOWN_CODE
    assert history_rows(registration.id) == []


@pytest.mark.parametrize("text", ["", "hello", "https://evil.example/t/AAAA", "A" * 40, "A" * 400])
def test_garbage_is_an_unknown_code(door, text):
    event, _, staff, _ = door
    assert services.check_in_code(event, text, staff=staff).result == CheckInResult.UNKNOWN_CODE


def test_a_genuine_code_of_a_deleted_ticket_is_unknown(app, door):
    event, _, staff, _ = door
    orphan = codes.code_for(codes.new_code_id())  # correctly signed, never stored
    assert services.check_in_code(event, orphan, staff=staff).result == CheckInResult.UNKNOWN_CODE


def test_ticket_of_another_event_is_wrong_event_and_names_that_event(door, make_event, make_registration):
    event, _, staff, _ = door
    other = make_event(title="別の会")
    stranger = make_registration(other)
    outcome = services.check_in_code(event, services.ticket_code(stranger), staff=staff)
    assert outcome.result == CheckInResult.WRONG_EVENT
    assert outcome.other_event.title == "別の会" and outcome.registration is None


@pytest.mark.parametrize("status, result", [
    ("cancelled", CheckInResult.CANCELLED), ("waitlisted", CheckInResult.WAITLISTED),
    ("pending", CheckInResult.PENDING_APPROVAL), ("rejected", CheckInResult.REJECTED),
])
def test_registrations_that_are_not_confirmed_are_refused_with_their_reason(door, status, result):
    event, registration, staff, code = door
    registration.status = status
    db.session.commit()
    outcome = services.check_in_code(event, code, staff=staff)
    assert outcome.result == result
    assert history_rows(registration.id) == []


def test_only_confirmed_registrations_get_a_ticket(db_backend, make_event, make_registration):
    event = make_event()
    assert services.current_ticket(make_registration(event, status="waitlisted")) is None
    assert services.current_ticket(make_registration(event, status="pending")) is None


def test_reissue_revokes_the_old_code(door, make_staff):
    event, registration, staff, old_code = door
    services.reissue_ticket(registration.id, actor=make_staff("operator"), reason="スマホ紛失")
    new_code = services.ticket_code(registration)
    assert new_code != old_code
    assert services.check_in_code(event, old_code, staff=staff).result == CheckInResult.REVOKED
    assert services.check_in_code(event, new_code, staff=staff).result == CheckInResult.OK


def test_retry_with_same_nonce_returns_the_original_answer_without_a_new_row(door):
    event, registration, staff, code = door
    first = services.check_in_code(event, code, staff=staff, nonce="n-1")
    retry = services.check_in_code(event, code, staff=staff, nonce="n-1")
    assert first.result == retry.result == CheckInResult.OK
    assert retry.replayed and retry.history_id == first.history_id
    assert len(history_rows(registration.id)) == 1


def test_overlong_nonce_is_refused(door):
    event, _, staff, code = door
    with pytest.raises(ValidationError):
        services.check_in_code(event, code, staff=staff, nonce="x" * 101)


def test_undo_needs_a_reason_and_keeps_the_full_history(door, make_staff):
    event, registration, staff, code = door
    services.check_in_code(event, code, staff=staff)
    with pytest.raises(ValidationError):
        services.undo_check_in(event, registration.id, staff=staff, reason="  ")
    services.undo_check_in(event, registration.id, staff=staff, reason="別人を受付してしまった")
    db.session.refresh(registration)
    assert registration.checked_in_at is None and registration.checked_in_by_id is None
    again = services.check_in_code(event, code, staff=staff)
    assert again.result == CheckInResult.OK
    rows = history_rows(registration.id)
    assert [r.kind for r in rows] == [CheckInKind.CHECK_IN, CheckInKind.UNDO, CheckInKind.CHECK_IN]
    assert rows[1].reason == "別人を受付してしまった" and rows[1].staff_id == staff.id


def test_undo_of_someone_not_checked_in_is_a_conflict(door):
    event, registration, staff, _ = door
    with pytest.raises(Conflict):
        services.undo_check_in(event, registration.id, staff=staff, reason="間違い")


def test_offline_batch_replayed_twice_adds_nothing(door, make_registration):
    event, registration, staff, code = door
    other = make_registration(event)
    scans = [{"nonce": "dev1-1", "code": code, "client_at": utcnow() - timedelta(minutes=5)},
             {"nonce": "dev1-2", "registration_id": other.id, "client_at": utcnow() - timedelta(minutes=4)}]
    first = services.sync_offline(event, scans, staff=staff, device="phone-1")
    second = services.sync_offline(event, scans, staff=staff, device="phone-1")
    assert [o.result for o in first] == [CheckInResult.OK, CheckInResult.OK]
    assert [o.result for o in second] == [CheckInResult.OK, CheckInResult.OK]
    assert all(o.replayed for o in second)
    assert db.session.scalar(select(db.func.count()).select_from(CheckIn)) == 2


def test_offline_scan_keeps_the_device_time(door):
    event, registration, staff, code = door
    when = utcnow() - timedelta(minutes=7)
    services.sync_offline(event, [{"nonce": "t-1", "code": code, "client_at": when}], staff=staff)
    db.session.refresh(registration)
    assert abs((registration.checked_in_at - when).total_seconds()) < 1


def test_two_offline_devices_admitting_one_ticket_record_a_conflict(door, make_staff):
    event, registration, staff, code = door
    other_staff = make_staff("checkin")
    a = services.sync_offline(event, [{"nonce": "a-1", "code": code}], staff=staff, device="A")[0]
    b = services.sync_offline(event, [{"nonce": "b-1", "code": code}], staff=other_staff, device="B")[0]
    assert a.result == CheckInResult.OK
    assert b.result == CheckInResult.ALREADY_CHECKED_IN and b.conflict
    rows = history_rows(registration.id)
    assert [(r.device, r.conflict) for r in rows] == [("A", False), ("B", True)]
    assert services.counts(event)["conflicts"] == 1
    replay = services.sync_offline(event, [{"nonce": "b-1", "code": code}], staff=other_staff, device="B")[0]
    assert replay.conflict and replay.replayed and len(history_rows(registration.id)) == 2


def test_breakout_session_check_in_is_separate_and_needs_a_seat_there(door, make_session):
    from events_app.registration.models import RegistrationSession

    event, registration, staff, code = door
    table_a, table_b = make_session(event, title="A卓"), make_session(event, title="B卓")
    db.session.add(RegistrationSession(registration_id=registration.id, session_id=table_a.id, status="confirmed"))
    db.session.commit()
    assert services.check_in_code(event, code, staff=staff, session_id=table_b.id).result == CheckInResult.NOT_IN_SESSION
    ok = services.check_in_code(event, code, staff=staff, session_id=table_a.id)
    assert ok.result == CheckInResult.OK and ok.session.title == "A卓"
    again = services.check_in_code(event, code, staff=staff, session_id=table_a.id)
    assert again.result == CheckInResult.ALREADY_CHECKED_IN
    assert history_rows(registration.id)[0].session_id == table_a.id
    db.session.refresh(registration)
    assert registration.checked_in_at is None  # the door check-in is its own record


def test_counts_separate_in_person_and_online(db_backend, make_event, make_registration, make_staff):
    from events_app.enums import EventKind

    event = make_event(kind=EventKind.HYBRID, online_url="https://meet.example/abc", online_capacity=50,
                       starts_at=utcnow() - timedelta(minutes=5))  # under way: online joins count
    staff = make_staff("operator")
    here = [make_registration(event) for _ in range(3)]
    online = [make_registration(event, attendance_mode="online") for _ in range(2)]
    make_registration(event, status="cancelled")
    services.check_in_registration(event, here[0].id, staff=staff)
    services.record_online_join(online[0])
    assert services.counts(event) == {"in_person": {"checked_in": 1, "expected": 3},
                                      "online": {"joined": 1, "expected": 2}, "walk_ins": 0, "conflicts": 0,
                                      "sessions": []}


# --- per-table counts ----------------------------------------------------------------------

def choose(registration, session, status="confirmed"):
    from events_app.registration.models import RegistrationSession

    db.session.add(RegistrationSession(registration_id=registration.id, session_id=session.id, status=status))
    db.session.commit()


def session_counts(event) -> dict:
    return {s["title"]: (s["checked_in"], s["expected"]) for s in services.counts(event)["sessions"]}


def test_counts_list_each_breakout_table_in_timetable_order_with_checked_in_and_expected(
        door, make_registration, make_session):
    from events_app.enums import SessionKind

    event, registration, staff, code = door
    later = make_session(event, title="B卓", starts_at=event.starts_at + timedelta(minutes=30))
    table = make_session(event, title="A卓")
    make_session(event, title="開会挨拶", kind=SessionKind.TIMETABLE)  # nobody checks in to a speech
    choose(registration, table)
    choose(make_registration(event), table)
    services.check_in_code(event, code, staff=staff, session_id=table.id)
    assert services.counts(event)["sessions"] == [
        {"id": table.id, "title": "A卓", "display_title": "A卓", "room": "", "checked_in": 1, "expected": 2},
        {"id": later.id, "title": "B卓", "display_title": "B卓", "room": "", "checked_in": 0, "expected": 0},
    ]


def test_a_table_expects_only_confirmed_choices_of_confirmed_registrations(door, make_registration, make_session):
    event, registration, staff, code = door
    table = make_session(event, title="A卓")
    choose(registration, table)
    choose(make_registration(event), table, status="waitlisted")  # no seat at this table
    choose(make_registration(event, status="cancelled"), table)
    choose(make_registration(event, status="waitlisted"), table, status="waitlisted")
    assert session_counts(event) == {"A卓": (0, 1)}


def test_a_table_expects_an_online_registrant_once_they_came_to_the_venue(db_backend, make_event,
                                                                          make_registration, make_session,
                                                                          make_staff):
    """The venue's rule, table by table: whoever is checked in is expected, so no card reads 2 / 1."""
    from events_app.enums import EventKind

    event = make_event(kind=EventKind.HYBRID, online_url="https://meet.example/t", online_capacity=10)
    staff = make_staff("operator")
    table = make_session(event, title="A卓")
    at_home, came, at_table = (make_registration(event, attendance_mode="online") for _ in range(3))
    for registration in (at_home, came, at_table):
        choose(registration, table)
    assert session_counts(event) == {"A卓": (0, 0)}
    services.check_in_registration(event, came.id, staff=staff)
    services.check_in_registration(event, at_table.id, staff=staff, session_id=table.id)
    assert session_counts(event) == {"A卓": (1, 2)}


def test_an_undone_table_check_in_leaves_the_tables_count(door, make_session):
    event, registration, staff, code = door
    table = make_session(event, title="A卓")
    choose(registration, table)
    services.check_in_code(event, code, staff=staff, session_id=table.id)
    services.undo_check_in(event, registration.id, staff=staff, reason="別の卓でした", session_id=table.id)
    assert session_counts(event) == {"A卓": (0, 1)}


def test_search_finds_by_name_kana_in_hiragana_email_and_company(db_backend, make_event, make_registration,
                                                                  make_person):
    event = make_event()
    person = make_person(name="佐藤 健", name_kana="サトウ ケン", email="ken.sato@example.jp", company="東洋商事")
    registration = make_registration(event, person=person)
    make_registration(event)
    for query in ["佐藤", "佐藤健", "さとう", "サトウケン", "KEN.SATO", "東洋"]:
        assert [r.id for r in services.search(event, query)] == [registration.id], query


def test_offline_snapshot_holds_hashes_not_codes(door):
    event, registration, staff, code = door
    snapshot = services.offline_snapshot(event)
    entry = snapshot["attendees"][0]
    assert entry["codes"] == [codes.code_hash(code)]
    assert code not in str(snapshot)


def test_online_join_records_once_and_refuses_in_person_attendees(db_backend, make_event, make_registration):
    from events_app.enums import EventKind

    event = make_event(kind=EventKind.WEBINAR, online_url="https://meet.example/xyz", capacity=None,
                       online_capacity=100, starts_at=utcnow() + timedelta(minutes=10))
    attendee = make_registration(event, attendance_mode="online")
    assert services.record_online_join(attendee) == "https://meet.example/xyz"
    assert services.record_online_join(attendee) == "https://meet.example/xyz"
    rows = history_rows(attendee.id)
    assert len(rows) == 1 and rows[0].source == CheckInSource.ONLINE_JOIN and rows[0].mode.value == "online"
    with pytest.raises(Conflict):
        services.record_online_join(make_registration(event, status="waitlisted", attendance_mode="online"))
