"""An attendee who has been checked in (or joined online) can no longer cancel: it would take them
out of the attendance figures and give their seat away while they are in the room."""
from __future__ import annotations

from events_app.enums import AttendanceMode, EventKind, RegistrationStatus
from events_app.extensions import db
from events_app.tickets import services as tickets


def test_a_checked_in_attendee_cannot_cancel(client, db_backend, make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    tickets.check_in_registration(event, registration.id, staff=None)
    page = client.get(f"/r/{registration.manage_token}").get_data(as_text=True)
    assert f"/r/{registration.manage_token}/cancel" not in page  # no cancel button any more

    done = client.post(f"/r/{registration.manage_token}/cancel", data={"confirm": "y", "reason": "急用"},
                       follow_redirects=True)
    assert "すでに受付済みのため、お申し込みはキャンセルできません。" in done.get_data(as_text=True)
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CONFIRMED and registration.checked_in_at is not None
    assert tickets.counts(event)["in_person"] == {"checked_in": 1, "expected": 1}


def test_an_attendee_who_joined_online_cannot_cancel(client, db_backend, make_event, make_registration):
    from events_app.database import utcnow

    webinar = make_event(kind=EventKind.WEBINAR, online_url="https://meet.example/x")
    registration = make_registration(webinar, attendance_mode=AttendanceMode.ONLINE, online_joined_at=utcnow())
    response = client.get(f"/r/{registration.manage_token}/cancel", follow_redirects=True,
                          headers={"Accept-Language": "en"})
    assert "You have already been checked in, so the registration can no longer be cancelled." in \
        response.get_data(as_text=True)


def test_an_operator_may_still_cancel_a_checked_in_registration(client, db_backend, make_event, make_registration,
                                                              make_token):
    event = make_event()
    registration = make_registration(event)
    tickets.check_in_registration(event, registration.id, staff=None)
    token, _ = make_token("operator")
    response = client.post(f"/api/v1/registrations/{registration.id}/cancel", json={"reason": "重複登録"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CANCELLED
