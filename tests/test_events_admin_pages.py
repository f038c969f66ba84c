"""Operator pages: every form's bad input shows a message next to its field and keeps what was
typed; the happy paths create, edit, publish, cancel and duplicate. An event's programme
(sessions, hosts, questions): test_events_programme_pages.py."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from events_app.enums import EventKind, EventStatus
from events_app.events.models import Event
from events_app.extensions import db

EN = {"Accept-Language": "en"}


@pytest.fixture
def operator_client(client, login, make_staff, db_backend):
    login(make_staff("operator"))
    client.set_cookie("tsunagu_lang", "en")  # a signed-in user's own language beats Accept-Language
    return client


def field_error(html: str, field_id: str) -> str:
    """The error text shown in the field's block (id="field-<id>")."""
    block = re.search(rf'<div class="field[^"]*" id="field-{field_id}">(.*?)</div>\s*(?=<div class="field|</fieldset|<div class="grid|<details|<button|<div class="form-actions)',
                      html, re.S)
    assert block, f"no field {field_id}"
    errors = re.findall(r'<p class="error" role="alert">(.*?)</p>', block.group(1), re.S)
    return " ".join(errors)


def event_form(**overrides) -> dict:
    data = {"title": "London Alumni Drinks", "kind": "hybrid", "language": "en", "timezone": "Europe/London",
            "starts_at": "2031-03-01T18:30", "ends_at": "2031-03-01T21:00", "capacity": "40",
            "online_capacity": "", "audience": ["alumni", "employee"], "visibility": "listed",
            "venue_name": "The Anchor", "venue_map_url": "https://maps.example.com/anchor"}
    data.update(overrides)
    return data


