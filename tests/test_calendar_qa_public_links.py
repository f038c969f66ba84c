"""The public pages offer the calendar as docs/calendar.md says: the event list a webcal:// feed
(of the kind shown), the event page Google and Outlook entries beside its .ics; every link works."""
from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

import icalendar

from events_app.enums import EventKind, EventStatus
from events_app.database import utcnow

JA = {"Accept-Language": "ja"}


def hrefs(page: str, prefix: str) -> list[str]:
    return [html_lib.unescape(h) for h in re.findall(r'href="([^"]+)"', page) if h.startswith(prefix)]


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def summaries(response) -> set[str]:
    return {str(v["SUMMARY"]) for v in icalendar.Calendar.from_ical(response.data).walk("VEVENT")}


def test_the_event_list_offers_the_feed_and_the_feed_lists_the_events(client, make_event):
    make_event(title="冬の交流会")
    for path in ("/", "/events"):
        page = client.get(path, headers=JA).get_data(as_text=True)
        assert "カレンダーアプリで購読する" in page
        assert hrefs(page, "webcal://") == ["webcal://localhost/calendar.ics"]
        assert "http://localhost/calendar.ics" in page
    feed = client.get(local_path("http://localhost/calendar.ics"))
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert summaries(feed) == {"冬の交流会"}


def test_a_filtered_list_offers_the_feed_of_that_kind(client, make_event):
    make_event(title="キャリア ウェビナー", kind=EventKind.WEBINAR, online_url="https://meet.example/abc")
    make_event(title="冬の交流会", kind=EventKind.NETWORKING)
    page = client.get("/?kind=webinar", headers=JA).get_data(as_text=True)
    [webcal] = hrefs(page, "webcal://")
    assert webcal == "webcal://localhost/calendar.ics?kind=webinar"
    assert summaries(client.get(local_path(webcal))) == {"キャリア ウェビナー"}


def test_the_event_page_adds_the_event_to_google_and_outlook(client, make_event):
    event = make_event(title="冬の交流会")
    page = client.get(f"/events/{event.slug}", headers=JA).get_data(as_text=True)
    assert "カレンダーに追加:" in page
    [google] = hrefs(page, "https://calendar.google.com")
    query = parse_qs(urlsplit(google).query)
    assert query["text"] == ["冬の交流会"]
    assert query["dates"] == [f"{event.starts_at:%Y%m%dT%H%M%SZ}/{event.ends_at:%Y%m%dT%H%M%SZ}"]
    [outlook] = hrefs(page, "https://outlook.live.com")
    assert parse_qs(urlsplit(outlook).query)["subject"] == ["冬の交流会"]
    ics = hrefs(page, f"http://localhost/events/{event.slug}.ics")
    assert ics and summaries(client.get(local_path(ics[0]))) == {"冬の交流会"}


def test_a_cancelled_event_page_offers_no_calendar_entry(client, make_event):
    event = make_event(title="冬の交流会", status=EventStatus.CANCELLED, published_at=utcnow())
    page = client.get(f"/events/{event.slug}", headers=JA).get_data(as_text=True)
    assert not hrefs(page, "https://calendar.google.com") and not hrefs(page, "https://outlook.live.com")
