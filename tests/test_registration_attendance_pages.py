"""What the pages show around a switch between in person and online: the offer on /r/<token>,
breakout tables, the ticket or join link afterwards, and the operators' switch on
/admin/registrations/<id> (Flask test client, real services)."""
from __future__ import annotations

import pytest

from events_app.enums import AttendanceMode, RegistrationStatus
from events_app.events.models import EventSession
from events_app.extensions import db
from events_app.registration.models import Registration
from events_app.tickets.issuing import current_ticket
from tests.switch_support import counters, hybrid_fields, mails, register, reload, switch_audits

JA = {"Accept-Language": "ja"}
EN = {"Accept-Language": "en"}


def manage_page(client, token: str, headers=JA) -> str:
    return client.get(f"/r/{token}", headers=headers).get_data(as_text=True)


def switch(client, token: str, to: str, **extra):
    response = client.post(f"/r/{token}/attendance", data={"attendance": to, **extra}, headers=EN)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


# --- the offer ------------------------------------------------------------------------------

def test_the_page_says_in_japanese_that_switching_online_confirms_and_gives_the_seat_away(client, db_backend,
                                                                                          make_event):
    event = make_event(**hybrid_fields(capacity=1, online_capacity=3))
    _, token = register(event, 1)
    register(event, 2)  # waiting for the seat

    page = manage_page(client, token)

    assert "オンライン参加に切り替えると、すぐに参加確定になります（会場のお席はキャンセル待ちの方にお譲りします）" in page
    assert f'action="/r/{token}/attendance"' in page and 'name="attendance" value="online"' in page
    assert "オンライン参加に切り替える" in page


@pytest.mark.parametrize("setup, expected, has_button", [
    ("online_full", "Online places are full, so you cannot switch to online now. Your seat at the venue stays yours.",
     False),
    ("both_full_waiting", "Online places are full too. You can move to the online waitlist instead: you would be "
     "number 2 there, and leave the waitlist for the venue.", True),
    ("seat_free_no_queue", "If you switch to online, your place is confirmed at once (your seat at the venue is "
     "freed for someone else).", True),
])
def test_the_page_says_what_a_switch_would_do(client, db_backend, make_event, setup, expected, has_button):
    event = make_event(**hybrid_fields(capacity=1 if setup == "both_full_waiting" else 5, online_capacity=1))
    if setup != "seat_free_no_queue":
        register(event, 1, "online")
    if setup == "both_full_waiting":
        register(event, 2, "online")
        register(event, 3)
    _, token = register(event, 4)

    page = manage_page(client, token, EN)

    assert expected in page
    assert (f'action="/r/{token}/attendance"' in page) is has_button
    if setup == "both_full_waiting":
        assert 'name="join_waitlist" value="1"' in page and "Move to the online waitlist" in page


def test_an_event_with_one_way_of_attending_offers_no_switch(client, db_backend, make_event):
    event = make_event(capacity=5)
    _, token = register(event, 1)
    assert "/attendance" not in manage_page(client, token, EN)


# --- breakout tables: they have seats and an online room, so choices stay -------------------

def test_switching_online_keeps_the_table_seat_and_a_waitlisted_switch_claims_its_table(client, db_backend,
                                                                                         make_event, make_session):
    event = make_event(**hybrid_fields(capacity=1, online_capacity=3))
    table = make_session(event, capacity=1, online_url="https://meet.example.com/table-1")
    seated, seated_token = register(event, 1, session_ids=[table.id])
    waiting, waiting_token = register(event, 2, session_ids=[table.id])
    assert "Your session choices stay as they are." in manage_page(client, seated_token, EN)

    switch(client, seated_token, "online")

    [choice] = reload(seated).session_choices
    assert (choice.status, choice.holds_seat) == (RegistrationStatus.CONFIRMED, True)
    # The promoted registration's table choice waits for that (full) table.
    [promoted_choice] = db.session.get(Registration, waiting).session_choices
    assert promoted_choice.status == RegistrationStatus.WAITLISTED and not promoted_choice.holds_seat
    assert db.session.get(EventSession, table.id).seats_taken == 1