def test_creating_an_event_leads_to_its_admin_page(operator_client):
    response = operator_client.post("/admin/events/new", data=event_form(), headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/events/london-alumni-drinks")
    event = db.session.scalar(select(Event))
    assert event.status == EventStatus.DRAFT
    assert event.local_starts_at.strftime("%H:%M") == "18:30"  # typed in the event's own zone


@pytest.mark.parametrize("overrides, field, message", [
    ({"title": ""}, "title", "This field is required."),
    ({"ends_at": "2031-03-01T17:00"}, "ends_at", "The end must be after the start."),
    ({"capacity": "-4"}, "capacity", "Enter 0 or more."),
    ({"capacity": "forty"}, "capacity", "Enter a whole number."),
    ({"timezone": "London"}, "timezone", "Unknown time zone"),
    ({"venue_map_url": "maps.example.com"}, "venue_map_url", "https://"),
    ({"starts_at": "tomorrow evening"}, "starts_at", "Enter a date and time, for example 2026-12-01 18:00."),
    ({"registration_opens_at": "2031-02-20T10:00", "registration_closes_at": "2031-02-10T10:00"},
     "registration_closes_at", "Registration must close after it opens."),
    ({"audience": []}, "audience", "Choose at least one audience."),
    ({"slug": "Bad Slug"}, "slug", "lower-case"),
])
def test_bad_event_input_is_shown_next_to_its_field_and_kept(operator_client, overrides, field, message):
    data = event_form(**overrides)
    response = operator_client.post("/admin/events/new", data=data, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(html, field)
    assert 'value="London Alumni Drinks"' in html or overrides.get("title") == ""
    typed = overrides.get(field)
    if isinstance(typed, str) and typed:
        assert f'value="{typed}"' in html  # what was typed comes back as typed
    assert db.session.scalar(select(Event)) is None


def test_a_garbled_date_does_not_hide_the_other_errors(operator_client):
    response = operator_client.post("/admin/events/new", data=event_form(starts_at="xx", capacity="-1"), headers=EN)
    html = response.get_data(as_text=True)
    assert "Enter 0 or more." in field_error(html, "capacity")
    assert "Enter a date and time, for example 2026-12-01 18:00." in field_error(html, "starts_at")
    assert "This field is required" not in field_error(html, "starts_at")


@pytest.mark.parametrize("overrides, field", [
    ({"venue_name": "The Anchor"}, "venue_name"),
    ({"venue_address": "1 Bank St"}, "venue_address"),
    ({"capacity": "40"}, "capacity"),
])
def test_a_webinar_refuses_a_venue_and_keeps_what_was_typed(operator_client, overrides, field):
    data = event_form(kind="webinar", venue_name="", venue_map_url="", capacity="", online_capacity="300",
                      online_url="https://meet.example.com/w")
    data.update(overrides)
    response = operator_client.post("/admin/events/new", data=data, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "online only" in field_error(html, field)
    assert f'value="{overrides[field]}"' in html
    assert db.session.scalar(select(Event)) is None


def test_a_webinar_without_a_venue_is_created(operator_client):
    data = event_form(kind="webinar", venue_name="", venue_map_url="", capacity="", online_capacity="300")
    assert operator_client.post("/admin/events/new", data=data, headers=EN).status_code == 302
    assert db.session.scalar(select(Event)).kind == EventKind.WEBINAR


@pytest.mark.parametrize("overrides, field, message", [
    ({"ends_at": "2031-03-01T17:00"}, "ends_at", "The end must be after the start."),
    ({"registration_opens_at": "2031-02-20T10:00", "registration_closes_at": "2031-02-10T10:00"},
     "registration_closes_at", "Registration must close after it opens."),
    ({"survey_closes_at": "2031-03-01T20:00"}, "survey_closes_at", "The survey must close after the event ends."),
    ({"starts_at": "1990-03-01T18:30"}, "starts_at", "between the years 2000 and 2099"),
    ({"starts_at": "tomorrow evening"}, "starts_at", "Enter a date and time, for example 2026-12-01 18:00."),
])
def test_date_errors_show_with_an_unknown_time_zone(operator_client, overrides, field, message):
    response = operator_client.post("/admin/events/new", data=event_form(timezone="London", **overrides), headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Unknown time zone" in field_error(html, "timezone") and 'value="London"' in html
    assert message in field_error(html, field)
    assert f'value="{overrides[field]}"' in html


def test_an_unknown_time_zone_alone_does_not_guess_date_errors(operator_client):
    response = operator_client.post("/admin/events/new", data=event_form(timezone="London"), headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, "starts_at") == "" and field_error(html, "ends_at") == ""


def test_a_taken_slug_is_shown_on_the_slug_field(operator_client, make_event):
    make_event(slug="spring-mixer")
    response = operator_client.post("/admin/events/new", data=event_form(slug="spring-mixer"), headers=EN)
    assert response.status_code == 409
    assert "already used" in field_error(response.get_data(as_text=True), "slug")


def test_edit_form_shows_local_times_and_saves_changes(operator_client, make_event):
    event = make_event(timezone="Europe/London", capacity=20)
    local = event.local_starts_at.strftime("%Y-%m-%dT%H:%M")
    page = operator_client.get(f"/admin/events/{event.slug}/edit").get_data(as_text=True)
    assert f'value="{local}"' in page
    data = event_form(title="New title", kind="networking", starts_at=local,
                      ends_at=event.local_ends_at.strftime("%Y-%m-%dT%H:%M"), slug=event.slug, capacity="25")
    response = operator_client.post(f"/admin/events/{event.slug}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(event)
    assert (event.title, event.capacity) == ("New title", 25)


def test_bad_edit_keeps_typed_values(operator_client, make_event):
    event = make_event()
    data = event_form(title="Changed", capacity="-1", slug=event.slug)
    response = operator_client.post(f"/admin/events/{event.slug}/edit", data=data, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Changed"' in html and 'value="-1"' in html
    db.session.refresh(event)
    assert event.title != "Changed"


def test_publish_button_publishes_a_draft(operator_client, make_event):
    event = make_event(status=EventStatus.DRAFT)
    response = operator_client.post(f"/admin/events/{event.slug}/publish")
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.status == EventStatus.PUBLISHED


def test_cancel_needs_the_confirmation_tick(operator_client, make_event):
    event = make_event()
    response = operator_client.post(f"/admin/events/{event.slug}/cancel", data={"reason": "台風のため"}, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tick the box to confirm." in field_error(html, "confirm")
    assert "台風のため" in html
    db.session.refresh(event)
    assert event.status == EventStatus.PUBLISHED


def test_cancel_with_confirmation_cancels(operator_client, make_event):
    event = make_event()
    response = operator_client.post(f"/admin/events/{event.slug}/cancel", data={"reason": "台風のため", "confirm": "y"})
    assert response.status_code == 302
    db.session.refresh(event)
    assert (event.status, event.cancellation_reason) == (EventStatus.CANCELLED, "台風のため")


def test_duplicate_form_creates_a_draft_copy(operator_client, make_event):
    event = make_event(slug="mixer")
    new_start = (event.local_starts_at + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    response = operator_client.post(f"/admin/events/{event.slug}/duplicate", data={"starts_at": new_start})
    assert response.status_code == 302 and "/admin/events/mixer-copy/edit" in response.headers["Location"]


def test_duplicate_form_rejects_a_garbled_date(operator_client, make_event):
    event = make_event()
    response = operator_client.post(f"/admin/events/{event.slug}/duplicate", data={"starts_at": "next month"},
                                    headers=EN)
    assert response.status_code == 422
    assert 'value="next month"' in response.get_data(as_text=True)


@pytest.mark.parametrize("starts_at, message", [
    ("", "This field is required."),
    ("2020-04-01T19:00", "Choose a start in the future"),
])
def test_duplicate_needs_a_new_start_in_the_future(operator_client, make_event, starts_at, message):
    event = make_event()
    response = operator_client.post(f"/admin/events/{event.slug}/duplicate", data={"starts_at": starts_at},
                                    headers=EN)
    assert response.status_code == 422 and message in field_error(response.get_data(as_text=True), "starts_at")
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_event_admin_page_links_to_the_other_capabilities(operator_client, make_event):
    event = make_event(slug="mixer")
    html = operator_client.get("/admin/events/mixer").get_data(as_text=True)
    for path in ("/admin/events/mixer/registrations", "/checkin/mixer", "/admin/events/mixer/reports", "/admin/outbox"):
        assert f'href="{path}"' in html


def test_dashboard_shows_the_numbers(operator_client, make_event, make_registration):
    event = make_event(capacity=10, slug="numbers")
    for _ in range(3):
        make_registration(event)
    make_registration(event, status="waitlisted")
    make_registration(event, status="pending")
    checked = make_registration(event)
    checked.checked_in_at = event.starts_at
    db.session.commit()
    html = operator_client.get("/admin/", headers=EN).get_data(as_text=True)
    row = re.search(r'<tr id="event-numbers">(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).split() for c in re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)]
    assert cells[0][:3] == ["4", "/", "10"]
    assert [c[0] for c in cells[1:]] == ["1", "1", "1"]


def test_checkin_staff_cannot_open_the_dashboard(client, login, make_staff, db_backend):
    login(make_staff("checkin"))
    assert client.get("/admin/").status_code == 403


@pytest.mark.parametrize("kind, venue, url, missing", [
    ("webinar", "", "", {"online_url"}),
    ("networking", "", "", {"venue_name"}),
    ("hybrid", "", "", {"venue_name", "online_url"}),
    ("hybrid", "本社 20階", "", {"online_url"}),
])
def test_an_event_is_published_only_with_its_venue_or_join_url(operator_client, make_event, kind, venue, url,
                                                               missing):
    from events_app.events import services

    event = make_event(kind=kind, status=EventStatus.DRAFT, venue_name=venue, online_url=url)
    response = operator_client.post(f"/admin/events/{event.slug}/publish", headers=EN, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "cannot be published yet" in page
    db.session.expire_all()
    assert db.session.get(type(event), event.id).status == EventStatus.DRAFT
    with pytest.raises(services.ValidationError) as err:
        services.publish_event(event.id, actor=None)
    assert set(err.value.fields) == missing


def test_a_published_event_keeps_its_join_url(operator_client, make_event):
    event = make_event(kind="webinar", venue_name="", online_url="https://meet.example.com/a")
    data = event_form(kind="webinar", starts_at=event.local_starts_at.strftime("%Y-%m-%dT%H:%M"),
                      ends_at=event.local_ends_at.strftime("%Y-%m-%dT%H:%M"), slug=event.slug,
                      venue_name="", venue_map_url="", online_url="", capacity="", online_capacity="50")
    response = operator_client.post(f"/admin/events/{event.slug}/edit", data=data, headers=EN)
    assert response.status_code == 422 and "join URL" in field_error(response.get_data(as_text=True), "online_url")


def test_reminders_and_the_survey_are_event_settings(operator_client, make_event):
    event = make_event(kind=EventKind.HYBRID, online_url="https://meet.example.com/a", online_capacity=50)
    page = operator_client.get(f"/admin/events/{event.slug}/edit", headers=EN).get_data(as_text=True)
    assert 'name="reminder_hours_before" type="text" value="24"' in page or 'value="24"' in page
    data = event_form(starts_at=event.local_starts_at.strftime("%Y-%m-%dT%H:%M"),
                      ends_at=event.local_ends_at.strftime("%Y-%m-%dT%H:%M"), slug=event.slug,
                      online_url="https://meet.example.com/a", reminder_hours_before="48",
                      online_reminder_minutes_before="", survey_closes_at=event.local_starts_at.strftime("%Y-%m-%dT%H:%M"))
    refused = operator_client.post(f"/admin/events/{event.slug}/edit", data=data, headers=EN)
    assert refused.status_code == 422
    assert "after the event ends" in field_error(refused.get_data(as_text=True), "survey_closes_at")
    data["survey_closes_at"] = (event.local_ends_at + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    assert operator_client.post(f"/admin/events/{event.slug}/edit", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Event, event.id)
    assert saved.reminder_hours_before == 48 and saved.online_reminder_minutes_before is None
    assert saved.survey_enabled is False  # the box was not ticked
    assert saved.survey_closes_at == event.ends_at + timedelta(days=7)
    bad = operator_client.post(f"/admin/events/{event.slug}/edit", headers=EN,
                               data={**data, "reminder_hours_before": "0", "survey_enabled": "y"})
    assert bad.status_code == 422 and "1 or more" in field_error(bad.get_data(as_text=True), "reminder_hours_before")


def test_requiring_a_session_choice_is_an_event_setting(operator_client, make_event):
    event = make_event(kind=EventKind.NETWORKING, language="en")
    data = event_form(kind="networking", starts_at=event.local_starts_at.strftime("%Y-%m-%dT%H:%M"),
                      ends_at=event.local_ends_at.strftime("%Y-%m-%dT%H:%M"), slug=event.slug,
                      session_choice_required="y")
    assert operator_client.post(f"/admin/events/{event.slug}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).session_choice_required is True
    page = operator_client.get(f"/admin/events/{event.slug}/edit", headers=EN).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*name="session_choice_required"|'
                     r'<input[^>]*name="session_choice_required"[^>]*checked', page)


def test_the_cancel_page_counts_everyone_who_will_be_told(operator_client, make_event, make_registration):
    event = make_event(requires_approval=True)
    make_registration(event)
    for _ in range(3):
        make_registration(event, status="pending")
    page = operator_client.get(f"/admin/events/{event.slug}/cancel", headers=EN).get_data(as_text=True)
    assert "1 confirmed, 3 awaiting approval and 0 waitlisted people will be told" in page


def test_dates_and_numbers_typed_with_a_japanese_ime_or_slashes_are_read(operator_client):
    """An operator typing in Japanese: full-width digits, colon and hyphens, or 2031/03/01."""
    data = event_form(starts_at="２０３１－０３－０１　１８：３０", ends_at="2031/03/01 21:00", capacity="４０")
    response = operator_client.post("/admin/events/new", data=data, headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    event = db.session.scalar(select(Event))
    assert event.local_starts_at.strftime("%Y-%m-%d %H:%M") == "2031-03-01 18:30"
    assert event.local_ends_at.strftime("%H:%M") == "21:00" and event.capacity == 40


def test_an_unreadable_date_gets_an_example_in_japanese_too(operator_client):
    operator_client.set_cookie("tsunagu_lang", "ja")
    html = operator_client.post("/admin/events/new", data=event_form(starts_at="来週の金曜")).get_data(as_text=True)
    assert "日時を入力してください(例: 2026-12-01 18:00)。" in field_error(html, "starts_at")
    assert "無効な時間型です" not in html
    assert 'value="来週の金曜"' in html
