"""Staff administration (admins only) and personal API tokens (every staff user)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from events_app.audit.models import AuditEntry
from events_app.auth.models import ApiToken, EventStaff, StaffUser
from events_app.enums import Role
from events_app.extensions import db


@pytest.fixture
def admin(make_staff, db_backend):
    return make_staff("admin")


@pytest.fixture
def admin_client(client, login, admin):
    login(admin)
    client.set_cookie("tsunagu_lang", "en")
    return client


def test_only_admins_open_the_staff_page(client, login, make_staff, db_backend):
    login(make_staff("operator"))
    assert client.get("/admin/staff").status_code == 403


def test_admin_creates_a_staff_user_and_sees_the_generated_password_once(admin_client):
    response = admin_client.post("/admin/staff", data={"email": "New.Person@Example.jp", "name": "新人", "role": "checkin"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "new.person@example.jp"))
    assert user.role == Role.CHECKIN
    password = re.search(r'<code class="secret">([^<]+)</code>', html).group(1)
    from events_app.auth.services import authenticate
    assert authenticate("new.person@example.jp", password) is not None
    assert "secret" not in admin_client.get("/admin/staff").get_data(as_text=True).split("</table>")[0]


@pytest.mark.parametrize("data, field, message", [
    ({"email": "not-an-email", "role": "operator"}, "email", "Enter a valid email address."),
    ({"email": "x@example.jp", "role": "operator", "password": "short"}, "password", "at least 8 characters"),
])
def test_bad_staff_input_is_shown_next_to_its_field(admin_client, data, field, message):
    response = admin_client.post("/admin/staff", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    block = re.search(rf'id="field-{field}">(.*?)</div>', html, re.S).group(1)
    assert message in block
    if field == "password":
        assert 'value="x@example.jp"' in html


def test_a_taken_email_is_a_conflict_on_the_email_field(admin_client, make_staff):
    make_staff("operator", email="taken@example.jp")
    response = admin_client.post("/admin/staff", data={"email": "taken@example.jp", "role": "operator"})
    assert response.status_code == 409
    assert "Already in use." in response.get_data(as_text=True)


def test_role_change_is_audited(admin_client, make_staff):
    user = make_staff("checkin")
    admin_client.post(f"/admin/staff/{user.id}/role", data={"role": "operator"})
    db.session.refresh(user)
    assert user.role == Role.OPERATOR
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.role_changed"))
    assert entry.details["from"] == "checkin" and entry.details["to"] == "operator"


def test_the_last_admin_cannot_be_demoted(admin_client, admin):
    response = admin_client.post(f"/admin/staff/{admin.id}/role", data={"role": "operator"}, follow_redirects=True)
    assert "last administrator" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN


def test_deactivated_staff_cannot_sign_in_or_use_tokens(admin_client, make_staff, make_token):
    token, user = make_token("operator")
    admin_client.post(f"/admin/staff/{user.id}/deactivate")
    db.session.refresh(user)
    assert not user.is_active_account
    from events_app.auth.services import authenticate
    from tests.conftest import STAFF_PASSWORD

    assert authenticate(user.email, STAFF_PASSWORD) is None
    other = admin_client.application.test_client()
    assert other.post("/api/v1/events", json={}, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.deactivated"))


def test_admins_cannot_deactivate_themselves(admin_client, admin):
    admin_client.post(f"/admin/staff/{admin.id}/deactivate")
    db.session.refresh(admin)
    assert admin.is_active_account


def test_checkin_staff_are_assigned_to_events(admin_client, make_staff, make_event):
    user, event = make_staff("checkin"), make_event()
    admin_client.post(f"/admin/staff/{user.id}/events", data={"event_id": str(event.id)})
    assert db.session.get(EventStaff, (event.id, user.id)) is not None
    admin_client.post(f"/admin/staff/{user.id}/events/{event.id}/remove")
    assert db.session.get(EventStaff, (event.id, user.id)) is None


def test_operators_are_not_assigned_to_events(admin_client, make_staff, make_event):
    user, event = make_staff("operator"), make_event()
    response = admin_client.post(f"/admin/staff/{user.id}/events", data={"event_id": str(event.id)},
                                 follow_redirects=True)
    assert "Only check-in staff" in response.get_data(as_text=True)
    assert db.session.get(EventStaff, (event.id, user.id)) is None


@pytest.mark.parametrize("role", ["admin", "operator", "checkin"])
def test_any_staff_user_creates_a_token_shown_once(client, login, make_staff, role, db_backend):
    user = make_staff(role)
    login(user)
    response = client.post("/admin/tokens", data={"name": "Excel import"})
    token = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.name == "Excel import" and token.startswith(row.prefix)
    assert token not in client.get("/admin/tokens").get_data(as_text=True)


def test_a_token_needs_a_label(admin_client):
    response = admin_client.post("/admin/tokens", data={"name": "  "})
    assert response.status_code == 422 and "label" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_revoking_a_token_stops_it(admin_client, admin):
    response = admin_client.post("/admin/tokens", data={"name": "CLI"})
    token = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    row = db.session.scalar(select(ApiToken))
    admin_client.post(f"/admin/tokens/{row.id}/revoke")
    other = admin_client.application.test_client()
    assert other.post("/api/v1/events", json={}, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_nobody_revokes_someone_elses_token(client, login, make_staff, make_token, db_backend):
    _token, owner = make_token("operator")
    login(make_staff("operator"))
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    client.post(f"/admin/tokens/{row.id}/revoke")
    db.session.refresh(row)
    assert row.revoked_at is None


def test_a_token_shows_when_it_was_last_used_to_within_minutes(admin_client, admin):
    from datetime import timedelta

    from events_app.auth.services import LAST_USED_PRECISION

    response = admin_client.post("/admin/tokens", data={"name": "Door phone"})
    token = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    row = db.session.scalar(select(ApiToken))
    assert row.last_used_at is None
    api = admin_client.application.test_client()
    assert api.get("/api/v1/events/nowhere/registrations", headers={"Authorization": f"Bearer {token}"}).status_code == 404  # authenticated, then no such event
    db.session.expire_all()
    first = db.session.get(ApiToken, row.id).last_used_at
    assert first is not None
    page = admin_client.get("/admin/tokens").get_data(as_text=True)
    assert re.search(r"<td>—</td>", page) is None  # the last-used cell is filled in
    api.get("/api/v1/events/nowhere/registrations", headers={"Authorization": f"Bearer {token}"})
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at == first  # not a write per call
    stale = first - LAST_USED_PRECISION - timedelta(seconds=1)
    db.session.get(ApiToken, row.id).last_used_at = stale
    db.session.commit()
    api.get("/api/v1/events/nowhere/registrations", headers={"Authorization": f"Bearer {token}"})
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at > stale
