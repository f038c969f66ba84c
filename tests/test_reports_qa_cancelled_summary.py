"""The summary of a cancelled event says it was cancelled (and why), never "not held yet" or zero attendance."""
from __future__ import annotations

import re

import pytest

from events_app.enums import EventStatus
from tests.conftest import in_days
from tests.test_reports_summary import pdf_text, write_summary


@pytest.fixture
def cancelled(make_event, make_person, make_registration):
    def build(days: float, reason: str = ""):
        event = make_event(starts_at=in_days(days), status=EventStatus.CANCELLED, cancelled_at=in_days(-3),
                           cancellation_reason=reason)
        for n in range(3):
            make_registration(event, make_person(name=f"参加者 {n}", name_kana=f"サンカシャ {n}"))
        return event
    return build


@pytest.mark.parametrize("days", [10, -1], ids=["future", "past"])
def test_summary_pdf_of_a_cancelled_event_says_so_with_the_reason(cancelled, runner, tmp_path, days):
    event = cancelled(days, reason="台風の接近のため")
    text = re.sub(r"\s+", "", pdf_text(write_summary(runner, event.slug, tmp_path)))
    assert "このイベントは" in text and "に中止され、開催されませんでした" in text
    assert "中止の理由:台風の接近のため" in text
    assert "まだ開催されていません" not in text
    assert "無断欠席率" not in text and "付録:参加者一覧" not in text
    assert "申込数3" in text


def test_summary_of_a_cancelled_event_without_a_reason_in_english(cancelled, runner, tmp_path):
    event = cancelled(-1)
    text = " ".join(pdf_text(write_summary(runner, event.slug, tmp_path, "--lang", "en")).split())
    assert "was cancelled on" in text and "was not held" in text
    assert "Reason for the cancellation" not in text


def test_reports_page_and_api_of_a_cancelled_event(cancelled, client, operator, make_token):
    event = cancelled(-1, reason="会場の都合")
    page = client.get(f"/admin/events/{event.slug}/reports").get_data(as_text=True)
    assert "中止の理由: 会場の都合" in page and "まだ開催されていません" not in page
    token, _user = make_token("operator")
    report = client.get(f"/api/v1/events/{event.slug}/report", headers={"Authorization": f"Bearer {token}"})
    assert report.get_json()["cancelled"] is True and report.get_json()["held"] is False
