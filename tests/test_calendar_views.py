"""HTTP: the attendee's invite, the public per-event .ics, the feed, and the add-to-calendar links."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from flask import render_template
from flask_babel import refresh

from events_app.database import utcnow
from events_app.extensions import db
from events_app.registration import services as registrations
from events_app.registration.models import Registration
from tests.test_calendar_documents import iso_z, parse_with_icaljs


def vevents(response) -> list:
    return list(icalendar.Calendar.from_ical(response.data).walk("VEVENT"))


def method_of(response) -> str:
    return str(icalendar.Calendar.from_ical(response.data)["METHOD"])


# --- the attendee's invite -------------------------------------------------------------------

def test_confirmed_attendee_downloads_the_current_invite(client, make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    response = client.get(f"/r/{registration.manage_token}/invite.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "method=REQUEST" in response.headers["Content-Type"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert f'filename="{event.slug}.ics"' in response.headers["Content-Disposition"]
    [vevent] = vevents(response)
    assert str(vevent["UID"]) == registration.calendar_uid


def test_the_registration_answers_calendar_link_is_the_invite_and_after_cancellation_the_cancel(
        client, make_event):
    event = make_event()
    response = client.post(f"/api/v1/events/{event.slug}/registrations", json={
        "name": "Emma Brown", "email": "emma@example.com", "affiliation": "alumni", "consent": True,
        "language": "en"})
    assert response.status_code == 201, response.json
    link = response.json["links"]["calendar"]
    path = urlsplit(link).path
    first = client.get(path)
    assert first.status_code == 200 and method_of(first) == "REQUEST"
    [vevent] = vevents(first)
    uid, sequence = str(vevent["UID"]), vevent["SEQUENCE"]

    registration = db.session.get(Registration, response.json["id"])
    registrations.cancel(registration)
    after = client.get(path)
    assert after.status_code == 200 and method_of(after) == "CANCEL"
    assert "method=CANCEL" in after.headers["Content-Type"]
    [cancelled] = vevents(after)
    assert str(cancelled["UID"]) == uid and cancelled["SEQUENCE"] > sequence
    assert str(cancelled["STATUS"]) == "CANCELLED"


@pytest.mark.parametrize("status, words", [
    ("pending", "approval"),
    ("waitlisted", "waiting list"),
])
def test_pending_and_waitlisted_registrations_have_no_invite_yet(client, make_event, make_registration, status, words):
    registration = make_registration(make_event(), status=status)
    response = client.get(f"/r/{registration.manage_token}/invite.ics?lang=en",
                          headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert words in response.json["error"]["message"]
    refresh()  # the test's long-lived app context would otherwise keep the first request's locale
    page = client.get(f"/r/{registration.manage_token}/invite.ics?lang=ja")
    assert page.status_code == 409 and page.mimetype == "text/html"
    assert ("承認" if status == "pending" else "キャンセル待ち") in page.get_data(as_text=True)


def test_a_rejected_registration_that_never_had_an_invite_has_none(client, make_event, make_registration):
    registration = make_registration(make_event(), status="rejected")
    assert client.get(f"/r/{registration.manage_token}/invite.ics").status_code == 404


def test_an_unknown_link_is_a_clear_404(client, app):
    response = client.get("/r/not-a-real-token/invite.ics?lang=en")
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_after_the_event_is_cancelled_the_invite_link_gives_the_cancel(client, make_event, make_registration,
                                                                       make_staff):
    from events_app.events import services as events

    event = make_event()
    registration = make_registration(event)
    events.cancel_event(event.id, actor=make_staff("operator"), reason="")
    response = client.get(f"/r/{registration.manage_token}/invite.ics")
    assert method_of(response) == "CANCEL"
    [vevent] = vevents(response)
    assert vevent["SEQUENCE"] == 1


# --- public documents ------------------------------------------------------------------------

def test_public_event_ics_is_cacheable_and_has_no_personal_data(client, make_event, make_registration):
    event = make_event(title="公開イベント", title_translation="Open event", online_url="https://meet.example/x",
                       kind="hybrid", online_capacity=5)
    registration = make_registration(event)
    response = client.get(f"/events/{event.slug}.ics?lang=en")
    assert response.status_code == 200 and "method=PUBLISH" in response.headers["Content-Type"]
    body = response.get_data(as_text=True)
    assert "SUMMARY:Open event" in body
    assert registration.person.email not in body and "meet.example" not in body
    etag = response.headers["ETag"]
    again = client.get(f"/events/{event.slug}.ics?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_drafts_and_unknown_events_have_no_public_ics(client, make_event):
    draft = make_event(status="draft")
    assert client.get(f"/events/{draft.slug}.ics").status_code == 404
    assert client.get("/events/no-such-event.ics").status_code == 404


def test_feed_lists_listed_published_events_and_keeps_recent_cancellations(client, make_event):
    shown = make_event(title="交流会 A")
    make_event(title="下書き", status="draft")
    make_event(title="限定公開", visibility="unlisted")
    cancelled = make_event(title="中止になった会", status="cancelled", published_at=utcnow())
    response = client.get("/calendar.ics?lang=ja")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    by_uid = {str(v["UID"]): v for v in vevents(response)}
    assert set(by_uid) == {f"event-{shown.id}@localhost", f"event-{cancelled.id}@localhost"}
    assert str(by_uid[f"event-{cancelled.id}@localhost"]["STATUS"]) == "CANCELLED"
    parsed = parse_with_icaljs(response.data)
    assert parsed["calname"] == "Tsunagu イベント"
    assert {e["start_utc"] for e in parsed["events"]} == {iso_z(shown.starts_at), iso_z(cancelled.starts_at)}


def test_feed_filters_by_kind_and_refuses_an_unknown_kind(client, make_event):
    webinar = make_event(kind="webinar", online_url="https://meet.example/w")
    make_event(kind="networking")
    response = client.get("/calendar.ics?kind=webinar&lang=en")
    assert [str(v["UID"]) for v in vevents(response)] == [f"event-{webinar.id}@localhost"]
    assert "Webinar" in str(icalendar.Calendar.from_ical(response.data)["X-WR-CALNAME"])
    bad = client.get("/calendar.ics?kind=party", headers={"Accept": "application/json"})
    assert bad.status_code == 422
    assert "webinar" in bad.json["error"]["fields"]["kind"][0]


# --- links on pages --------------------------------------------------------------------------

def test_attendee_page_links_add_the_event_to_google_and_outlook(app, make_event, make_registration):
    event = make_event(title="秋の交流会")
    registration = make_registration(event)
    with app.test_request_context("/?lang=ja"):
        html = render_template("calendar/_calendar_links.html", registration=registration, event=event,
                               token=registration.manage_token)
    assert f"/r/{registration.manage_token}/invite.ics" in html
    assert "Google カレンダーに追加" in html and "Outlook に追加" in html
    google = next(part for part in html.split('"') if part.startswith("https://calendar.google.com"))
    query = parse_qs(urlsplit(google.replace("&amp;", "&")).query)
    start = event.starts_at.strftime("%Y%m%dT%H%M%SZ")
    end = event.ends_at.strftime("%Y%m%dT%H%M%SZ")
    assert query["dates"] == [f"{start}/{end}"] and query["text"] == ["秋の交流会"]
    assert query["ctz"] == ["Asia/Tokyo"]
    outlook = next(part for part in html.split('"') if part.startswith("https://outlook.live.com"))
    outlook_query = parse_qs(urlsplit(outlook.replace("&amp;", "&")).query)
    assert outlook_query["startdt"] == [event.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")]


def test_pending_attendee_page_explains_when_the_invite_comes(app, make_event, make_registration):
    event = make_event()
    registration = make_registration(event, status="pending")
    with app.test_request_context("/?lang=en"):
        html = render_template("calendar/_calendar_links.html", registration=registration, event=event,
                               token=registration.manage_token)
    assert "invite.ics" not in html
    assert "as soon as the organisers confirm" in html


def test_feed_snippet_offers_webcal(app):
    with app.test_request_context("/?lang=en"):
        html = render_template("calendar/_feed_link.html")
    assert 'href="webcal://localhost/calendar.ics"' in html
    assert "http://localhost/calendar.ics" in html


def test_public_event_snippet_links_to_the_event_ics(app, make_event):
    event = make_event(starts_at=utcnow() + timedelta(days=3))
    with app.test_request_context("/?lang=en"):
        html = render_template("calendar/_event_links.html", event=event)
    assert f"http://localhost/events/{event.slug}.ics" in html


def test_attendee_page_and_confirmation_page_offer_the_calendar(client, make_event):
    event = make_event(title="冬の交流会")
    response = client.post(f"/events/{event.slug}/register?lang=ja", data={
        "name": "佐藤 美咲", "name_kana": "サトウ ミサキ", "email": "misaki@example.jp", "affiliation": "alumni",
        "consent": "y"}, follow_redirects=True)
    assert response.status_code == 200
    done = response.get_data(as_text=True)
    assert "Google カレンダーに追加" in done and "/invite.ics" in done
    token = re.search(r"/r/([A-Za-z0-9_-]+)/invite\.ics", done).group(1)
    page = client.get(f"/r/{token}?lang=ja").get_data(as_text=True)
    assert "Google カレンダーに追加" in page and "Outlook に追加" in page
    assert client.get(f"/r/{token}/invite.ics").status_code == 200
