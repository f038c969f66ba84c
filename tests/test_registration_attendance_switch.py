"""Switching a hybrid event's registration between in person and online, through the attendee's
page /r/<token> and the operators' registration page (Flask test client, real services)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from events_app.database import utcnow
from events_app.enums import AttendanceMode, RegistrationStatus
from events_app.extensions import db
from events_app.registration import services
from events_app.registration.models import Registration
from tests.switch_support import counters, holders, hybrid_fields, mails, register, reload, switch_audits

EN = {"Accept-Language": "en"}


def switch(client, token: str, to: str, **extra):
    return client.post(f"/r/{token}/attendance", data={"attendance": to, **extra}, headers=EN)


def flashed_page(client, response, headers=EN) -> str:
    """The page a redirect leads to, with the message flashed on the way."""
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client.get(response.headers["Location"], headers=headers).get_data(as_text=True)


# --- a free place: confirmed at once, the old seat to the next in line ----------------------

def test_switching_to_free_online_places_confirms_and_gives_the_seat_to_the_next_in_line(client, db_backend,
                                                                                          make_event):
    event = make_event(**hybrid_fields(capacity=1, online_capacity=3))
    leaving, token = register(event, 1)
    waiting, _ = register(event, 2)
    assert reload(waiting).status == RegistrationStatus.WAITLISTED

    page = flashed_page(client, switch(client, token, "online"))

    assert "You now attend online, and your place is confirmed." in page
    mine, next_in_line = reload(leaving), db.session.get(Registration, waiting)
    assert (mine.status, mine.attendance_mode, mine.holds_seat) == (
        RegistrationStatus.CONFIRMED, AttendanceMode.ONLINE, True)
    assert (next_in_line.status, next_in_line.holds_seat) == (RegistrationStatus.CONFIRMED, True)
    assert counters(event.id) == (1, 1)
    assert (holders(event.id, "in_person"), holders(event.id, "online")) == (1, 1)
    assert [m.registration_id for m in mails("registration_promoted")] == [waiting]
    [told] = mails("registration_attendance_switched")
    assert told.registration_id == leaving and told.to_address == "switch1@example.jp"
    assert told.payload["outcome"] == "confirmed" and told.payload["promoted"] == 1


def test_switching_to_in_person_gives_the_online_place_to_the_next_in_line(client, db_backend, make_event):
    event = make_event(**hybrid_fields(capacity=5, online_capacity=1))
    leaving, token = register(event, 1, "online")
    waiting, _ = register(event, 2, "online")

    page = flashed_page(client, switch(client, token, "in_person"))

    assert "You now attend in person, and your seat is confirmed." in page
    assert reload(leaving).attendance_mode == AttendanceMode.IN_PERSON
    assert db.session.get(Registration, waiting).status == RegistrationStatus.CONFIRMED
    assert counters(event.id) == (1, 1)
    assert [m.registration_id for m in mails("registration_promoted")] == [waiting]


def test_a_waitlisted_attendee_takes_a_free_online_place_and_leaves_the_venue_waitlist(client, db_backend,
                                                                                      make_event):
    event = make_event(**hybrid_fields(capacity=1, online_capacity=2))
    register(event, 1)
    moving, token = register(event, 2)
    behind, _ = register(event, 3)

    flashed_page(client, switch(client, token, "online"))

    mine = reload(moving)
    assert (mine.status, mine.attendance_mode, mine.waitlist_rank) == (
        RegistrationStatus.CONFIRMED, AttendanceMode.ONLINE, None)
    assert counters(event.id) == (1, 1)
    assert services.waitlist_position(db.session.get(Registration, behind)) == 1
    assert mails("registration_promoted") == []  # no seat was given back


# --- a full side: refused, nothing changes --------------------------------------------------

def test_switching_into_a_full_side_is_refused_and_the_seat_is_kept(client, db_backend, make_event):
    event = make_event(**hybrid_fields(capacity=5, online_capacity=1))
    register(event, 1, "online")
    staying, token = register(event, 2)

    response = switch(client, token, "online")

    assert response.status_code == 409
    assert "Online places are full, so nothing was changed: the seat at the venue is kept." in response.get_data(
        as_text=True)
    mine = reload(staying)
    assert (mine.status, mine.attendance_mode, mine.holds_seat) == (
        RegistrationStatus.CONFIRMED, AttendanceMode.IN_PERSON, True)
    assert counters(event.id) == (1, 1)
    assert mails("registration_attendance_switched") == [] and switch_audits() == []


def test_a_waitlisted_attendee_may_move_to_the_end_of_the_other_full_waitlist(client, db_backend, make_event):
    event = make_event(**hybrid_fields(capacity=1, online_capacity=1))
    register(event, 1)
    register(event, 2, "online")
    already_online, _ = register(event, 3, "online")
    moving, token = register(event, 4)

    refused = switch(client, token, "online")
    assert refused.status_code == 409
    assert "Joining the online waitlist instead is possible." in refused.get_data(as_text=True)
    assert reload(moving).attendance_mode == AttendanceMode.IN_PERSON

    page = flashed_page(client, switch(client, token, "online", join_waitlist="1"))

    assert "You are now on the waitlist for online places: position 2." in page
    mine = reload(moving)
    assert (mine.status, mine.attendance_mode) == (RegistrationStatus.WAITLISTED, AttendanceMode.ONLINE)
    assert services.waitlist_position(db.session.get(Registration, already_online)) == 1
    assert counters(event.id) == (1, 1)


def test_a_confirmed_attendee_never_trades_the_seat_for_a_waitlist_place(client, db_backend, make_event):
    event = make_event(**hybrid_fields(capacity=5, online_capacity=1))
    register(event, 1, "online")
    staying, token = register(event, 2)

    assert switch(client, token, "online", join_waitlist="1").status_code == 409
    assert reload(staying).status == RegistrationStatus.CONFIRMED and counters(event.id) == (1, 1)


# --- pending, double submits, refusals ------------------------------------------------------

def test_a_registration_awaiting_approval_only_changes_mode_and_approval_takes_that_seat(
        client, db_backend, make_event, make_staff):
    event = make_event(**hybrid_fields(capacity=0, online_capacity=1, requires_approval=True))
    pending, token = register(event, 1)

    page = flashed_page(client, switch(client, token, "online"))

    assert "Your registration still awaits the organisers’ approval." in page
    mine = reload(pending)
    assert (mine.status, mine.attendance_mode, mine.holds_seat) == (
        RegistrationStatus.PENDING, AttendanceMode.ONLINE, False)
    assert counters(event.id) == (0, 0)
    services.approve(mine, actor=make_staff())
    assert reload(pending).status == RegistrationStatus.CONFIRMED and counters(event.id) == (0, 1)


def test_a_second_submit_sees_the_switch_is_done_and_changes_nothing(client, db_backend, make_event):
    event = make_event(**hybrid_fields())
    registration_id, token = register(event, 1)
    flashed_page(client, switch(client, token, "online"))

    page = flashed_page(client, switch(client, token, "online"))

    assert "You are already registered to attend online." in page
    assert counters(event.id) == (0, 1)
    assert len(mails("registration_attendance_switched")) == 1 and len(switch_audits()) == 1
    assert reload(registration_id).attendance_mode == AttendanceMode.ONLINE


@pytest.mark.parametrize("case, message", [
    ("not_hybrid", "This event can only be attended in person."),
    ("over", "This event has already taken place."),
    ("cancelled", "This registration is cancelled; that action is not possible."),
    ("checked_in", "Already checked in at the venue: the attendance can no longer be switched to online."),
])
def test_a_switch_that_cannot_happen_says_why_and_changes_nothing(client, db_backend, make_event, case, message):
    fields = {"kind": "networking"} if case == "not_hybrid" else {}
    event = make_event(**hybrid_fields(capacity=5, **fields))
    registration_id, token = register(event, 1)
    if case == "over":
        event.starts_at, event.ends_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    elif case == "checked_in":
        db.session.get(Registration, registration_id).checked_in_at = utcnow()
    db.session.commit()
    if case == "cancelled":
        services.cancel(db.session.get(Registration, registration_id))

    response = switch(client, token, "online")

    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert reload(registration_id).attendance_mode == AttendanceMode.IN_PERSON
    assert mails("registration_attendance_switched") == []


def test_an_unknown_mode_is_refused(client, db_backend, make_event):
    event = make_event(**hybrid_fields())
    registration_id, token = register(event, 1)
    assert switch(client, token, "hologram").status_code == 422
    assert reload(registration_id).attendance_mode == AttendanceMode.IN_PERSON


def test_the_switch_needs_the_forms_csrf_token(app, client, db_backend, make_event):
    event = make_event(**hybrid_fields())
    registration_id, token = register(event, 1)
    app.config["WTF_CSRF_ENABLED"] = True  # read per request by Flask-WTF

    forged = client.post(f"/r/{token}/attendance", data={"attendance": "online"}, headers=EN)
    assert forged.status_code == 400 and reload(registration_id).attendance_mode == AttendanceMode.IN_PERSON
    form_page = client.get(f"/r/{token}", headers=EN).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page).group(1)
    done = client.post(f"/r/{token}/attendance", data={"attendance": "online", "csrf_token": csrf}, headers=EN)
    assert done.status_code == 303 and reload(registration_id).attendance_mode == AttendanceMode.ONLINE
