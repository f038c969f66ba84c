"""The ticket page for door staff after a check-in refused because the window is not open yet:
the red banner stands alone (no green "valid" chip under it), and the check-in button stays, so
the same page admits once the door opens, without a reload."""
from __future__ import annotations

from datetime import timedelta

from events_app.database import utcnow
from events_app.extensions import db
from events_app.registration.models import Registration
from events_app.tickets import codes, services

CHECK_IN_BUTTON = '<button type="submit" class="primary big">'
VALID_CHIP = "有効なチケットです。受付で提示してください。"


def test_after_a_too_early_refusal_the_button_stays_and_no_valid_chip(client, login, db_backend, make_event,
                                                                       make_registration, make_staff):
    starts = utcnow().replace(second=0, microsecond=0) + timedelta(hours=3)
    event = make_event(slug="tonight", starts_at=starts, checkin_opens_minutes=60)
    registration = make_registration(event)
    login(make_staff("operator"))
    path = codes.ticket_url(services.ticket_code(registration)).replace("http://localhost", "")
    before = client.get(path).get_data(as_text=True)
    assert VALID_CHIP in before and CHECK_IN_BUTTON in before

    refused = client.post(path, follow_redirects=True).get_data(as_text=True)
    assert 'data-result="too_early"' in refused and "受付は " in refused
    assert VALID_CHIP not in refused
    assert CHECK_IN_BUTTON in refused

    # The door opens (the window widened here): the same button admits.
    event.checkin_opens_minutes = 240
    db.session.commit()
    admitted = client.post(path, follow_redirects=True).get_data(as_text=True)
    assert 'data-result="ok"' in admitted and CHECK_IN_BUTTON not in admitted
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).checked_in_at is not None


def test_a_ticket_already_checked_in_shows_no_button_and_no_valid_chip(client, login, db_backend, make_event,
                                                                       make_registration, make_staff):
    event = make_event(slug="now", starts_at=utcnow() + timedelta(minutes=30))
    registration = make_registration(event)
    login(make_staff("operator"))
    path = codes.ticket_url(services.ticket_code(registration)).replace("http://localhost", "")
    client.post(path)
    again = client.post(path, follow_redirects=True).get_data(as_text=True)
    assert 'data-result="already_checked_in"' in again
    assert CHECK_IN_BUTTON not in again and VALID_CHIP not in again
