"""The pages: what a scanned ticket shows to whom, the door screen's access, walk-ins and counts
(the tracked join link: test_online_join.py; where staff land after signing in: test_door_landing.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from events_app.auth.services import assign_staff
from events_app.enums import EventKind
from events_app.extensions import db
from events_app.tickets import codes, services
from events_app.tickets.models import CheckIn


@pytest.fixture
def ticket(db_backend, make_event, make_registration, make_person):
    event = make_event(slug="autumn")
    person = make_person(name="伊藤 翔", name_kana="イトウ ショウ", email="sho@example.jp")
    registration = make_registration(event, person=person)
    return event, registration, codes.ticket_url(services.ticket_code(registration))


def path_of(url: str) -> str:
    return url.replace("http://localhost", "")


def test_a_stranger_scanning_a_ticket_sees_its_status_but_not_the_person(client, ticket):
    event, registration, url = ticket
    response = client.get(path_of(url), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert event.title in html and "Valid" in html
    assert "伊藤" not in html and "sho@example.jp" not in html
    assert "Check in</button>" not in html


def test_a_stranger_cannot_check_in_through_the_ticket_page(client, ticket):
    _, _, url = ticket
    assert client.post(path_of(url)).status_code == 403
    assert db.session.scalars(select(CheckIn)).all() == []


def test_staff_see_the_person_and_check_in_with_one_button(client, login, make_staff, ticket):
    event, registration, url = ticket
    login(make_staff("operator"))
    html = client.get(path_of(url) + "?lang=en").get_data(as_text=True)
    assert "伊藤 翔" in html and "Check in</button>" in html
    done = client.post(path_of(url) + "?lang=en", follow_redirects=True).get_data(as_text=True)
    assert 'data-result="ok"' in done
    again = client.post(path_of(url) + "?lang=en", follow_redirects=True).get_data(as_text=True)
    assert 'data-result="already_checked_in"' in again
    assert len(db.session.scalars(select(CheckIn)).all()) == 1


def test_checking_in_on_the_ticket_page_redirects_so_a_reload_does_not_post_again(client, login, make_staff,
                                                                                  ticket):
    event, registration, url = ticket
    login(make_staff("operator"))
    response = client.post(path_of(url) + "?lang=en")
    assert response.status_code == 303 and response.headers["Location"] == path_of(url) + "?lang=en"
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-result="ok"' in shown and "Checked in at" in shown
    reloaded = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "data-result=" not in reloaded and "Checked in at" in reloaded  # the result is shown once
    assert len(db.session.scalars(select(CheckIn)).all()) == 1


def test_the_ticket_page_shows_a_check_in_result_only_for_the_ticket_it_was_for(client, login, make_staff, ticket,
                                                                                make_registration):
    event, registration, url = ticket
    other = codes.ticket_url(services.ticket_code(make_registration(event)))
    login(make_staff("operator"))
    client.post(path_of(url))
    assert "data-result=" not in client.get(path_of(other)).get_data(as_text=True)


def test_unassigned_checkin_staff_are_treated_as_strangers_on_the_ticket_page(client, login, make_staff, ticket):
    _, _, url = ticket
    login(make_staff("checkin"))
    assert "伊藤" not in client.get(path_of(url)).get_data(as_text=True)
    assert client.post(path_of(url)).status_code == 403


def test_forged_ticket_page_is_404(client, ticket):
    _, _, url = ticket
    assert client.get(path_of(url)[:-1] + "A" if not url.endswith("A") else path_of(url)[:-1] + "B").status_code == 404


def test_revoked_ticket_page_says_so(client, ticket, make_staff):
    _, registration, url = ticket
    services.reissue_ticket(registration.id, actor=make_staff("operator"))
    html = client.get(path_of(url), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "replaced by a newer one" in html


def test_scanner_page_access(client, login, make_staff, ticket):
    event, _, _ = ticket
    assert client.get("/checkin/autumn").status_code == 302  # to sign in
    checkin_staff = make_staff("checkin")
    login(checkin_staff)
    assert client.get("/checkin/autumn").status_code == 403
    assert client.get("/checkin/autumn/api/counts").status_code == 403
    assign_staff(event.id, checkin_staff.id)
    page = client.get("/checkin/autumn")
    assert page.status_code == 200 and b"vendor/jsqr/jsQR.js" in page.data
    served = client.get("/static/vendor/jsqr/jsQR.js")
    assert served.status_code == 200
    served.close()
    assert client.get("/checkin/autumn/history").status_code == 200


def test_every_door_screen_script_is_cached_for_offline_use(client, login, make_staff, ticket):
    # A script missing from data-assets breaks the screen when it is reloaded without network.
    import html as html_lib
    import json
    import re

    login(make_staff("operator"))
    page = client.get("/checkin/autumn").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    cached = json.loads(html_lib.unescape(re.search(r'data-assets="([^"]+)"', page).group(1)))
    assert "/static/js/checkin.js" in scripts and set(scripts) <= set(cached)
    for script in scripts:
        served = client.get(script)
        assert served.status_code == 200, script
        served.close()


def test_door_api_uses_the_same_service(client, login, make_staff, ticket):
    event, registration, url = ticket
    login(make_staff("operator"))
    body = client.post("/checkin/autumn/api/scan", json={"code": url, "nonce": "p-1"}).get_json()
    assert body["result"] == "ok" and body["registration"]["name"] == "伊藤 翔"
    bad = client.post("/checkin/autumn/api/undo", json={"registration_id": registration.id},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 422 and "reason" in bad.get_json()["error"]["fields"]
    undone = client.post("/checkin/autumn/api/undo", json={"registration_id": registration.id, "reason": "誤り"})
    assert undone.get_json()["result"] == "undone"
    history = client.get(f"/checkin/autumn/api/history/{registration.id}").get_json()["history"]
    assert [h["kind"] for h in history] == ["check_in", "undo"] and history[1]["reason"] == "誤り"


def test_door_api_without_sign_in_answers_json_401(client, ticket):
    response = client.post("/checkin/autumn/api/scan", json={"code": "x"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_history_page_shows_conflicts(client, login, make_staff, ticket):
    event, registration, url = ticket
    a, b = make_staff("operator"), make_staff("checkin")
    services.sync_offline(event, [{"nonce": "A", "code": url}], staff=a, device="phone-A")
    services.sync_offline(event, [{"nonce": "B", "code": url}], staff=b, device="phone-B")
    login(a)
    html = client.get("/checkin/autumn/history?conflicts=1&lang=en").get_data(as_text=True)
    # The conflict, and just above it the admission it collided with.
    assert "Conflict: admitted twice" in html and html.index("phone-A") < html.index("phone-B")


def test_history_rows_show_the_month_and_day_not_only_the_time(client, login, make_staff, ticket):
    from zoneinfo import ZoneInfo

    event, registration, url = ticket
    services.check_in_code(event, url, staff=None)
    db.session.commit()
    at = db.session.scalars(select(CheckIn)).one().at.astimezone(ZoneInfo(event.timezone))
    login(make_staff("operator"))
    html = client.get("/checkin/autumn/history").get_data(as_text=True)
    assert f"{at.month}/{at.day} {at:%H:%M:%S}" in html


def test_walk_in_registers_through_the_registration_service_and_checks_in(client, login, make_staff, ticket):
    login(make_staff("operator"))
    body = client.post("/checkin/autumn/api/walk-in", json={
        "name": "飛び込み 太郎", "name_kana": "トビコミ タロウ", "email": "walkin@example.jp",
        "affiliation": "guest", "company": "個人"}).get_json()
    assert body["result"] == "ok" and body["registration"]["source"] == "walk_in"
    bad = client.post("/checkin/autumn/api/walk-in", json={"name": "", "email": "nope", "affiliation": "guest"})
    assert bad.status_code == 422 and "email" in bad.get_json()["error"]["fields"]


def test_a_walk_in_already_registered_is_offered_to_door_staff_for_one_tap_check_in(client, login, make_staff,
                                                                                   ticket):
    from events_app.mail.models import OutboxMessage

    event, registration, url = ticket
    login(make_staff("operator"))
    mails_before = len(db.session.scalars(select(OutboxMessage)).all())
    response = client.post("/checkin/autumn/api/walk-in?lang=en", json={
        "name": "伊藤 翔", "email": " Sho@Example.jp ", "affiliation": "guest"})
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["code"] == "already_registered"
    assert "already registered for this event" in body["error"]["message"]
    assert "sent" not in body["error"]["message"]  # staff terms, not the attendee's
    assert body["registration"]["id"] == registration.id and body["registration"]["name"] == "伊藤 翔"
    assert len(db.session.scalars(select(OutboxMessage)).all()) == mails_before  # nobody is mailed
    assert client.post("/checkin/autumn/api/checkin",
                       json={"registration_id": body["registration"]["id"]}).get_json()["result"] == "ok"


def test_a_duplicate_walk_in_tells_nothing_about_the_registrant_to_staff_not_at_this_door(client, login,
                                                                                         make_staff, ticket):
    login(make_staff("checkin"))  # check-in staff, but not assigned to this event
    response = client.post("/checkin/autumn/api/walk-in", json={
        "name": "誰か", "email": "sho@example.jp", "affiliation": "guest"})
    assert response.status_code == 403
    assert "伊藤" not in response.get_data(as_text=True) and "registration" not in response.get_json()


@pytest.mark.parametrize("kind", [EventKind.HYBRID, EventKind.NETWORKING])
def test_a_walk_in_is_registered_in_person_even_with_a_required_question(client, login, make_staff, make_event,
                                                                        db_backend, kind):
    from events_app.enums import QuestionKind
    from events_app.events.models import Question

    event = make_event(slug="door-walk-in", kind=kind, online_url="https://meet.example/x", online_capacity=10)
    db.session.add(Question(event_id=event.id, kind=QuestionKind.TEXT, label="食事の制限", required=True))
    db.session.commit()
    login(make_staff("operator"))
    response = client.post("/checkin/door-walk-in/api/walk-in", json={
        "name": "飛び込み 花子", "email": "hanako.walkin@example.jp", "affiliation": "guest"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["result"] == "ok" and body["registration"]["attendance_mode"] == "in_person"


def test_the_door_screen_names_each_registration_field_for_the_walk_in_errors(client, login, make_staff, ticket):
    import json
    import re

    from events_app.enums import QuestionKind
    from events_app.events.models import Question

    event, registration, url = ticket
    question = Question(event_id=event.id, kind=QuestionKind.TEXT, label="食事の制限", required=True)
    db.session.add(question)
    db.session.commit()
    login(make_staff("operator"))
    html = client.get("/checkin/autumn").get_data(as_text=True)
    strings = json.loads(re.search(r'id="checkin-strings">(.*?)</script>', html, re.S).group(1))
    assert strings["fields"][f"answers.{question.id}"] == "食事の制限"
    assert strings["fields"]["email"] == "メールアドレス"


def test_ticket_area_partial_renders_for_each_state(app, ticket, make_registration):
    from flask import render_template

    event, registration, _ = ticket
    waiting = make_registration(event, status="waitlisted")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        html = render_template("tickets/_ticket_area.html", registration=registration, event=event,
                               token=registration.manage_token)
        assert f"/r/{registration.manage_token}/ticket.pdf" in html and "ticket.svg" in html
        html = render_template("tickets/_ticket_area.html", registration=waiting, event=event,
                               token=waiting.manage_token)
        assert "waiting list" in html and "ticket.pdf" not in html


def _ticket_area_text(app, registration, language: str) -> str:
    """The attendee-visible text of the ticket area, tags stripped."""
    import re

    from flask import render_template
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(language):
        html = render_template("tickets/_ticket_area.html", registration=registration, event=registration.event,
                               token=registration.manage_token)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_ticket_area_of_an_online_attendee_is_headed_with_the_join_link(app, db_backend, make_event,
                                                                            make_registration):
    event = make_event(kind=EventKind.WEBINAR, online_url="https://meet.example/w", capacity=None,
                       online_capacity=10)
    registration = make_registration(event, attendance_mode="online")
    assert _ticket_area_text(app, registration, "en").startswith("Your join link")
    assert _ticket_area_text(app, registration, "ja").startswith("参加用リンク")


@pytest.mark.parametrize("status", ["pending", "waitlisted"])
@pytest.mark.parametrize("mode", ["in_person", "online"])
def test_the_ticket_area_does_not_promise_a_ticket_before_confirmation(app, db_backend, make_event,
                                                                       make_registration, status, mode):
    event = make_event(kind=EventKind.HYBRID, online_url="https://meet.example/h", online_capacity=10)
    registration = make_registration(event, status=status, attendance_mode=mode)
    assert "ticket" not in _ticket_area_text(app, registration, "en").lower()
    assert "チケット" not in _ticket_area_text(app, registration, "ja")


def test_the_door_screen_speaks_japanese_by_default(client, login, make_staff, ticket):
    login(make_staff("operator"))
    html = client.get("/checkin/autumn").get_data(as_text=True)
    assert "カメラを起動" in html and "氏名・フリガナ・メールアドレス・会社名で検索" in html


def test_cli_shows_reissues_and_scans_tickets(runner, ticket):
    event, registration, url = ticket
    shown = runner.invoke(args=["ticket-show", str(registration.id)])
    assert shown.exit_code == 0 and shown.output.strip() == url
    scanned = runner.invoke(args=["checkin-scan", "autumn", url])
    assert scanned.exit_code == 0 and '"result": "ok"' in scanned.output
    again = runner.invoke(args=["checkin-scan", "autumn", url])
    assert '"result": "already_checked_in"' in again.output
    reissued = runner.invoke(args=["ticket-reissue", str(registration.id), "--reason", "lost phone"])
    assert reissued.exit_code == 0 and reissued.output.strip() != url
    assert '"result": "revoked"' in runner.invoke(args=["checkin-scan", "autumn", url]).output
    status = runner.invoke(args=["checkin-status", "autumn"])
    assert '"checked_in": 1' in status.output
    missing = runner.invoke(args=["ticket-show", "99999"])
    assert missing.exit_code != 0 and "No registration" in missing.output


def test_the_attendee_page_shows_the_ticket_area(client, ticket):
    _, registration, _ = ticket
    html = client.get(f"/r/{registration.manage_token}").get_data(as_text=True)
    assert f"/r/{registration.manage_token}/ticket.svg" in html and "ticket.pdf" in html


def test_operators_reissue_from_the_history_page_and_checkin_staff_cannot(client, login, make_staff, ticket):
    event, registration, url = ticket
    checkin_staff = make_staff("checkin")
    assign_staff(event.id, checkin_staff.id)
    login(checkin_staff)
    assert client.post(f"/admin/tickets/{registration.id}/reissue", data={"reason": "x"}).status_code == 403
    client.post("/logout")
    login(make_staff("operator"))
    response = client.post(f"/admin/tickets/{registration.id}/reissue", data={"reason": "スマホ紛失"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/checkin/autumn/history")
    assert services.check_in_code(event, url, staff=checkin_staff).result.value == "revoked"


# --- live counts -------------------------------------------------------------------------

@pytest.fixture
def hybrid_door(db_backend, make_event, make_registration, make_staff, login):
    event = make_event(slug="hybrid-door", kind=EventKind.HYBRID, online_url="https://meet.example/h",
                       online_capacity=50)
    here = make_registration(event)
    online = make_registration(event, attendance_mode="online")
    login(make_staff("operator"))
    return event, here, online


def test_an_online_registrant_checked_in_at_the_venue_counts_as_expected_there_too(client, hybrid_door):
    event, here, online = hybrid_door
    for registration in (here, online):
        assert client.post("/checkin/hybrid-door/api/checkin",
                           json={"registration_id": registration.id}).get_json()["result"] == "ok"
    counts = client.get("/checkin/hybrid-door/api/counts").get_json()
    assert counts["in_person"] == {"checked_in": 2, "expected": 2}
    assert counts["online"] == {"joined": 0, "expected": 1}


@pytest.mark.parametrize("kind, shown", [(EventKind.HYBRID, True), (EventKind.NETWORKING, False)])
def test_the_online_count_is_shown_only_for_events_with_online_attendance(client, db_backend, login, make_staff,
                                                                          make_event, kind, shown):
    make_event(slug="counted", kind=kind, online_url="https://meet.example/c", online_capacity=5)
    login(make_staff("operator"))
    for path in ("/checkin/counted", "/checkin/counted/history"):
        html = client.get(path).get_data(as_text=True)
        assert ('id="count-online"' in html) is shown, path


@pytest.mark.parametrize("language, heading", [("ja", "セッションごとの受付"), ("en", "Check-ins per session")])
def test_the_door_screen_has_a_counter_per_breakout_table(client, db_backend, login, make_staff, make_event,
                                                         make_session, language, heading):
    from events_app.enums import SessionKind

    event = make_event(slug="tables")
    tables = [make_session(event, title="A卓"), make_session(event, title="B卓")]
    speech = make_session(event, title="開会挨拶", kind=SessionKind.TIMETABLE)
    login(make_staff("operator"))
    html = client.get(f"/checkin/tables?lang={language}").get_data(as_text=True)
    assert heading in html
    assert all(f'id="session-count-{t.id}"' in html for t in tables)
    assert f'id="session-count-{speech.id}"' not in html


def test_the_door_screen_of_an_event_without_tables_shows_no_table_counters(client, db_backend, login, make_staff,
                                                                           make_event):
    """Hidden, not left out: a table added while the screen is open shows up in them (checkin-sessions.js)."""
    import re

    make_event(slug="no-tables")
    login(make_staff("operator"))
    html = client.get("/checkin/no-tables").get_data(as_text=True)
    assert re.search(r'<section [^>]*id="session-counts"[^>]* hidden>', html)
    assert re.search(r'<label [^>]*id="session-pick"[^>]* hidden>', html)
    assert 'class="session-count"' not in html
