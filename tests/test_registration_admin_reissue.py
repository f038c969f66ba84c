"""Operators re-issue a ticket from the registration's own page (a lost phone before the day), not
only from a check-in history row, which someone not yet checked in does not have."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from events_app.database import utcnow
from events_app.enums import EventStatus
from events_app.extensions import db
from events_app.tickets import codes, services
from events_app.tickets.models import Ticket


def test_an_operator_re_issues_from_the_registration_page(client, login, make_staff, db_backend, make_event,
                                                         make_registration, make_token):
    event = make_event(slug="mixer")
    registration = make_registration(event)
    old = services.ticket_code(registration)
    login(make_staff("operator"))
    page = client.get(f"/admin/registrations/{registration.id}").get_data(as_text=True)
    assert f"/admin/tickets/{registration.id}/reissue" in page and "理由（履歴に残ります。参加者には送られません）" in page

    response = client.post(f"/admin/tickets/{registration.id}/reissue", data={"reason": "スマホ紛失", "back": "registration"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/registrations/{registration.id}")
    revoked = db.session.scalars(select(Ticket).where(Ticket.revoked_at.is_not(None))).one()
    assert revoked.revoked_reason == "スマホ紛失"
    token, _ = make_token("operator")
    answer = client.post("/api/v1/checkin", json={"code": codes.ticket_url(old), "event": "mixer"},
                         headers={"Authorization": f"Bearer {token}"}).get_json()
    assert answer["result"] == "revoked"


def test_no_re_issue_form_where_a_ticket_makes_no_sense(client, login, make_staff, db_backend, make_event,
                                                       make_registration):
    login(make_staff("operator"))
    over = make_registration(make_event(starts_at=utcnow() - timedelta(days=3)))
    cancelled = make_registration(make_event(status=EventStatus.CANCELLED))
    waitlisted = make_registration(make_event(), status="waitlisted")
    for registration in (over, cancelled, waitlisted):
        page = client.get(f"/admin/registrations/{registration.id}").get_data(as_text=True)
        assert f"/admin/tickets/{registration.id}/reissue" not in page