# --- tickets and join links -----------------------------------------------------------------

def test_after_a_switch_the_page_shows_the_join_link_online_and_the_same_ticket_in_person(client, db_backend,
                                                                                           make_event):
    event = make_event(**hybrid_fields(capacity=2, online_capacity=2))
    registration_id, token = register(event, 1)
    first_ticket = current_ticket(db.session.get(Registration, registration_id)).code_id
    assert f"/r/{token}/ticket.svg" in manage_page(client, token, EN)

    switch(client, token, "online")
    online_page = manage_page(client, token, EN)
    assert f"/r/{token}/join" in online_page and f"/r/{token}/ticket.svg" not in online_page

    switch(client, token, "in_person")
    in_person_page = manage_page(client, token, EN)
    assert f"/r/{token}/ticket.svg" in in_person_page and f"/r/{token}/join" not in in_person_page
    assert current_ticket(reload(registration_id)).code_id == first_ticket
    assert counters(event.id) == (1, 0)


# --- operators ------------------------------------------------------------------------------

def test_an_operator_switches_from_the_registration_page_and_the_trail_says_so(client, db_backend, make_event,
                                                                                make_staff, login):
    event = make_event(**hybrid_fields(capacity=1, online_capacity=3))
    registration_id, _ = register(event, 1)
    waiting, _ = register(event, 2)
    operator = make_staff("operator")
    login(operator)
    detail = client.get(f"/admin/registrations/{registration_id}?lang=en").get_data(as_text=True)
    assert f'action="/admin/registrations/{registration_id}/attendance"' in detail
    assert "Confirmed at once; the place held now goes to the next person on the waitlist." in detail

    response = client.post(f"/admin/registrations/{registration_id}/attendance", data={"attendance": "online"})

    assert response.status_code == 303
    page = client.get(response.headers["Location"] + "?lang=ja").get_data(as_text=True)
    assert "参加方法をオンラインに変更しました（参加確定）。参加者にはメールでお知らせしました。" in page
    assert "参加方法の切り替え（会場／オンライン）" in page and "参加方法: 会場 → オンライン" in page
    assert reload(registration_id).attendance_mode == AttendanceMode.ONLINE
    assert db.session.get(Registration, waiting).status == RegistrationStatus.CONFIRMED
    [entry] = switch_audits()
    assert entry.actor_label == operator.email
    [told] = mails("registration_attendance_switched")
    assert told.payload["by_staff"] is True


def test_an_attendee_switch_is_audited_as_the_attendee(client, db_backend, make_event):
    event = make_event(**hybrid_fields())
    registration_id, token = register(event, 1)
    switch(client, token, "online")
    [entry] = switch_audits()
    assert (entry.actor_label, entry.subject_id) == ("attendee", registration_id)
    assert entry.details == {"attendance_from": "in_person", "attendance_to": "online", "result": "confirmed"}


def test_an_operators_switch_into_a_full_side_is_refused_with_the_reason(client, db_backend, make_event,
                                                                         make_staff, login):
    event = make_event(**hybrid_fields(capacity=5, online_capacity=1))
    register(event, 1, "online")
    registration_id, _ = register(event, 2)
    login(make_staff("operator"))

    response = client.post(f"/admin/registrations/{registration_id}/attendance?lang=en",
                           data={"attendance": "online"})

    page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Online places are full, so nothing was changed: the seat at the venue is kept." in page
    assert reload(registration_id).attendance_mode == AttendanceMode.IN_PERSON and counters(event.id) == (1, 1)


def test_check_in_staff_cannot_switch(client, db_backend, make_event, make_staff, login):
    event = make_event(**hybrid_fields())
    registration_id, _ = register(event, 1)
    login(make_staff("checkin"))
    response = client.post(f"/admin/registrations/{registration_id}/attendance", data={"attendance": "online"})
    assert response.status_code == 403
    assert reload(registration_id).attendance_mode == AttendanceMode.IN_PERSON
