"""A cancelled (or ended) event's page shows its tables without seats left or "full": no seat is on offer."""
from __future__ import annotations

import pytest

from events_app.database import utcnow
from events_app.enums import EventStatus
from tests.conftest import in_days

JA = {"Accept-Language": "ja"}


def page_of(client, event) -> str:
    return client.get(f"/events/{event.slug}", headers=JA).get_data(as_text=True)


def test_an_open_events_tables_show_their_seats(client, make_event, make_session, make_registration):
    event = make_event()
    make_session(event, title="営業テーブル", capacity=5)
    make_session(event, title="満席テーブル", capacity=0)
    page = page_of(client, event)
    assert "残り 5 席（定員 5）" in page and "このテーブルは満席です" in page


@pytest.mark.parametrize("fields", [
    {"status": EventStatus.CANCELLED, "published_at": utcnow()},
    {"status": EventStatus.COMPLETED, "starts_at": in_days(-3), "ends_at": in_days(-3, hour=21)},
], ids=["cancelled", "ended"])
def test_a_cancelled_or_ended_events_tables_offer_no_seats(client, make_event, make_session, fields):
    event = make_event(**fields)
    make_session(event, title="営業テーブル", capacity=5)
    make_session(event, title="満席テーブル", capacity=0)
    page = page_of(client, event)
    assert "営業テーブル" in page and "満席テーブル" in page
    assert "残り 5 席" not in page and "このテーブルは満席です" not in page
