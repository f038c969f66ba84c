"""The operators' registration list pages through every registration (no silent cut at 1,000),
and its search and filters ride along from page to page."""
from __future__ import annotations

import re
import uuid

import pytest

from events_app.enums import Affiliation
from events_app.extensions import db


@pytest.fixture
def operator(make_staff, login):
    return login(make_staff("operator"))


def shown_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="reg-(\d+)">', html)]


def next_link(html: str) -> str | None:
    match = re.search(r'id="page-next" href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def add_many(event, count: int) -> None:
    """`count` confirmed registrations in one commit (the factory commits per row: too slow for 1,005)."""
    from events_app.people.models import Person
    from events_app.registration.models import Registration
    from events_app.registration.tokens import assign_manage_token

    for n in range(count):
        person = Person(email=f"bulk{n}@example.jp", name=f"一括 {n:04d}", name_kana=f"イッカツ {n:04d}",
                        affiliation=Affiliation.ALUMNI, language="ja")
        registration = Registration(event=event, person=person, status="confirmed", attendance_mode="in_person",
                                    calendar_uid=f"{uuid.uuid4()}@tsunagu", language="ja")
        assign_manage_token(registration)
        db.session.add(registration)
    db.session.commit()


def test_every_registration_of_a_large_event_is_reachable(client, operator, make_event):
    event = make_event(capacity=None)
    add_many(event, 1005)
    first = client.get(f"/admin/events/{event.slug}/registrations").get_data(as_text=True)
    assert len(shown_ids(first)) == 100
    assert "1,005 件中 1–100 件目" in first and "11 ページ中 1 ページ目" in first
    last = client.get(f"/admin/events/{event.slug}/registrations?page=11").get_data(as_text=True)
    assert len(shown_ids(last)) == 5 and "1,005 件中 1,001–1,005 件目" in last


def test_filters_are_kept_across_pages_and_pages_never_overlap(client, operator, make_event, make_registration,
                                                                make_person, monkeypatch):
    from events_app.registration import admin_views

    monkeypatch.setattr(admin_views, "PAGE_SIZE", 2)
    event = make_event()
    alumni = {make_registration(event).id for _ in range(5)}
    make_registration(event, make_person(affiliation=Affiliation.GUEST, company="ゲスト社"))
    url, seen = f"/admin/events/{event.slug}/registrations?affiliation=alumni&q=山田", []
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += shown_ids(html)
        url = next_link(html)
        if url:
            assert "affiliation=alumni" in url and "page=" in url
    assert sorted(seen) == sorted(alumni)


@pytest.mark.parametrize("asked, expected_page", [("99", 3), ("abc", 1), ("0", 1)])
def test_a_page_out_of_range_shows_the_nearest_page(client, operator, make_event, make_registration, monkeypatch,
                                                    asked, expected_page):
    from events_app.registration import admin_views

    monkeypatch.setattr(admin_views, "PAGE_SIZE", 2)
    event = make_event()
    for _ in range(5):
        make_registration(event)
    html = client.get(f"/admin/events/{event.slug}/registrations?page={asked}").get_data(as_text=True)
    assert f"3 ページ中 {expected_page} ページ目" in html


def test_a_small_list_has_no_pager(client, operator, make_event, make_registration):
    event = make_event()
    make_registration(event)
    html = client.get(f"/admin/events/{event.slug}/registrations").get_data(as_text=True)
    assert "1 件中 1–1 件目" in html and 'class="reg-pager"' not in html
