"""The public event list and event page."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from events_app.enums import EventKind, EventStatus, Visibility
from tests.conftest import in_days

EN = {"Accept-Language": "en"}


@pytest.fixture
def public(client, db_backend):
    return client


def test_list_shows_listed_published_events(public, make_event):
    make_event(title="Winter Mixer")
    html = public.get("/", headers=EN).get_data(as_text=True)
    assert "Winter Mixer" in html


def test_events_path_is_the_same_list(public, make_event):
    make_event(title="Winter Mixer")
    assert "Winter Mixer" in public.get("/events", headers=EN).get_data(as_text=True)


@pytest.mark.parametrize("fields", [
    {"status": EventStatus.DRAFT},
    {"visibility": Visibility.UNLISTED},
])
def test_drafts_and_unlisted_events_are_not_listed(public, make_event, fields):
    make_event(title="Hidden Gathering", **fields)
    assert "Hidden Gathering" not in public.get("/", headers=EN).get_data(as_text=True)


def test_past_events_are_listed_separately(public, make_event):
    make_event(title="Autumn Mixer", status=EventStatus.COMPLETED, starts_at=in_days(-20))
    make_event(title="Winter Mixer")
    html = public.get("/", headers=EN).get_data(as_text=True)
    upcoming, _, past = html.partition('id="past"')
    assert "Winter Mixer" in upcoming and "Autumn Mixer" in past and "Autumn Mixer" not in upcoming


def test_list_filters_by_kind(public, make_event):
    make_event(title="Career Webinar", kind=EventKind.WEBINAR)
    make_event(title="Winter Mixer", kind=EventKind.NETWORKING)
    html = public.get("/?kind=webinar", headers=EN).get_data(as_text=True)
    assert "Career Webinar" in html and "Winter Mixer" not in html


def test_an_unknown_kind_filter_shows_everything(public, make_event):
    make_event(title="Winter Mixer")
    response = public.get("/?kind=party", headers=EN)
    assert response.status_code == 200 and "Winter Mixer" in response.get_data(as_text=True)


def test_unlisted_event_is_reachable_by_its_link(public, make_event):
    make_event(slug="secret-dinner", title="Secret Dinner", visibility=Visibility.UNLISTED)
    response = public.get("/events/secret-dinner", headers=EN)
    assert response.status_code == 200 and "Secret Dinner" in response.get_data(as_text=True)


def test_a_draft_is_not_found_by_the_public(public, make_event):
    make_event(slug="draft-event", status=EventStatus.DRAFT)
    response = public.get("/events/draft-event", headers=EN)
    assert response.status_code == 404
    assert "We could not find that page." in response.get_data(as_text=True)


def test_staff_see_a_draft_with_a_banner(client, login, make_staff, make_event, db_backend):
    make_event(slug="draft-event", status=EventStatus.DRAFT)
    login(make_staff("operator"))
    client.set_cookie("tsunagu_lang", "en")
    response = client.get("/events/draft-event")
    assert response.status_code == 200
    assert "Only staff can see this page until the event is published." in response.get_data(as_text=True)


def test_time_is_shown_in_the_events_zone_with_its_name(public, make_event):
    # 18:30 in London on 1 July 2031 is 17:30 UTC and 02:30 the next day in Tokyo.
    make_event(slug="london", timezone="Europe/London", starts_at=datetime(2031, 7, 1, 17, 30, tzinfo=timezone.utc))
    html = public.get("/events/london", headers=EN).get_data(as_text=True)
    assert "18:30–20:30" in html
    assert "Europe/London" in html and "BST" in html
    assert "02:30" not in html


def test_cancelled_event_shows_a_clear_notice_and_no_register_button(public, make_event):
    make_event(slug="off", status=EventStatus.CANCELLED, cancellation_reason="Typhoon warning",
               published_at=in_days(-10))
    html = public.get("/events/off", headers=EN).get_data(as_text=True)
    assert "This event has been cancelled." in html and "Typhoon warning" in html
    assert "/events/off/register" not in html


def test_event_page_links_to_register_and_to_the_ics(public, make_event):
    make_event(slug="mixer")
    html = public.get("/events/mixer", headers=EN).get_data(as_text=True)
    assert 'href="/events/mixer/register"' in html and 'href="/events/mixer.ics"' in html


def test_a_draft_cancelled_before_publishing_stays_hidden(public, make_event):
    make_event(slug="never-announced", title="Never Announced", status=EventStatus.CANCELLED)
    assert public.get("/events/never-announced").status_code == 404
    assert "Never Announced" not in public.get("/", headers=EN).get_data(as_text=True)


def test_a_cancelled_event_stays_listed_with_its_notice(public, make_event):
    make_event(title="Typhoon Mixer", status=EventStatus.CANCELLED, published_at=in_days(-10))
    html = public.get("/", headers=EN).get_data(as_text=True)
    assert "Typhoon Mixer" in html and "Event cancelled" in html


def test_online_join_url_is_never_shown(public, make_event):
    make_event(slug="webinar", kind=EventKind.WEBINAR, online_url="https://meet.example.com/secret-room")
    html = public.get("/events/webinar", headers=EN).get_data(as_text=True)
    assert "secret-room" not in html


def test_seats_left_and_waitlist(public, make_event, make_registration):
    roomy = make_event(slug="roomy", capacity=10)
    make_registration(roomy)
    full = make_event(slug="full", capacity=1)
    make_registration(full)
    assert "9 seats left" in public.get("/events/roomy", headers=EN).get_data(as_text=True)
    html = public.get("/events/full", headers=EN).get_data(as_text=True)
    assert "Waitlist open" in html and "Join the waitlist" in html


def test_seats_left_are_not_shown_once_an_event_is_cancelled_or_over(public, make_event):
    make_event(slug="off", capacity=20, status=EventStatus.CANCELLED, published_at=in_days(-10))
    make_event(slug="autumn", capacity=40, starts_at=in_days(-30), published_at=in_days(-60))
    for slug in ("off", "autumn"):
        html = public.get(f"/events/{slug}", headers=EN).get_data(as_text=True)
        assert "seats left" not in html and "Waitlist open" not in html


def test_a_hybrid_form_says_only_the_venue_is_full_while_online_places_remain(public, make_event,
                                                                             make_registration):
    event = make_event(slug="hybrid", kind=EventKind.HYBRID, capacity=1, online_capacity=5)
    make_registration(event)
    html = public.get("/events/hybrid/register", headers=EN).get_data(as_text=True)
    assert "The venue is full, but 5 places are left online." in html
    page = public.get("/events/hybrid", headers=EN).get_data(as_text=True)
    assert "Venue: full, waitlist open" in page and "Online: 5 places left" in page
    assert "All seats are taken" not in html


def test_description_markdown_is_rendered_and_sanitised(public, make_event):
    make_event(slug="md", description="**Bring** cards <script>alert(1)</script> [map](javascript:alert(2))")
    html = public.get("/events/md", headers=EN).get_data(as_text=True)
    assert "<strong>Bring</strong>" in html
    assert "<script>alert(1)" not in html and 'href="javascript:' not in html


@pytest.mark.parametrize("lang, title", [("en", "Winter Mixer"), ("ja", "冬の交流会")])
def test_visitors_get_the_title_in_their_language(public, make_event, lang, title):
    make_event(slug="mixer", title="冬の交流会", title_translation="Winter Mixer", language="ja")
    assert title in public.get("/events/mixer", headers={"Accept-Language": lang}).get_data(as_text=True)


def test_hosts_show_where_they_are_now(public, make_event):
    from events_app.events.models import Host
    from events_app.extensions import db

    event = make_event(slug="kabeuchi")
    db.session.add(Host(event_id=event.id, name="佐藤 健一", former_department="石炭部", joined_year=2005, left_year=2015,
                        current_company="カーボンリンク株式会社", current_title="CEO",
                        profile="**排出量の見える化**で創業。<script>alert(1)</script>"))
    db.session.commit()
    html = public.get("/events/kabeuchi", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "元・石炭部（2005〜2015年）" in html and "カーボンリンク株式会社" in html
    assert "<strong>排出量の見える化</strong>で創業。" in html and "<script>alert(1)" not in html


def test_unknown_event_is_a_friendly_404(public):
    response = public.get("/events/no-such-event", headers={"Accept-Language": "ja"})
    assert response.status_code == 404
    assert "お探しのページが見つかりませんでした。" in response.get_data(as_text=True)


def test_the_meta_description_is_plain_text_for_link_previews(public, make_event):
    make_event(slug="md", description="## 概要\n\n**OB/OG** と現役の[交流会](https://example.com)です。")
    html = public.get("/events/md").get_data(as_text=True)
    meta = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    assert meta == "概要 OB/OG と現役の交流会です。"


def test_the_audience_is_listed_as_each_language_writes_lists(public, make_event):
    make_event(slug="all", audience_alumni=True, audience_employees=True, audience_guests=True)
    japanese = public.get("/events/all", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    english = public.get("/events/all", headers=EN).get_data(as_text=True)
    assert "、" in re.search(r"<dd>([^<]*ゲスト[^<]*)", japanese).group(1)
    assert "Alumni (OB/OG), current employees, and guests" in english or \
        "Alumni (OB/OG), current employees and guests" in english


@pytest.mark.parametrize("audience, english, japanese", [
    (dict(audience_alumni=True, audience_employees=True, audience_guests=False),
     "Alumni (OB/OG) and current employees", "アルムナイ（OB・OG）、現役社員"),
    (dict(audience_alumni=False, audience_employees=True, audience_guests=True), "Current employees and guests",
     "現役社員、ゲスト"),
])
def test_the_audience_reads_as_a_sentence(client, db_backend, make_event, audience, english, japanese):
    event = make_event(**audience)
    page = client.get(f"/events/{event.slug}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert english in page
    client.set_cookie("lang", "ja")
    assert japanese in client.get(f"/events/{event.slug}").get_data(as_text=True)
