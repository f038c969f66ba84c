"""Conflicts operators can act on: offline admissions the server refuses are kept, a wrong device
clock is not believed, the conflicts view shows both sides, and a conflict can be marked reviewed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from events_app.audit.models import AuditEntry
from events_app.database import utcnow
from events_app.enums import RegistrationStatus
from events_app.extensions import db
from events_app.registration.models import Registration, RegistrationSession
from events_app.tickets import codes, services
from events_app.tickets.models import CheckIn, CheckInReview
from tests.conftest import STAFF_PASSWORD


@pytest.fixture
def scene(db_backend, make_event, make_registration, make_person, make_token):
    event = make_event(slug="mixer", starts_at=utcnow() - timedelta(minutes=30))
    person = make_person(name="大野 誠", name_kana="オオノ マコト")
    registration = make_registration(event, person=person)
    token, staff = make_token("operator")
    return event, registration, token, codes.ticket_url(services.ticket_code(registration))


def sync(client, token, scans, device="iPad-1"):
    response = client.post("/api/v1/checkin/sync", json={"event": "mixer", "device": device, "scans": scans},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.data[:300]
    return response.get_json()


def counts(client, token):
    return client.get("/api/v1/checkin/events/mixer/counts", headers={"Authorization": f"Bearer {token}"}).get_json()


def test_an_offline_admission_of_a_cancelled_registration_is_kept_as_a_conflict(client, scene):
    event, registration, token, url = scene
    registration.status = RegistrationStatus.CANCELLED  # cancelled while the door was offline
    db.session.commit()
    scan = {"nonce": "off-1", "code": url, "client_at": (utcnow() - timedelta(minutes=5)).isoformat()}
    first = sync(client, token, [scan])
    line = first["results"][0]
    assert line["result"] == "cancelled" and line["conflict"] is True and line["history_id"]
    row = db.session.get(CheckIn, line["history_id"])
    assert row.refused_as == "cancelled" and row.conflict and row.device == "iPad-1"
    assert db.session.get(Registration, registration.id).checked_in_at is None  # let in, but not checked in
    assert first["counts"]["conflicts"] == 1 and first["counts"]["in_person"]["checked_in"] == 0
    # A re-sent queue answers the same and adds nothing.
    again = sync(client, token, [scan])["results"][0]
    assert again["result"] == "cancelled" and again["replayed"] is True and again["history_id"] == row.id
    assert len(db.session.scalars(select(CheckIn)).all()) == 1


def test_an_offline_admission_with_a_replaced_ticket_is_kept_as_a_conflict(client, scene):
    event, registration, token, old_url = scene
    services.reissue_ticket(registration.id, actor=None, reason="紛失")
    line = sync(client, token, [{"nonce": "off-2", "code": old_url}])["results"][0]
    assert line["result"] == "revoked" and line["conflict"] is True
    assert db.session.scalars(select(CheckIn.refused_as)).all() == ["revoked"]


def test_a_refusal_outside_an_offline_sync_records_nothing(client, scene):
    event, registration, token, url = scene
    registration.status = RegistrationStatus.CANCELLED
    db.session.commit()
    body = client.post("/api/v1/checkin", json={"code": url, "event": "mixer"},
                       headers={"Authorization": f"Bearer {token}"}).get_json()
    assert body["result"] == "cancelled"
    assert db.session.scalars(select(CheckIn)).all() == []


def test_a_device_clock_far_in_the_past_is_not_believed(client, scene):
    event, registration, token, url = scene
    before = utcnow()
    line = sync(client, token, [{"nonce": "clock-1", "code": url, "client_at": "2020-01-01T09:00:00+09:00"}])["results"][0]
    assert line["result"] == "ok"
    checked_in_at = db.session.get(Registration, registration.id).checked_in_at
    assert checked_in_at >= before - timedelta(seconds=1)  # dated when the server received it
    row = db.session.scalars(select(CheckIn)).one()
    assert row.client_at.year == 2020  # the device's reading is kept for operators


def test_a_plausible_device_clock_is_believed(client, scene):
    event, registration, token, url = scene
    when = utcnow() - timedelta(minutes=10)
    sync(client, token, [{"nonce": "clock-2", "code": url, "client_at": when.isoformat()}])
    checked_in_at = db.session.get(Registration, registration.id).checked_in_at
    assert abs((checked_in_at - when).total_seconds()) < 1


def test_the_conflicts_view_shows_the_admission_a_conflict_collided_with(client, login, make_staff, scene,
                                                                         make_registration):
    event, registration, token, url = scene
    bystander = make_registration(event)
    services.check_in_registration(event, bystander.id, staff=None)
    a, b = make_staff("operator", name="受付 A"), make_staff("checkin", name="受付 B")
    services.sync_offline(event, [{"nonce": "A", "code": url}], staff=a, device="phone-A")
    services.sync_offline(event, [{"nonce": "B", "code": url}], staff=b, device="phone-B")
    login(a)
    html = client.get("/checkin/mixer/history?conflicts=1&lang=en").get_data(as_text=True)
    assert html.index("phone-A") < html.index("phone-B")  # the first admission, then its conflict
    assert "Conflict: admitted twice" in html and 'aria-current="page"' in html
    assert bystander.person.name not in html  # only people with a conflict


def test_an_operator_marks_a_conflict_reviewed_with_a_note(client, login, make_staff, scene):
    event, registration, token, url = scene
    operator = make_staff("operator", name="運営 花子")
    services.sync_offline(event, [{"nonce": "A", "code": url}], staff=operator, device="phone-A")
    services.sync_offline(event, [{"nonce": "B", "code": url}], staff=operator, device="phone-B")
    conflict = db.session.scalars(select(CheckIn).where(CheckIn.conflict.is_(True))).one()
    assert counts(client, token)["conflicts"] == 1
    login(operator)
    page = client.get("/checkin/mixer/history?conflicts=1").get_data(as_text=True)
    assert "確認済みにする" in page and f"{registration.person.name} さんの重複を確認済みにする" in page

    response = client.post(f"/admin/events/mixer/check-ins/{conflict.id}/review", data={"note": "同じ方の再入場でした"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "確認済みにしました。" in html and "同じ方の再入場でした" in html and "運営 花子" in html
    assert counts(client, token)["conflicts"] == 0
    assert db.session.scalars(select(CheckIn).where(CheckIn.conflict.is_(True))).one().conflict  # row unchanged
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "checkin.conflict_reviewed")).one()
    assert audit.details["note"] == "同じ方の再入場でした"

    again = client.post(f"/admin/events/mixer/check-ins/{conflict.id}/review", data={"note": "2 回目"}, follow_redirects=True)
    assert "この重複はすでに確認済みです。" in again.get_data(as_text=True)
    assert db.session.scalars(select(CheckInReview.note)).all() == ["同じ方の再入場でした"]


def test_bad_reviews_are_refused_and_change_nothing(app, client, login, make_staff, scene):
    event, registration, token, url = scene
    services.check_in_code(event, url, staff=None)
    plain = db.session.scalars(select(CheckIn)).one()
    door = make_staff("checkin")
    door_client = app.test_client()
    door_client.post("/login", data={"email": door.email, "password": STAFF_PASSWORD})
    assert door_client.post(f"/admin/events/mixer/check-ins/{plain.id}/review", data={"note": "x"}).status_code == 403
    login(make_staff("operator"))
    not_a_conflict = client.post(f"/admin/events/mixer/check-ins/{plain.id}/review", data={"note": "x"},
                                 follow_redirects=True)
    assert "このイベントに該当する重複はありません。" in not_a_conflict.get_data(as_text=True)
    services.sync_offline(event, [{"nonce": "B", "code": url}], staff=door, device="phone-B")
    conflict = db.session.scalars(select(CheckIn).where(CheckIn.conflict.is_(True))).one()
    too_long = client.post(f"/admin/events/mixer/check-ins/{conflict.id}/review", data={"note": "あ" * 501},
                           follow_redirects=True)
    assert "メモが長すぎます（500 文字まで）。" in too_long.get_data(as_text=True)
    assert db.session.scalars(select(CheckInReview)).all() == []
    assert counts(client, token)["conflicts"] == 1


def test_the_history_names_the_table_not_its_id(client, login, make_staff, scene, make_session):
    event, registration, token, url = scene
    table = make_session(event, title="テーブルA：脱炭素ビジネスの立ち上げ")
    db.session.add(RegistrationSession(registration_id=registration.id, session_id=table.id,
                                       status=RegistrationStatus.CONFIRMED))
    db.session.commit()
    staff = make_staff("operator", name="受付 カナコ")
    services.check_in_code(event, url, staff=staff, session_id=table.id)
    again = services.check_in_code(event, url, staff=staff, session_id=table.id)
    assert again.result == "already_checked_in" and again.checked_in_by == "受付 カナコ"  # who, at a table too
    login(staff)
    html = client.get("/checkin/mixer/history").get_data(as_text=True)
    assert "テーブルA：脱炭素ビジネスの立ち上げ" in html and "セッション #" not in html


def test_signed_in_staff_not_assigned_to_the_event_are_told_so_on_its_ticket_page(client, login, make_staff, scene):
    event, registration, token, url = scene
    login(make_staff("checkin"))
    html = client.get(url.replace("http://localhost", "")).get_data(as_text=True)
    assert "このイベントの受付担当に割り当てられていません。" in html
    assert "当日まで大切に保管してください" not in html


def test_the_review_shows_in_the_registrations_trail(client, login, make_staff, scene):
    event, registration, token, url = scene
    operator = make_staff("operator")
    services.sync_offline(event, [{"nonce": "A", "code": url}], staff=operator, device="phone-A")
    services.sync_offline(event, [{"nonce": "B", "code": url}], staff=operator, device="phone-B")
    conflict = db.session.scalars(select(CheckIn).where(CheckIn.conflict.is_(True))).one()
    services.review_conflict(event, conflict.id, staff=operator, note="受付ミス")
    login(operator)
    html = client.get(f"/admin/registrations/{registration.id}").get_data(as_text=True)
    assert "受付の重複を確認" in html and "メモ: 受付ミス" in html and "check_in_id" not in html


def test_the_events_admin_page_points_to_conflicts_waiting_for_review(client, login, make_staff, scene):
    event, registration, token, url = scene
    operator = make_staff("operator")
    login(operator)
    assert "確認待ちの重複" not in client.get("/admin/events/mixer").get_data(as_text=True)
    services.sync_offline(event, [{"nonce": "A", "code": url}], staff=operator, device="phone-A")
    services.sync_offline(event, [{"nonce": "B", "code": url}], staff=operator, device="phone-B")
    html = client.get("/admin/events/mixer").get_data(as_text=True)
    assert "受付で確認待ちの重複が 1 件あります。" in html and "/checkin/mixer/history?conflicts=1" in html
    conflict = db.session.scalars(select(CheckIn).where(CheckIn.conflict.is_(True))).one()
    services.review_conflict(event, conflict.id, staff=operator)
    assert "確認待ちの重複" not in client.get("/admin/events/mixer").get_data(as_text=True)


def test_the_history_page_loads_its_rows_in_a_fixed_number_of_queries(app, client, login, make_staff, scene,
                                                                      make_registration):
    """The person, table and review of each row come with the rows, not one query per row."""
    import sqlalchemy as sa

    event, registration, token, url = scene
    operator = make_staff("operator")
    login(operator)

    def queries_for_history() -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/checkin/mixer/history").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    services.check_in_code(event, url, staff=operator)
    few = queries_for_history()
    for _ in range(6):
        services.check_in_registration(event, make_registration(event).id, staff=operator)
    assert queries_for_history() == few
