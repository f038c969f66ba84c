"""The door's `since` poll brings what the offline list needs of each registration changed since its
cursor: the current ticket-code hashes (a re-issue counts as a change) and, for a registration
created since, its whole offline record, so a device that goes offline right after the poll
decides right about a re-issued ticket or a new registrant."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from events_app.database import utcnow
from events_app.extensions import db
from events_app.tickets import codes, services
from events_app.tickets.models import Ticket

# What every `changes` item carried before: clients read these and must keep finding them.
CHANGE_FIELDS = {"id", "status", "checked_in_at", "checked_in_by", "online_joined_at"}


@pytest.fixture
def door(db_backend, client, make_event, make_registration, make_person, make_staff, login, make_token):
    """An event with one ticket holder, older than any cursor's overlap, and an operator signed in
    on the client and holding an API token. Returns helpers that read the door's list and polls."""
    event = make_event(slug="mixer")
    registration = make_registration(event, person=make_person(name="田中 一郎", name_kana="タナカ イチロウ"))
    old_code = services.ticket_code(registration)
    _age(registration)
    operator = make_staff("operator")
    login(operator)
    token, _staff = make_token(user=operator)
    headers = {"Authorization": f"Bearer {token}"}

    def snapshot() -> dict:
        return client.get("/api/v1/checkin/events/mixer/offline", headers=headers).get_json()

    def poll(since: str | None = None) -> dict:
        response = client.get("/api/v1/checkin/events/mixer/counts",
                              query_string={"since": since} if since else {}, headers=headers)
        assert response.status_code == 200, response.data[:300]
        return response.get_json()

    return SimpleNamespace(event=event, registration=registration, old_code=old_code, headers=headers,
                           snapshot=snapshot, poll=poll)


def _age(*registrations) -> None:
    """Move registrations an hour into the past, beyond the cursor's overlap (CHANGES_OVERLAP)."""
    for registration in registrations:
        registration.created_at = registration.updated_at = utcnow() - timedelta(hours=1)
    db.session.commit()


def _hash(code: str) -> str:
    return codes.code_hash(code)


def _current_code(registration_id: int) -> str:
    db.session.rollback()  # see what the request committed
    ticket = db.session.scalars(sa.select(Ticket).where(Ticket.registration_id == registration_id,
                                                        Ticket.revoked_at.is_(None))).one()
    return codes.code_for(ticket.code_id)


def _reissue_by_api(client, door) -> None:
    response = client.post(f"/api/v1/tickets/{door.registration.id}/reissue", json={"reason": "スマホ紛失"},
                           headers=door.headers)
    assert response.status_code == 200, response.data[:300]


def _reissue_by_operator_page(client, door) -> None:
    response = client.post(f"/admin/tickets/{door.registration.id}/reissue", data={"reason": "スマホ紛失"})
    assert response.status_code == 302, response.data[:300]


@pytest.mark.parametrize("reissue", [_reissue_by_api, _reissue_by_operator_page], ids=["api", "operator_page"])
def test_a_reissued_ticket_reaches_the_poll_with_its_new_code_and_the_old_one_revoked(client, door, reissue):
    snapshot = door.snapshot()
    assert snapshot["attendees"][0]["codes"] == [_hash(door.old_code)]
    reissue(client, door)
    new_code = _current_code(door.registration.id)
    [change] = door.poll(snapshot["generated_at"])["changes"]
    assert change["id"] == door.registration.id
    assert change["codes"] == [_hash(new_code)] and change["revoked_codes"] == [_hash(door.old_code)]


def test_a_change_keeps_its_fields_and_adds_only_the_codes_for_a_registration_the_device_has(client, door):
    snapshot = door.snapshot()
    _reissue_by_api(client, door)
    [change] = door.poll(snapshot["generated_at"])["changes"]
    assert set(change) == CHANGE_FIELDS | {"codes", "revoked_codes"}  # no `attendee`: the device has them


def test_a_new_registration_reaches_the_poll_with_the_record_the_snapshot_gives(client, door):
    """A walk-in registered at another door: the poll brings the same record a fresh list would."""
    snapshot = door.snapshot()
    walk_in = client.post("/checkin/mixer/api/walk-in", json={
        "name": "飛び込み 花子", "name_kana": "トビコミ ハナコ", "email": "walkin@example.jp",
        "affiliation": "guest", "company": "個人"})
    assert walk_in.get_json()["result"] == "ok", walk_in.data[:300]
    new_id = walk_in.get_json()["registration"]["id"]
    changes = door.poll(snapshot["generated_at"])["changes"]
    [change] = [c for c in changes if c["id"] == new_id]
    [fresh] = [a for a in door.snapshot()["attendees"] if a["id"] == new_id]
    assert change["attendee"] == fresh and fresh["name"] == "飛び込み 花子"
    assert CHANGE_FIELDS | {"codes", "revoked_codes"} <= set(change)


def test_a_ticket_issued_on_first_need_reaches_the_poll(client, door, make_registration):
    """Approved from the waitlist, the attendee opens their ticket after the list was loaded."""
    approved = make_registration(door.event)
    _age(approved)
    snapshot = door.snapshot()
    assert [a["codes"] for a in snapshot["attendees"] if a["id"] == approved.id] == [[]]
    assert client.get(f"/r/{approved.manage_token}/ticket.png").status_code == 200
    [change] = door.poll(snapshot["generated_at"])["changes"]
    assert change["id"] == approved.id and change["codes"] == [_hash(_current_code(approved.id))]


def test_a_poll_with_nothing_changed_is_as_small_as_before(door):
    snapshot = door.snapshot()
    assert door.poll(snapshot["generated_at"])["changes"] == []


def _queries_of(poll) -> int:
    seen = []
    listener = lambda *args: seen.append(1)  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        poll()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_a_poll_takes_the_same_few_queries_however_many_registrations_changed(door, make_registration):
    """Every device polls every 5 s: with nothing changed it costs one query more than the counts
    alone, as before; the codes and new records of any number of changes come in a fixed few."""
    cursor = door.snapshot()["generated_at"]
    door.poll(cursor)  # warm: the first request of a test loads what later ones reuse
    counts_alone, nothing_changed = _queries_of(door.poll), _queries_of(lambda: door.poll(cursor))
    assert nothing_changed == counts_alone + 1
    make_registration(door.event)
    one_new = _queries_of(lambda: door.poll(cursor))
    for _ in range(5):
        services.ticket_code(make_registration(door.event))
    assert len(door.poll(cursor)["changes"]) == 6
    assert _queries_of(lambda: door.poll(cursor)) == one_new


def test_the_poll_brings_the_check_in_window_an_operator_moved(client, door):
    cursor = door.snapshot()["generated_at"]
    assert door.poll(cursor)["event"]["checkin_opens_at"] is None
    response = client.patch("/api/v1/events/mixer", json={"checkin_opens_minutes": 60}, headers=door.headers)
    assert response.status_code == 200, response.data[:300]
    window = door.poll(cursor)["event"]
    db.session.expire_all()
    assert window["checkin_opens_at"] == (door.event.starts_at - timedelta(minutes=60)).isoformat()
    assert window == door.snapshot()["event"]  # as the full list gives it
    assert "event" not in door.poll()  # counts alone stay as they were
